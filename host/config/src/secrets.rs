//! Per-user SIP passwords generated on first run, so the shipped directory needs no
//! shared default password (FreeSWITCH's `1234` is a known toll-fraud hazard).
//!
//! Users without `password`/`a1-hash` in the config get a random secret stored in
//! `<state-dir>/secrets.toml` (mode 0600); later runs reuse it. Users with an explicit
//! credential are left alone.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::config::Config;
use crate::directory::Credential;

/// File name of the secrets file inside the state folder.
pub const SECRETS_FILE: &str = "secrets.toml";

/// Characters of a generated secret: digits and ASCII letters, which every SIP
/// phone's keypad entry and provisioning format accepts.
const ALPHABET: &[u8; 62] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
/// 20 characters of 62 give about 119 bits.
const SECRET_LEN: usize = 20;

/// What `ensure_user_secrets` did, for the start-up message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretsReport {
    /// The secrets file.
    pub path: PathBuf,
    /// Users (`id@domain`) that got a new secret this time.
    pub generated: Vec<String>,
    /// Number of users whose secret was read from the file.
    pub reused: usize,
    /// True if the file had group/other permissions and was tightened to 0600.
    pub permissions_tightened: bool,
}

impl fmt::Display for SecretsReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        match (self.generated.len(), self.reused) {
            (0, 0) => write!(
                f,
                "every directory user has a password in the config; {path} not used"
            )?,
            (0, reused) => write!(f, "SIP passwords of {reused} users read from {path}")?,
            (generated, reused) => write!(
                f,
                "generated SIP passwords for {generated} users into {path} (mode 0600, \
                 {reused} kept from before); configure phones from that file"
            )?,
        }
        if self.permissions_tightened {
            write!(f, "; its permissions were too open and are now 0600")?;
        }
        Ok(())
    }
}

/// Why secrets could not be provided.
#[derive(Debug, Error)]
pub enum SecretsError {
    /// The state folder could not be created.
    #[error("{}: cannot create the state folder: {source}", path.display())]
    CreateDir {
        /// The folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The secrets file exists but could not be read.
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The secrets file is not what witswitch writes; it is left untouched.
    #[error("{}: not a witswitch secrets file ({message}); fix or remove it", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// What the TOML reader said.
        message: String,
    },
    /// Writing the file failed.
    #[error("{}: cannot write: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The random source kept producing unusable bytes.
    #[error("the random source produced no usable bytes")]
    BadRandom,
}

/// The file's shape: `[users."<domain>"]` tables of `<id> = "<secret>"`.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretsFile {
    #[serde(default)]
    users: BTreeMap<String, BTreeMap<String, String>>,
}

/// Give every user without a credential a password: the one in
/// `<state_dir>/secrets.toml` if there is one, else a new one from `fill_random`
/// (which must fill its buffer with cryptographically secure random bytes), saved
/// to that file before returning. The file is written only when something was generated.
pub fn ensure_user_secrets(
    state_dir: &Path,
    config: &mut Config,
    mut fill_random: impl FnMut(&mut [u8]),
) -> Result<SecretsReport, SecretsError> {
    let path = state_dir.join(SECRETS_FILE);
    let mut report = SecretsReport {
        path: path.clone(),
        generated: Vec::new(),
        reused: 0,
        permissions_tightened: false,
    };
    // Nothing to provide: leave the state folder alone (tests and explicit setups).
    if config.directory.users().all(|u| u.credential.is_some()) {
        return Ok(report);
    }
    let mut stored = read_secrets(&path)?;
    for user in config.directory.users_mut() {
        if user.credential.is_some() {
            continue;
        }
        let domain = stored.users.entry(user.domain.clone()).or_default();
        let secret = match domain.get(&user.id) {
            Some(secret) if !secret.is_empty() => {
                report.reused += 1;
                secret.clone()
            }
            _ => {
                let secret = generate_secret(&mut fill_random)?;
                domain.insert(user.id.clone(), secret.clone());
                report.generated.push(user.address());
                secret
            }
        };
        user.credential = Some(Credential::Password(secret));
    }
    stored.users.retain(|_, users| !users.is_empty());
    if !report.generated.is_empty() {
        write_secrets(state_dir, &path, &stored)?;
    } else if path.exists() {
        report.permissions_tightened = tighten_permissions(&path)?;
    }
    Ok(report)
}

fn read_secrets(path: &Path) -> Result<SecretsFile, SecretsError> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(SecretsFile::default()),
        Err(source) => {
            return Err(SecretsError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    toml::from_str(&text).map_err(|err| SecretsError::Parse {
        path: path.to_path_buf(),
        message: err.message().to_owned(),
    })
}

/// A secret drawn uniformly from [`ALPHABET`]: bytes of 248 or more are discarded
/// (248 = 4 × 62) so no character is more likely than another.
fn generate_secret(fill_random: &mut impl FnMut(&mut [u8])) -> Result<String, SecretsError> {
    let mut secret = String::with_capacity(SECRET_LEN);
    let mut buf = [0u8; 32];
    // Each round yields ~31 usable bytes from a working source; 16 rounds without
    // finishing means the source is broken, not unlucky.
    for _ in 0..16 {
        fill_random(&mut buf);
        for byte in buf {
            if secret.len() == SECRET_LEN {
                return Ok(secret);
            }
            if byte < 248 {
                secret.push(char::from(ALPHABET[usize::from(byte % 62)]));
            }
        }
    }
    if secret.len() == SECRET_LEN {
        Ok(secret)
    } else {
        Err(SecretsError::BadRandom)
    }
}

const HEADER: &str = "\
# witswitch: generated SIP passwords for directory users that have none in the config.
# Keep this file private (mode 0600). Remove a line to get a new password for that
# user at the next start; set `password` in the directory file to choose one yourself.
";

fn write_secrets(state_dir: &Path, path: &Path, stored: &SecretsFile) -> Result<(), SecretsError> {
    create_private_dir(state_dir)?;
    let body = toml::to_string(stored).map_err(|err| SecretsError::Parse {
        path: path.to_path_buf(),
        message: err.to_string(),
    })?;
    // Write a private temporary file and rename it over the old one, so a crash
    // never leaves a half-written secrets file and the secrets are never readable
    // by others, not even briefly.
    let tmp = path.with_extension("toml.tmp");
    let write_err = |source| SecretsError::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut file = private_create(&tmp).map_err(write_err)?;
    file.write_all(HEADER.as_bytes()).map_err(write_err)?;
    file.write_all(body.as_bytes()).map_err(write_err)?;
    file.sync_all().map_err(write_err)?;
    fs::rename(&tmp, path).map_err(write_err)
}

#[cfg(unix)]
fn private_create(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    // A stale temporary file from a crash may have other permissions: remove it first.
    match fs::remove_file(path) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(err),
        _ => {}
    }
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn private_create(path: &Path) -> std::io::Result<fs::File> {
    fs::File::create(path)
}

fn create_private_dir(dir: &Path) -> Result<(), SecretsError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|source| SecretsError::CreateDir {
            path: dir.to_path_buf(),
            source,
        })
}

/// Make an existing secrets file 0600 if group or others may access it.
#[cfg(unix)]
fn tighten_permissions(path: &Path) -> Result<bool, SecretsError> {
    use std::os::unix::fs::PermissionsExt;
    let read_err = |source| SecretsError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mode = fs::metadata(path).map_err(read_err)?.permissions().mode();
    if mode & 0o077 == 0 {
        return Ok(false);
    }
    fs::set_permissions(path, fs::Permissions::from_mode(0o600)).map_err(|source| {
        SecretsError::Write {
            path: path.to_path_buf(),
            source,
        }
    })?;
    Ok(true)
}

#[cfg(not(unix))]
fn tighten_permissions(_path: &Path) -> Result<bool, SecretsError> {
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic stand-in for a CSPRNG: a counter.
    fn counter() -> impl FnMut(&mut [u8]) {
        let mut next = 0u8;
        move |buf: &mut [u8]| {
            for b in buf {
                *b = next;
                next = next.wrapping_add(7);
            }
        }
    }

    #[test]
    fn secrets_use_the_alphabet_and_length() {
        let secret = generate_secret(&mut counter()).unwrap();
        assert_eq!(secret.len(), SECRET_LEN);
        assert!(secret.bytes().all(|b| ALPHABET.contains(&b)));
    }

    #[test]
    fn biased_bytes_are_skipped() {
        // Only 0xFF (rejected) then 0x01: every character must come from 0x01.
        let mut calls = 0;
        let secret = generate_secret(&mut |buf: &mut [u8]| {
            calls += 1;
            buf.fill(if calls < 3 { 0xFF } else { 0x01 });
        })
        .unwrap();
        assert_eq!(secret, "1".repeat(SECRET_LEN));
    }

    #[test]
    fn broken_random_source_is_an_error() {
        let result = generate_secret(&mut |buf: &mut [u8]| buf.fill(0xFF));
        assert!(matches!(result, Err(SecretsError::BadRandom)));
    }
}
