//! A test configuration: profile `internal` on 127.0.0.1 with a free port, UDP and TCP,
//! users 1000-1199 with explicit per-test passwords, written as a `conf/` folder.

use std::fs;
use std::path::Path;

/// What a test may vary; `write` turns it into files.
#[derive(Debug, Clone)]
pub struct TestConf {
    /// SIP port of profile `internal` (UDP and TCP).
    pub port: u16,
    /// Auth failures from one address that start a ban.
    pub ban_after_failures: u32,
    /// Directory users: 1000 .. 1000 + users.
    pub users: u32,
    /// CIDRs denied by the profile's register ACL (the rest is allowed).
    pub register_deny: Vec<String>,
}

impl TestConf {
    /// Defaults: a free port, 200 users, a ban threshold no test reaches by accident.
    pub fn new() -> TestConf {
        TestConf {
            port: super::free_port(),
            ban_after_failures: 1000,
            users: 200,
            register_deny: Vec::new(),
        }
    }

    /// The password of `user` (explicit test secrets; never the shipped defaults).
    pub fn password(&self, user: u32) -> String {
        format!("test-{user}-{}", self.port)
    }

    /// Writes the configuration folder.
    pub fn write(&self, dir: &Path) {
        fs::create_dir_all(dir.join("profiles")).expect("conf/profiles");
        fs::create_dir_all(dir.join("directory")).expect("conf/directory");
        fs::write(dir.join("witswitch.toml"), "[core]\nmax-sessions = 100\n").expect("main file");
        // Every context needs a dialplan script entry; no call reaches it in these tests.
        fs::write(
            dir.join("scripts.toml"),
            "[contexts]\npublic = \"dialplan\"\n\n[scripts.dialplan]\nworld = \"dialplan\"\n",
        )
        .expect("scripts file");
        let deny: Vec<String> = self
            .register_deny
            .iter()
            .map(|c| format!("{c:?}"))
            .collect();
        fs::write(
            dir.join("acl.toml"),
            format!(
                "[lists.test-register]\ndefault = \"allow\"\ndeny = [{}]\n",
                deny.join(", ")
            ),
        )
        .expect("acl file");
        fs::write(
            dir.join("profiles/internal.toml"),
            format!(
                "[profile]\n\
                 sip-ip = \"127.0.0.1\"\n\
                 sip-port = {port}\n\
                 transports = [\"udp\", \"tcp\"]\n\
                 context = \"public\"\n\
                 domain = \"127.0.0.1\"\n\
                 log-auth-failures = true\n\
                 apply-register-acl = \"test-register\"\n\
                 \n\
                 [auth-ban]\n\
                 enabled = true\n\
                 max-failures = {ban}\n\
                 window-sec = 60\n\
                 ban-sec = 600\n",
                port = self.port,
                ban = self.ban_after_failures,
            ),
        )
        .expect("profile file");
        let mut users = String::from("[domain]\nname = \"127.0.0.1\"\n");
        for user in 1000..1000 + self.users {
            users.push_str(&format!(
                "\n[users.\"{user}\"]\npassword = \"{}\"\neffective_caller_id_name = \"Extension {user}\"\n",
                self.password(user)
            ));
        }
        fs::write(dir.join("directory/default.toml"), users).expect("directory file");
    }
}
