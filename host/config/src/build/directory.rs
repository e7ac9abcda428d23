//! `directory/*.toml`: one domain per file, its `[defaults]` and `[users.<id>]`.

use std::collections::BTreeMap;
use std::ops::Range;

use super::FileCtx;
use super::scripts::check_context;
use crate::directory::{Credential, DigestAlgorithm, Directory, User};
use crate::error::{ConfigDiagnostic, Location, Problem};
use crate::profile::HostPort;
use crate::raw::{DirectoryFile, NAMED_USER_VARIABLES, Text, UserTable};
use crate::scripts::ScriptSettings;

/// FreeSWITCH's `default_password`, shared by its example users.
pub(crate) const EXAMPLE_PASSWORD: &str = "1234";

/// The directory being built across files.
#[derive(Default)]
pub(crate) struct DirectoryBuild {
    pub directory: Directory,
    /// Where each user was defined, to report duplicates.
    defined_at: BTreeMap<(String, String), Location>,
    /// Users with the example password, and where it is set.
    pub example_passwords: Vec<(String, Location)>,
}

impl DirectoryBuild {
    pub fn add_file(
        &mut self,
        cx: &mut FileCtx<'_>,
        raw: &DirectoryFile,
        scripts: Option<&ScriptSettings>,
    ) {
        let Some(domain) = domain_name(cx, &raw.domain.name) else {
            return;
        };
        self.directory.add_domain(&domain);
        let empty = UserTable::default();
        let defaults = match &raw.defaults {
            Some(d) => shared_defaults(cx, d.get_ref()),
            None => &empty,
        };
        for (id, table) in &raw.users {
            let section = format!("users.{id}");
            let mark = cx.mark();
            if !valid_user_id(id) {
                cx.report(&table.span(), "users", id, Problem::BadName(id.clone()));
                continue;
            }
            let user = build_user(
                cx,
                id,
                &domain,
                table.get_ref(),
                defaults,
                &section,
                scripts,
            );
            if cx.failed_since(mark) {
                continue;
            }
            let location = cx.at(&table.span());
            let key = (domain.clone(), id.clone());
            if let Some(first) = self.defined_at.get(&key) {
                cx.diags.push(ConfigDiagnostic::at(
                    location,
                    Problem::AlreadyDefined {
                        what: format!("user {id}@{domain}"),
                        first: first.clone(),
                    },
                ));
                continue;
            }
            if let (Some(Credential::Password(p)), Some(raw_pw)) =
                (&user.credential, &table.get_ref().password)
                && p == EXAMPLE_PASSWORD
            {
                self.example_passwords
                    .push((user.address(), cx.at(&raw_pw.span())));
            }
            self.defined_at.insert(key, location);
            self.directory.insert(user);
        }
    }
}

/// `[defaults]` may hold anything a user may, except a credential: one password
/// for every user is exactly the hazard this design avoids.
fn shared_defaults<'a>(cx: &mut FileCtx<'_>, defaults: &'a UserTable) -> &'a UserTable {
    for (value, key) in [
        (&defaults.password, "password"),
        (&defaults.a1_hash, "a1-hash"),
    ] {
        if let Some(value) = value {
            cx.report(&value.span(), "defaults", key, Problem::SharedPassword);
        }
    }
    defaults
}

fn domain_name(cx: &mut FileCtx<'_>, name: &Text) -> Option<String> {
    let text = cx.text(name, "domain", "name")?;
    match HostPort::parse(&text) {
        Some(hp) if hp.port.is_none() => Some(hp.host),
        _ => {
            cx.report(&name.span(), "domain", "name", Problem::BadHostPort(text));
            None
        }
    }
}

/// SIP user names: no separators that would break a URI or the digest A1 string.
fn valid_user_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"@:\"<>;?,/\\".contains(c))
}

fn build_user(
    cx: &mut FileCtx<'_>,
    id: &str,
    domain: &str,
    raw: &UserTable,
    defaults: &UserTable,
    section: &str,
    scripts: Option<&ScriptSettings>,
) -> User {
    let credential = credential(cx, raw, section);
    // A user's own value wins over `[defaults]`; errors point at whichever is used.
    let mut field = |own: &Option<Text>, shared: &Option<Text>, key: &str| match (own, shared) {
        (Some(v), _) => cx.text(v, section, key),
        (None, Some(v)) => cx.text(v, "defaults", key),
        (None, None) => None,
    };
    let (r, d) = (raw, defaults);
    let mut user = User {
        id: id.to_owned(),
        domain: domain.to_owned(),
        credential,
        effective_caller_id_name: field(
            &r.effective_caller_id_name,
            &d.effective_caller_id_name,
            "effective_caller_id_name",
        ),
        effective_caller_id_number: field(
            &r.effective_caller_id_number,
            &d.effective_caller_id_number,
            "effective_caller_id_number",
        ),
        outbound_caller_id_name: field(
            &r.outbound_caller_id_name,
            &d.outbound_caller_id_name,
            "outbound_caller_id_name",
        ),
        outbound_caller_id_number: field(
            &r.outbound_caller_id_number,
            &d.outbound_caller_id_number,
            "outbound_caller_id_number",
        ),
        user_context: field(&r.user_context, &d.user_context, "user_context"),
        accountcode: field(&r.accountcode, &d.accountcode, "accountcode"),
        toll_allow: field(&r.toll_allow, &d.toll_allow, "toll_allow"),
        variables: BTreeMap::new(),
    };
    if let (Some(scripts), Some(context)) = (scripts, &user.user_context) {
        let (span, sect) = match (&r.user_context, &d.user_context) {
            (Some(v), _) => (v.span(), section),
            (None, Some(v)) => (v.span(), "defaults"),
            (None, None) => (Range::default(), section),
        };
        check_context(cx, scripts, &span, context, sect, "user_context");
    }
    let tables = [
        (&d.variables, "defaults.variables".to_owned()),
        (&r.variables, format!("{section}.variables")),
    ];
    for (table, sect) in tables {
        for (name, value) in table {
            if NAMED_USER_VARIABLES.contains(&name.as_str()) {
                let problem = Problem::ReservedVariable(name.clone());
                cx.report(&value.span(), &sect, name, problem);
            }
        }
        user.variables.extend(cx.var_table(table, &sect));
    }
    user
}

fn credential(cx: &mut FileCtx<'_>, raw: &UserTable, section: &str) -> Option<Credential> {
    match (&raw.password, &raw.a1_hash) {
        (Some(_), Some(hash)) => {
            cx.report(&hash.span(), section, "a1-hash", Problem::PasswordAndA1Hash);
            None
        }
        (Some(password), None) => {
            let text = cx.text(password, section, "password")?;
            if text.is_empty() {
                cx.report(&password.span(), section, "password", Problem::Empty);
                return None;
            }
            Some(Credential::Password(text))
        }
        (None, Some(hash)) => {
            let text = cx.text(hash, section, "a1-hash")?.to_ascii_lowercase();
            let algorithm = match text.len() {
                32 => Some(DigestAlgorithm::Md5),
                64 => Some(DigestAlgorithm::Sha256),
                _ => None,
            };
            match algorithm.filter(|_| text.bytes().all(|b| b.is_ascii_hexdigit())) {
                Some(algorithm) => Some(Credential::A1Hash {
                    hex: text,
                    algorithm,
                }),
                None => {
                    cx.report(&hash.span(), section, "a1-hash", Problem::BadA1Hash);
                    None
                }
            }
        }
        (None, None) => None,
    }
}
