//! The call description a dialplan routes on (mirrors the WIT `call-info`).

/// Everything a dialplan may look at when it routes a call.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CallInfo {
    /// The channel's uuid.
    pub uuid: String,
    /// The SIP profile.
    pub profile: String,
    /// The routing context.
    pub context: String,
    /// `destination_number`.
    pub destination_number: String,
    /// `caller_id_name`.
    pub caller_id_name: String,
    /// `caller_id_number`.
    pub caller_id_number: String,
    /// `network_addr`.
    pub network_addr: String,
    /// Source port of the INVITE.
    pub network_port: u16,
    /// The digest username when authenticated.
    pub username: Option<String>,
    /// `sip_from_user`.
    pub from_user: String,
    /// `sip_from_host`.
    pub from_host: String,
    /// `sip_to_user`.
    pub to_user: String,
    /// `sip_to_host`.
    pub to_host: String,
    /// `sip_call_id`.
    pub sip_call_id: String,
    /// `sip_user_agent`.
    pub user_agent: Option<String>,
    /// Selected INVITE headers.
    pub sip_headers: Vec<(String, String)>,
    /// All channel variables.
    pub variables: Vec<(String, String)>,
}
