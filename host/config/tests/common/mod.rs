//! A small configuration folder in a temporary directory, valid as written, that a
//! test changes one file of and then checks.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use tempfile::TempDir;
use witswitch_config::{Config, ConfigDiagnostic};

pub const MAIN: &str = "\
[vars]
domain = \"example.test\"
";

pub const SCRIPTS: &str = "\
[contexts]
default = \"dp\"
public = \"dp\"

[scripts.dp]
world = \"dialplan\"

[scripts.ivr]
world = \"app\"
";

pub const INTERNAL: &str = "\
[profile]
sip-ip = \"127.0.0.1\"
sip-port = 5060
context = \"public\"
";

pub const DIRECTORY: &str = "\
[domain]
name = \"${domain}\"

[users.1000]
password = \"correct-horse\"
user_context = \"default\"
";

/// A config folder in a temporary directory.
pub struct Conf {
    pub tmp: TempDir,
}

impl Conf {
    /// Main file, scripts, profile `internal` and one user: loads cleanly.
    pub fn minimal() -> Conf {
        let conf = Conf {
            tmp: tempfile::tempdir().expect("temp dir"),
        };
        conf.write("witswitch.toml", MAIN);
        conf.write("scripts.toml", SCRIPTS);
        conf.write("profiles/internal.toml", INTERNAL);
        conf.write("directory/default.toml", DIRECTORY);
        conf
    }

    pub fn dir(&self) -> &Path {
        self.tmp.path()
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir().join(relative)
    }

    /// Write (or replace) a file, creating folders.
    pub fn write(&self, relative: &str, text: &str) {
        let path = self.path(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        fs::write(path, text).expect("write");
    }

    pub fn remove(&self, relative: &str) {
        let path = self.path(relative);
        if path.is_dir() {
            fs::remove_dir_all(path).expect("rm -r");
        } else {
            fs::remove_file(path).expect("rm");
        }
    }

    /// Every diagnostic as displayed, with the temporary folder prefix removed.
    pub fn lines(&self) -> Vec<String> {
        let prefix = format!("{}/", self.dir().display());
        Config::check(self.dir())
            .iter()
            .map(|d| d.to_string().replace(&prefix, ""))
            .collect()
    }

    pub fn diagnostics(&self) -> Vec<ConfigDiagnostic> {
        Config::check(self.dir())
    }

    /// Exactly one diagnostic, displayed as `expected`.
    #[track_caller]
    pub fn assert_error(&self, expected: &str) {
        assert_eq!(self.lines(), [expected]);
    }

    #[track_caller]
    pub fn load(&self) -> Config {
        match Config::load(self.dir()) {
            Ok(config) => config,
            Err(err) => panic!("expected a clean load:\n{err}"),
        }
    }
}
