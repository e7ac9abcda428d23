//! A gateway's settings as a plain struct (the binary maps `conf/` onto it; this crate
//! does not depend on the config crate).

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use crate::headers::Transport;
use crate::uac_auth::ClientCredentials;
use crate::uri::Host;

/// One outbound gateway (FreeSWITCH `<gateway>` params, same names and defaults).
#[derive(Clone, PartialEq, Eq)]
pub struct GatewaySettings {
    /// Gateway name (`sofia/gateway/<name>/...`), a SIP token.
    pub name: String,
    /// Digest realm; also the default proxy and From domain.
    pub realm: String,
    /// `host[:port]` of the proxy, as written in Request-URIs (FreeSWITCH `proxy`,
    /// default: the realm).
    pub proxy: String,
    /// The proxy's socket address, resolved by the binary (DNS is not sans-IO).
    pub proxy_addr: SocketAddr,
    /// Transport for REGISTER, OPTIONS and calls (`register-transport`).
    pub transport: Transport,
    /// Digest username.
    pub username: Option<String>,
    /// Digest password.
    pub password: Option<String>,
    /// Keep a registration up (`register`).
    pub register: bool,
    /// Registration expiry asked for, seconds (`expire-seconds`, 3600).
    pub expire_seconds: u32,
    /// Wait after a failed registration, seconds (`retry-seconds`, 30).
    pub retry_seconds: u32,
    /// User part of From (`from-user`, default: the username).
    pub from_user: Option<String>,
    /// Host part of From (`from-domain`, default: the realm).
    pub from_domain: Option<String>,
    /// Put the caller's number in the From user of calls (`caller-id-in-from`).
    pub caller_id_in_from: bool,
    /// OPTIONS keepalive interval (`ping`); `None` never pings.
    pub ping: Option<Duration>,
    /// Our host for Via and Contact (the profile's sip-ip or ext-sip-ip).
    pub local_host: Host,
    /// Our port for Via and Contact.
    pub local_port: u16,
    /// User-Agent header; `None` sends none.
    pub user_agent: Option<String>,
}

/// Defaults of FreeSWITCH's gateway params.
pub const DEFAULT_EXPIRE_SECONDS: u32 = 3600;
/// Defaults of FreeSWITCH's gateway params.
pub const DEFAULT_RETRY_SECONDS: u32 = 30;

impl GatewaySettings {
    /// A registering gateway with FreeSWITCH's defaults: proxy = realm, UDP, expire
    /// 3600 s, retry 30 s, no ping.
    pub fn new(
        name: impl Into<String>,
        realm: impl Into<String>,
        proxy_addr: SocketAddr,
        local_host: Host,
        local_port: u16,
    ) -> GatewaySettings {
        let realm = realm.into();
        GatewaySettings {
            name: name.into(),
            proxy: realm.clone(),
            realm,
            proxy_addr,
            transport: Transport::Udp,
            username: None,
            password: None,
            register: true,
            expire_seconds: DEFAULT_EXPIRE_SECONDS,
            retry_seconds: DEFAULT_RETRY_SECONDS,
            from_user: None,
            from_domain: None,
            caller_id_in_from: false,
            ping: None,
            local_host,
            local_port,
            user_agent: Some(format!("witswitch/{}", env!("CARGO_PKG_VERSION"))),
        }
    }

    /// The username/password pair, when both are set.
    pub fn credentials(&self) -> Option<ClientCredentials> {
        Some(ClientCredentials::new(
            self.username.clone()?,
            self.password.clone()?,
        ))
    }

    /// The From user: `from-user`, else the username, else the gateway name.
    pub fn effective_from_user(&self) -> &str {
        self.from_user
            .as_deref()
            .or(self.username.as_deref())
            .unwrap_or(&self.name)
    }

    /// The From host: `from-domain`, else the realm.
    pub fn effective_from_domain(&self) -> &str {
        self.from_domain.as_deref().unwrap_or(&self.realm)
    }
}

impl fmt::Debug for GatewaySettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GatewaySettings")
            .field("name", &self.name)
            .field("realm", &self.realm)
            .field("proxy", &self.proxy)
            .field("proxy_addr", &self.proxy_addr)
            .field("transport", &self.transport)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("register", &self.register)
            .field("expire_seconds", &self.expire_seconds)
            .field("retry_seconds", &self.retry_seconds)
            .field("from_user", &self.from_user)
            .field("from_domain", &self.from_domain)
            .field("caller_id_in_from", &self.caller_id_in_from)
            .field("ping", &self.ping)
            .field("local_host", &self.local_host)
            .field("local_port", &self.local_port)
            .finish()
    }
}
