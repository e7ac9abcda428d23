//! What changed between two loaded configurations, for the reload reply
//! (`reloadxml` says what it applied and what needs a restart).

use std::collections::BTreeMap;
use std::fmt;

use crate::acl::AclList;
use crate::config::Config;
use crate::directory::User;
use crate::profile::{Gateway, Profile};

/// Names added, removed and changed in one part of the configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Present only in the new configuration.
    pub added: Vec<String>,
    /// Present only in the old configuration.
    pub removed: Vec<String>,
    /// Present in both, different.
    pub changed: Vec<String>,
}

impl Changes {
    /// True if nothing was added, removed or changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }

    fn between<V: PartialEq>(old: &BTreeMap<String, V>, new: &BTreeMap<String, V>) -> Changes {
        let mut changes = Changes::default();
        for (name, value) in new {
            match old.get(name) {
                None => changes.added.push(name.clone()),
                Some(previous) if previous != value => changes.changed.push(name.clone()),
                Some(_) => {}
            }
        }
        changes.removed = old
            .keys()
            .filter(|k| !new.contains_key(*k))
            .cloned()
            .collect();
        changes
    }
}

impl fmt::Display for Changes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let items = self
            .added
            .iter()
            .map(|n| format!("+{n}"))
            .chain(self.changed.iter().map(|n| format!("~{n}")))
            .chain(self.removed.iter().map(|n| format!("-{n}")));
        f.write_str(&items.collect::<Vec<_>>().join(" "))
    }
}

/// Everything that differs between two configurations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigDiff {
    /// Switch-wide tables that changed: any of `core`, `event-socket`, `cdr`,
    /// `scripts-runtime` (folder, default limits, HTTP settings).
    pub settings: Vec<&'static str>,
    /// Global variables.
    pub vars: Changes,
    /// Profiles by name (their own settings, gateways aside).
    pub profiles: Changes,
    /// Gateways by name.
    pub gateways: Changes,
    /// Users as `id@domain`.
    pub users: Changes,
    /// ACL lists by name.
    pub acls: Changes,
    /// Scripts by name.
    pub scripts: Changes,
    /// Context to dialplan mapping, by context.
    pub contexts: Changes,
}

impl ConfigDiff {
    /// True when the two configurations are the same.
    pub fn is_empty(&self) -> bool {
        self.settings.is_empty()
            && [
                &self.vars,
                &self.profiles,
                &self.gateways,
                &self.users,
                &self.acls,
                &self.scripts,
                &self.contexts,
            ]
            .iter()
            .all(|c| c.is_empty())
    }

    fn parts(&self) -> [(&'static str, &Changes); 7] {
        [
            ("vars", &self.vars),
            ("profiles", &self.profiles),
            ("gateways", &self.gateways),
            ("users", &self.users),
            ("acls", &self.acls),
            ("scripts", &self.scripts),
            ("contexts", &self.contexts),
        ]
    }
}

/// One line per part that changed, e.g. `profiles: +lab ~internal -old`;
/// `no changes` when there are none.
impl fmt::Display for ConfigDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("no changes");
        }
        let mut lines = Vec::new();
        if !self.settings.is_empty() {
            lines.push(format!("settings: ~{}", self.settings.join(" ~")));
        }
        for (name, changes) in self.parts() {
            if !changes.is_empty() {
                lines.push(format!("{name}: {changes}"));
            }
        }
        f.write_str(&lines.join("\n"))
    }
}

/// Compare two configurations.
pub fn diff(old: &Config, new: &Config) -> ConfigDiff {
    let mut settings = Vec::new();
    if old.core != new.core {
        settings.push("core");
    }
    if old.event_socket != new.event_socket {
        settings.push("event-socket");
    }
    if old.cdr != new.cdr {
        settings.push("cdr");
    }
    let (o, n) = (&old.scripts, &new.scripts);
    if o.folder != n.folder || o.limits != n.limits || o.http != n.http {
        settings.push("scripts-runtime");
    }
    ConfigDiff {
        settings,
        vars: Changes::between(&old.vars, &new.vars),
        profiles: Changes::between(&profiles(old), &profiles(new)),
        gateways: Changes::between(&gateways(old), &gateways(new)),
        users: Changes::between(&users(old), &users(new)),
        acls: Changes::between(&acls(old), &acls(new)),
        scripts: Changes::between(&o.scripts, &n.scripts),
        contexts: Changes::between(&o.contexts, &n.contexts),
    }
}

/// Profiles by name with their gateways left out (those are compared on their own).
fn profiles(c: &Config) -> BTreeMap<String, Profile> {
    c.profiles
        .iter()
        .map(|p| {
            let mut own = p.clone();
            own.gateways.clear();
            (p.name.clone(), own)
        })
        .collect()
}

/// Gateways by name, with the profile they are on.
fn gateways(c: &Config) -> BTreeMap<String, (&str, &Gateway)> {
    c.profiles
        .iter()
        .flat_map(|p| {
            p.gateways
                .iter()
                .map(move |g| (g.name.clone(), (p.name.as_str(), g)))
        })
        .collect()
}

fn users(c: &Config) -> BTreeMap<String, &User> {
    c.directory.users().map(|u| (u.address(), u)).collect()
}

fn acls(c: &Config) -> BTreeMap<String, &AclList> {
    c.acls.iter().map(|l| (l.name.clone(), l)).collect()
}
