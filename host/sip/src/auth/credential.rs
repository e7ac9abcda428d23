//! Where passwords come from: a trait the binary implements over its user directory.

use super::algorithm::{HashKind, HexDigest};

/// The secret the directory holds for one user in one realm.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    /// The clear-text password (FreeSWITCH `password` param).
    Password(String),
    /// Precomputed `H(username ":" realm ":" password)` per hash (FreeSWITCH `a1-hash`);
    /// a user with only an MD5 hash can only authenticate with MD5, and so on.
    Ha1 {
        /// Lower- or upper-case hex MD5 of `user:realm:password`.
        md5: Option<String>,
        /// Lower- or upper-case hex SHA-256 of `user:realm:password`.
        sha256: Option<String>,
    },
}

impl Credential {
    /// `H(username:realm:password)` for `kind`, or `None` when this credential cannot supply
    /// it (an HA1 for another hash only, or a malformed stored hash).
    pub fn ha1(&self, kind: HashKind, username: &str, realm: &str) -> Option<HexDigest> {
        match self {
            Self::Password(password) => Some(kind.hex_of_parts(&[
                username.as_bytes(),
                realm.as_bytes(),
                password.as_bytes(),
            ])),
            Self::Ha1 { md5, sha256 } => {
                let stored = match kind {
                    HashKind::Md5 => md5.as_deref(),
                    HashKind::Sha256 => sha256.as_deref(),
                }?;
                HexDigest::parse(kind, stored)
            }
        }
    }
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Secrets never reach logs through Debug.
        match self {
            Self::Password(_) => f.write_str("Credential::Password(..)"),
            Self::Ha1 { md5, sha256 } => f
                .debug_struct("Credential::Ha1")
                .field("md5", &md5.as_ref().map(|_| ".."))
                .field("sha256", &sha256.as_ref().map(|_| ".."))
                .finish(),
        }
    }
}

/// Looks up a user's secret. The binary implements this over its `conf/` directory; tests
/// implement it over a map.
pub trait CredentialStore {
    /// The credential of `user` in `realm`, or `None` for an unknown user. The caller treats
    /// both cases identically on the wire (no user enumeration).
    fn credential(&self, user: &str, realm: &str) -> Option<Credential>;
}

impl<S: CredentialStore + ?Sized> CredentialStore for &S {
    fn credential(&self, user: &str, realm: &str) -> Option<Credential> {
        (**self).credential(user, realm)
    }
}

impl CredentialStore for std::collections::HashMap<String, Credential> {
    /// A realm-less map keyed by user name, handy for tests and single-domain setups.
    fn credential(&self, user: &str, _realm: &str) -> Option<Credential> {
        self.get(user).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_and_stored_ha1_agree() {
        let password = Credential::Password("bench-not-1234".to_owned());
        let md5 = password.ha1(HashKind::Md5, "1001", "127.0.0.1");
        let sha = password.ha1(HashKind::Sha256, "1001", "127.0.0.1");
        let stored = Credential::Ha1 {
            md5: md5.map(|d| d.as_str().to_ascii_uppercase()),
            sha256: None,
        };
        assert_eq!(stored.ha1(HashKind::Md5, "1001", "127.0.0.1"), md5);
        assert_eq!(stored.ha1(HashKind::Sha256, "1001", "127.0.0.1"), None);
        assert!(sha.is_some());
    }

    #[test]
    fn malformed_stored_hash_yields_nothing() {
        let stored = Credential::Ha1 {
            md5: Some("not-hex".to_owned()),
            sha256: None,
        };
        assert_eq!(stored.ha1(HashKind::Md5, "u", "r"), None);
    }

    #[test]
    fn debug_hides_secrets() {
        let text = format!("{:?}", Credential::Password("hunter2".to_owned()));
        assert!(!text.contains("hunter2"));
    }
}
