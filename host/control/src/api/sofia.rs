//! `sofia status` and `sofia status profile <p> reg` output layouts (tab-separated,
//! right-aligned columns, `=` rulers of 97), from rows the host hands in.

/// The ruler line under headings.
const RULER: &str = "=================================================================================================";

/// What a `sofia status` row describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SofiaRowKind {
    /// A SIP profile (`internal`, `external`).
    Profile,
    /// Another name of a profile (its domain or IP).
    Alias,
    /// A gateway of a profile (`external::carrier`).
    Gateway,
}

impl SofiaRowKind {
    fn label(self) -> &'static str {
        match self {
            Self::Profile => "profile",
            Self::Alias => "alias",
            Self::Gateway => "gateway",
        }
    }
}

/// One row of `sofia status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SofiaStatusRow {
    /// Name column.
    pub name: String,
    /// Type column.
    pub kind: SofiaRowKind,
    /// Data column (profile URL, alias target, gateway URI).
    pub data: String,
    /// State column (`RUNNING (0)`, `ALIASED`, `REGED`, `NOREG`).
    pub state: String,
}

/// The `sofia status` body.
pub fn status(rows: &[SofiaStatusRow]) -> String {
    let mut text = format!(
        "{:>25}\t{:>7}\t{:>42}\t{}\n{RULER}\n",
        "Name", "Type", "Data", "State"
    );
    for row in rows {
        text.push_str(&format!(
            "{:>25}\t{:>7}\t{:>42}\t{}\n",
            row.name,
            row.kind.label(),
            row.data,
            row.state
        ));
    }
    let profiles = rows
        .iter()
        .filter(|r| r.kind == SofiaRowKind::Profile)
        .count();
    let aliases = rows
        .iter()
        .filter(|r| r.kind == SofiaRowKind::Alias)
        .count();
    text.push_str(&format!(
        "{RULER}\n{profiles} profile{} {aliases} alias{}\n",
        if profiles == 1 { "" } else { "s" },
        if aliases == 1 { "" } else { "es" }
    ));
    text
}

/// One registration as `sofia status profile <p> reg` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[allow(missing_docs)]
pub struct RegistrationRecord {
    pub call_id: String,
    /// `user@realm`.
    pub user: String,
    pub contact: String,
    pub agent: String,
    /// `Registered(UDP)(unknown) EXP(2026-11-26 13:22:31) EXPSECS(3657)`.
    pub status: String,
    pub ping_status: String,
    pub ping_time: String,
    pub host: String,
    pub ip: String,
    pub port: String,
    pub auth_user: String,
    pub auth_realm: String,
    pub mwi_account: String,
}

/// The `sofia status profile <p> reg` body.
pub fn registrations(records: &[RegistrationRecord]) -> String {
    let mut text = format!("\nRegistrations:\n{RULER}\n");
    for record in records {
        let lines = [
            ("Call-ID:    ", &record.call_id),
            ("User:       ", &record.user),
            ("Contact:    ", &record.contact),
            ("Agent:      ", &record.agent),
            ("Status:     ", &record.status),
            ("Ping-Status:", &record.ping_status),
            ("Ping-Time:", &record.ping_time),
            ("Host:       ", &record.host),
            ("IP:         ", &record.ip),
            ("Port:       ", &record.port),
            ("Auth-User:  ", &record.auth_user),
            ("Auth-Realm: ", &record.auth_realm),
            ("MWI-Account:", &record.mwi_account),
        ];
        for (label, value) in lines {
            text.push_str(&format!("{label}\t{value}\n"));
        }
        text.push('\n');
    }
    text.push_str(&format!(
        "Total items returned: {}\n{RULER}\n",
        records.len()
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plural_forms() {
        let text = status(&[]);
        assert!(text.ends_with("0 profiles 0 aliases\n"), "{text}");
        // Gateways are listed but not counted (mod_sofia counts profiles and aliases).
        let row = |name: &str, kind| SofiaStatusRow {
            name: name.into(),
            kind,
            data: String::new(),
            state: String::new(),
        };
        let text = status(&[
            row("127.0.0.1", SofiaRowKind::Alias),
            row("internal", SofiaRowKind::Profile),
            row("internal::carrier", SofiaRowKind::Gateway),
        ]);
        assert!(text.ends_with("1 profile 1 alias\n"), "{text}");
        assert!(registrations(&[]).ends_with("Total items returned: 0\n=================================================================================================\n"));
    }
}
