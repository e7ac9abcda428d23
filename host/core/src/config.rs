//! What the engine needs to know about profiles and limits.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;

use witswitch_sdp::{CodecPolicy, CodecPrefs};

use crate::limits::{DEFAULT_MAX_SESSIONS, DEFAULT_SESSIONS_PER_SECOND};

/// FreeSWITCH's default `call_timeout` for bridges, seconds.
pub const DEFAULT_CALL_TIMEOUT_SECS: u64 = 60;
/// Transfers allowed per call before it is hung up with
/// EXCHANGE_ROUTING_ERROR (a dialplan that transfers to itself).
pub const DEFAULT_MAX_TRANSFERS: u32 = 10;

/// The media side of one SIP profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileConfig {
    /// Profile name (`internal`).
    pub name: String,
    /// Routing context for unauthenticated callers (`public`).
    pub context: String,
    /// Codec preference list.
    pub codecs: CodecPrefs,
    /// Whose order wins in negotiation.
    pub codec_policy: CodecPolicy,
    /// Where RTP ports are bound (`rtp-ip`).
    pub rtp_ip: IpAddr,
    /// The address written in SDP when behind NAT (`ext-rtp-ip`).
    pub ext_rtp_ip: Option<IpAddr>,
    /// `telephone-event` payload type offered (101); `None` disables RFC 4733.
    pub telephone_event_pt: Option<u8>,
    /// The host part of channel names (`sofia/internal/1000@<host>`).
    pub host: String,
}

impl ProfileConfig {
    /// A profile with FreeSWITCH-like defaults: greedy negotiation,
    /// telephone-event on 101, no NAT address.
    pub fn new(name: &str, context: &str, codecs: CodecPrefs, rtp_ip: IpAddr) -> Self {
        Self {
            name: name.to_owned(),
            context: context.to_owned(),
            codecs,
            codec_policy: CodecPolicy::Greedy,
            rtp_ip,
            ext_rtp_ip: None,
            telephone_event_pt: Some(101),
            host: rtp_ip.to_string(),
        }
    }

    /// The address for SDP `c=` and `o=`.
    pub fn sdp_ip(&self) -> IpAddr {
        self.ext_rtp_ip.unwrap_or(self.rtp_ip)
    }
}

/// Engine settings; limits can also change at runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineConfig {
    /// Profiles by name.
    pub profiles: HashMap<String, ProfileConfig>,
    /// Gateway name → the profile it lives on.
    pub gateways: HashMap<String, String>,
    /// `max-sessions`.
    pub max_sessions: u32,
    /// `sessions-per-second`.
    pub sessions_per_second: u32,
    /// Transfers allowed per call.
    pub max_transfers: u32,
    /// `call_timeout` when no variable sets one.
    pub default_call_timeout: Duration,
    /// Emit [`crate::ChannelEvent`]s (off saves work when nobody listens).
    pub events: bool,
    /// Global variables (`[vars]`, `global_setvar`): `${name}` in action data
    /// falls back to them when the channel has no such variable, as in FreeSWITCH.
    pub globals: HashMap<String, String>,
}

impl EngineConfig {
    /// Defaults with these profiles.
    pub fn new(profiles: impl IntoIterator<Item = ProfileConfig>) -> Self {
        Self {
            profiles: profiles.into_iter().map(|p| (p.name.clone(), p)).collect(),
            gateways: HashMap::new(),
            max_sessions: DEFAULT_MAX_SESSIONS,
            sessions_per_second: DEFAULT_SESSIONS_PER_SECOND,
            max_transfers: DEFAULT_MAX_TRANSFERS,
            default_call_timeout: Duration::from_secs(DEFAULT_CALL_TIMEOUT_SECS),
            events: true,
            globals: HashMap::new(),
        }
    }
}
