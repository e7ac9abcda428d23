//! The user directory (`directory/*.toml`): domains and their users.

use std::collections::BTreeMap;
use std::fmt;

/// Digest algorithm an A1 hash was made with (RFC 7616 §3.4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DigestAlgorithm {
    /// `MD5`: A1 = MD5(user:realm:password), FreeSWITCH's `a1-hash`.
    Md5,
    /// `SHA-256`: A1 = SHA-256(user:realm:password).
    Sha256,
}

/// What a user proves their identity with.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    /// A plain password.
    Password(String),
    /// A precomputed H(user:realm:password); the realm is the user's domain.
    A1Hash {
        /// Lower-case hexadecimal digest.
        hex: String,
        /// Which hash it is (from the length: 32 digits MD5, 64 SHA-256).
        algorithm: DigestAlgorithm,
    },
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::Password(_) => f.write_str("Password(<redacted>)"),
            Credential::A1Hash { algorithm, .. } => {
                write!(f, "A1Hash {{ hex: <redacted>, algorithm: {algorithm:?} }}")
            }
        }
    }
}

/// A directory user (FreeSWITCH `<user id=...>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// The extension / SIP user name.
    pub id: String,
    /// The domain (lower case).
    pub domain: String,
    /// `None` until a secret is generated (see `ensure_user_secrets`); such a
    /// user cannot authenticate.
    pub credential: Option<Credential>,
    /// `effective_caller_id_name`.
    pub effective_caller_id_name: Option<String>,
    /// `effective_caller_id_number`.
    pub effective_caller_id_number: Option<String>,
    /// `outbound_caller_id_name`.
    pub outbound_caller_id_name: Option<String>,
    /// `outbound_caller_id_number`.
    pub outbound_caller_id_number: Option<String>,
    /// Dialplan context for this user's calls; `None` uses the profile's context.
    pub user_context: Option<String>,
    /// `accountcode`.
    pub accountcode: Option<String>,
    /// `toll_allow`.
    pub toll_allow: Option<String>,
    /// Free variables, set on the channel when the user authenticates.
    pub variables: BTreeMap<String, String>,
}

impl User {
    /// `id@domain`.
    pub fn address(&self) -> String {
        format!("{}@{}", self.id, self.domain)
    }

    /// Every channel variable this user brings (named ones and free ones),
    /// as FreeSWITCH sets them after authentication. Free variables come last
    /// and cannot override the named ones.
    pub fn channel_variables(&self) -> Vec<(&str, &str)> {
        let named = [
            ("effective_caller_id_name", &self.effective_caller_id_name),
            (
                "effective_caller_id_number",
                &self.effective_caller_id_number,
            ),
            ("outbound_caller_id_name", &self.outbound_caller_id_name),
            ("outbound_caller_id_number", &self.outbound_caller_id_number),
            ("user_context", &self.user_context),
            ("accountcode", &self.accountcode),
            ("toll_allow", &self.toll_allow),
        ];
        let mut vars: Vec<(&str, &str)> = named
            .into_iter()
            .filter_map(|(name, value)| value.as_deref().map(|v| (name, v)))
            .collect();
        vars.extend(self.variables.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        vars
    }
}

/// All domains and users.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Directory {
    /// Users by lower-case domain, then id.
    domains: BTreeMap<String, BTreeMap<String, User>>,
}

impl Directory {
    /// Add a user, replacing one with the same id and domain. The domain is
    /// lower-cased (host names are case-insensitive; user ids are not).
    pub fn insert(&mut self, mut user: User) {
        user.domain = user.domain.to_ascii_lowercase();
        self.domains
            .entry(user.domain.clone())
            .or_default()
            .insert(user.id.clone(), user);
    }

    /// Make sure `domain` exists even with no users in it.
    pub fn add_domain(&mut self, domain: &str) {
        self.domains.entry(domain.to_ascii_lowercase()).or_default();
    }

    /// The user `id` in `domain` (domain compared case-insensitively).
    pub fn user(&self, id: &str, domain: &str) -> Option<&User> {
        let users = match self.domains.get(domain) {
            Some(users) => users,
            None => self.domains.get(&domain.to_ascii_lowercase())?,
        };
        users.get(id)
    }

    /// True if a directory file defines `domain`.
    pub fn has_domain(&self, domain: &str) -> bool {
        self.domains.contains_key(&domain.to_ascii_lowercase())
    }

    /// Domain names, sorted.
    pub fn domains(&self) -> impl Iterator<Item = &str> {
        self.domains.keys().map(String::as_str)
    }

    /// Every user, by domain then id.
    pub fn users(&self) -> impl Iterator<Item = &User> {
        self.domains.values().flat_map(BTreeMap::values)
    }

    /// Every user, mutable (secrets are filled in after loading).
    pub fn users_mut(&mut self) -> impl Iterator<Item = &mut User> {
        self.domains.values_mut().flat_map(BTreeMap::values_mut)
    }

    /// Number of users.
    pub fn len(&self) -> usize {
        self.domains.values().map(BTreeMap::len).sum()
    }

    /// True when there are no users.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str, domain: &str) -> User {
        User {
            id: id.into(),
            domain: domain.into(),
            credential: None,
            effective_caller_id_name: Some("Alice".into()),
            effective_caller_id_number: None,
            outbound_caller_id_name: None,
            outbound_caller_id_number: None,
            user_context: Some("default".into()),
            accountcode: None,
            toll_allow: None,
            variables: BTreeMap::from([("x".to_owned(), "1".to_owned())]),
        }
    }

    #[test]
    fn lookup_is_case_insensitive_for_domain_only() {
        let mut dir = Directory::default();
        dir.insert(user("Alice", "Example.COM"));
        assert!(dir.user("Alice", "example.com").is_some());
        assert!(dir.user("Alice", "EXAMPLE.com").is_some());
        assert!(dir.user("alice", "example.com").is_none());
        assert!(dir.has_domain("example.COM"));
        assert_eq!(dir.len(), 1);
    }

    #[test]
    fn channel_variables_list_named_then_free() {
        let u = user("1000", "d");
        assert_eq!(
            u.channel_variables(),
            [
                ("effective_caller_id_name", "Alice"),
                ("user_context", "default"),
                ("x", "1")
            ]
        );
        assert_eq!(u.address(), "1000@d");
    }

    #[test]
    fn debug_hides_secrets() {
        let text = format!("{:?}", Credential::Password("hunter2".into()));
        assert!(!text.contains("hunter2"));
    }
}
