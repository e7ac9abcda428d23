//! Settings of a [`UserAgent`](super::UserAgent).

use std::net::{IpAddr, Ipv4Addr};

use crate::transaction::TimerConfig;
use crate::uri::Host;

/// Methods a witswitch dialog accepts, for `Allow` (RFC 3261 §20.5).
pub const DEFAULT_ALLOW: [&str; 6] = ["INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "INFO"];

/// How the user agent presents itself and times its own retransmissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UaConfig {
    /// Host written into Via sent-by and Contact: the profile's `sip-ip`, or its
    /// `ext-sip-ip` behind NAT (what the peer must use to reach us).
    pub host: Host,
    /// Port written into Via sent-by and Contact.
    pub port: u16,
    /// T1 and T2: the 2xx retransmission schedule (T1 doubling up to T2, RFC 3261
    /// §13.3.1.4) and the ACK wait of 64*T1. Use the transaction layer's values.
    pub timers: TimerConfig,
    /// `User-Agent` on requests and `Server` on responses; `None` sends neither.
    pub user_agent: Option<String>,
    /// Methods for `Allow` on INVITEs, 2xx answers and in-dialog OPTIONS answers.
    pub allow: Vec<String>,
    /// Option tags for `Supported`; empty sends none.
    pub supported: Vec<String>,
}

impl Default for UaConfig {
    fn default() -> Self {
        UaConfig {
            host: Host::from(IpAddr::V4(Ipv4Addr::LOCALHOST)),
            port: 5060,
            timers: TimerConfig::default(),
            user_agent: Some(format!("witswitch/{}", env!("CARGO_PKG_VERSION"))),
            allow: DEFAULT_ALLOW.iter().map(|m| (*m).to_owned()).collect(),
            supported: Vec::new(),
        }
    }
}
