//! The files exactly as written: serde shapes with spans, before variable expansion
//! and validation. Every table refuses unknown keys. Key names follow FreeSWITCH's
//! parameter names (kebab-case); user variables keep FreeSWITCH's snake_case names.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::acl::Decision;
use crate::core::LogLevel;
use crate::profile::Transport;
use crate::scripts::World;

/// A string value with its position; `${var}` is expanded later.
pub(crate) type Text = Spanned<String>;
/// A number with its position.
pub(crate) type Num<T> = Spanned<T>;

/// `witswitch.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct MainFile {
    #[serde(default)]
    pub vars: BTreeMap<String, Text>,
    #[serde(default)]
    pub core: CoreTable,
    #[serde(default)]
    pub event_socket: EventSocketTable,
    #[serde(default)]
    pub cdr: CdrTable,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct CoreTable {
    pub max_sessions: Option<Num<u32>>,
    pub sessions_per_second: Option<Num<u32>>,
    pub log_level: Option<LogLevel>,
    pub state_dir: Option<Text>,
    pub rtp_start_port: Option<Num<u16>>,
    pub rtp_end_port: Option<Num<u16>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct EventSocketTable {
    pub listen_ip: Option<Text>,
    pub listen_port: Option<Num<u16>>,
    pub password: Option<Text>,
    pub apply_inbound_acl: Option<Text>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct CdrTable {
    pub path: Option<Text>,
    pub max_file_bytes: Option<Num<u64>>,
    pub keep_files: Option<Num<u32>>,
}

/// `acl.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct AclFile {
    #[serde(default)]
    pub lists: BTreeMap<String, Spanned<AclListTable>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct AclListTable {
    pub default: Decision,
    #[serde(default)]
    pub allow: Vec<Text>,
    #[serde(default)]
    pub deny: Vec<Text>,
}

/// `scripts.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ScriptsFile {
    #[serde(default)]
    pub runtime: RuntimeTable,
    #[serde(default)]
    pub http: HttpTable,
    #[serde(default)]
    pub contexts: BTreeMap<String, Text>,
    #[serde(default)]
    pub scripts: BTreeMap<String, Spanned<ScriptTable>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RuntimeTable {
    pub folder: Option<Text>,
    pub memory_limit_mib: Option<Num<u32>>,
    pub route_deadline_ms: Option<Num<u64>>,
    pub app_cpu_limit_ms: Option<Num<u64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct HttpTable {
    pub connect_timeout_ms: Option<Num<u64>>,
    pub timeout_ms: Option<Num<u64>>,
    pub max_response_bytes: Option<Num<u64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ScriptTable {
    pub world: World,
    pub file: Option<Text>,
    #[serde(default)]
    pub http_allow: Vec<Text>,
    pub memory_limit_mib: Option<Num<u32>>,
    pub route_deadline_ms: Option<Num<u64>>,
    pub app_cpu_limit_ms: Option<Num<u64>>,
    #[serde(default)]
    pub vars: BTreeMap<String, Text>,
}

/// `profiles/<name>.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ProfileFile {
    pub profile: Spanned<ProfileTable>,
    #[serde(default)]
    pub registration: RegistrationTable,
    #[serde(default)]
    pub auth_ban: AuthBanTable,
    #[serde(default)]
    pub gateways: BTreeMap<String, Spanned<GatewayTable>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ProfileTable {
    pub sip_ip: Text,
    pub sip_port: Num<u16>,
    pub transports: Option<Spanned<Vec<Spanned<Transport>>>>,
    pub context: Text,
    pub domain: Option<Text>,
    pub auth_calls: Option<bool>,
    pub disable_register: Option<bool>,
    pub apply_inbound_acl: Option<Text>,
    pub apply_register_acl: Option<Text>,
    pub log_auth_failures: Option<bool>,
    pub nonce_ttl: Option<Num<u32>>,
    pub codec_prefs: Option<Text>,
    pub rtp_ip: Option<Text>,
    pub ext_sip_ip: Option<Text>,
    pub ext_rtp_ip: Option<Text>,
    pub rtp_timeout_sec: Option<u32>,
    pub timer_t1_ms: Option<Num<u64>>,
    pub timer_t2_ms: Option<Num<u64>>,
    pub timer_t4_ms: Option<Num<u64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RegistrationTable {
    pub min_expires: Option<Num<u32>>,
    pub default_expires: Option<Num<u32>>,
    pub max_expires: Option<Num<u32>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct AuthBanTable {
    pub enabled: Option<bool>,
    pub max_failures: Option<Num<u32>>,
    pub window_sec: Option<Num<u64>>,
    pub ban_sec: Option<Num<u64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct GatewayTable {
    pub realm: Text,
    pub proxy: Option<Text>,
    pub username: Option<Text>,
    pub password: Option<Text>,
    pub register: Option<bool>,
    pub register_transport: Option<Transport>,
    pub expire_seconds: Option<Num<u32>>,
    pub retry_seconds: Option<Num<u32>>,
    pub from_user: Option<Text>,
    pub from_domain: Option<Text>,
    pub caller_id_in_from: Option<bool>,
    pub ping: Option<Num<u64>>,
    pub context: Option<Text>,
}

/// `directory/*.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct DirectoryFile {
    pub domain: DomainTable,
    pub defaults: Option<Spanned<UserTable>>,
    #[serde(default)]
    pub users: BTreeMap<String, Spanned<UserTable>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct DomainTable {
    pub name: Text,
}

/// A user; also the shape of `[defaults]` (where passwords are refused).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserTable {
    pub password: Option<Text>,
    #[serde(rename = "a1-hash")]
    pub a1_hash: Option<Text>,
    pub effective_caller_id_name: Option<Text>,
    pub effective_caller_id_number: Option<Text>,
    pub outbound_caller_id_name: Option<Text>,
    pub outbound_caller_id_number: Option<Text>,
    pub user_context: Option<Text>,
    pub accountcode: Option<Text>,
    pub toll_allow: Option<Text>,
    #[serde(default)]
    pub variables: BTreeMap<String, Text>,
}

/// Names a free user variable may not take because they have their own key.
pub(crate) const NAMED_USER_VARIABLES: [&str; 7] = [
    "effective_caller_id_name",
    "effective_caller_id_number",
    "outbound_caller_id_name",
    "outbound_caller_id_number",
    "user_context",
    "accountcode",
    "toll_allow",
];
