//! The requests a gateway sends: REGISTER (RFC 3261 §10.2), OPTIONS pings (§11), and
//! the outline of an outbound call through it.

use crate::dialog::{OutgoingInvite, PeerRouting};
use crate::headers::{CSeq, NameAddr, Transport, Via};
use crate::message::{HeaderName, Method, Request};
use crate::uri::{Host, SipUri, Uri, UriError};

use super::settings::GatewaySettings;

/// Max-Forwards on gateway requests (RFC 3261 §8.1.1.6).
const MAX_FORWARDS: &str = "70";

/// The fixed parts of a gateway's requests, derived once from its settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct GatewayAddresses {
    /// `sip:<proxy>`: the Request-URI of REGISTER and OPTIONS (the proxy, which
    /// defaults to the realm, as FreeSWITCH's gateways do).
    pub(super) request_uri: Uri,
    /// `sip:<from-user>@<from-domain>`: From and To of REGISTER (§10.2: To is the
    /// address of record, From the same for a self-registration).
    pub(super) aor: NameAddr,
    /// `sip:gw+<name>@<local host>:<port>;gw=<name>`: the Contact we register, so that
    /// calls from the carrier name the gateway (FreeSWITCH's convention).
    pub(super) contact: SipUri,
}

impl GatewayAddresses {
    pub(super) fn new(settings: &GatewaySettings) -> Result<GatewayAddresses, UriError> {
        let request_uri = Uri::parse(&format!("sip:{}", settings.proxy))?;
        let aor = Uri::parse(&format!(
            "sip:{}@{}",
            settings.effective_from_user(),
            settings.effective_from_domain()
        ))?;
        let mut contact = SipUri::new(settings.local_host.clone());
        contact.user = Some(format!("gw+{}", settings.name));
        contact.port = Some(settings.local_port);
        if settings.transport != Transport::Udp {
            contact.params.set(
                "transport",
                Some(&settings.transport.as_str().to_ascii_lowercase()),
            );
        }
        contact.params.set("gw", Some(&settings.name));
        // Validate the Contact as it will print (a name with spaces would not parse).
        Uri::parse(&contact.to_string())?;
        Ok(GatewayAddresses {
            request_uri,
            aor: NameAddr::new(aor),
            contact,
        })
    }
}

/// What varies between two REGISTERs of one gateway.
#[derive(Debug, Clone)]
pub(super) struct RegisterParts<'a> {
    pub(super) branch: &'a str,
    pub(super) call_id: &'a str,
    pub(super) from_tag: &'a str,
    pub(super) cseq: u32,
    pub(super) expires: u32,
}

fn via(settings: &GatewaySettings, branch: &str) -> Via {
    let mut via = Via::new(
        settings.transport.clone(),
        settings.local_host.clone(),
        Some(settings.local_port),
        branch,
    );
    via.params.push("rport", None);
    via
}

/// A REGISTER for the gateway's binding; `expires` 0 removes it (§10.2.2).
pub(super) fn register(
    settings: &GatewaySettings,
    addresses: &GatewayAddresses,
    parts: &RegisterParts<'_>,
) -> Request {
    let mut request = Request::new(Method::Register, addresses.request_uri.clone());
    let headers = &mut request.headers;
    headers.push(HeaderName::Via, via(settings, parts.branch).to_string());
    headers.push(HeaderName::MaxForwards, MAX_FORWARDS);
    let mut from = addresses.aor.clone();
    from.set_tag(parts.from_tag);
    headers.push(HeaderName::From, from.to_string());
    headers.push(HeaderName::To, addresses.aor.to_string());
    headers.push(HeaderName::CallId, parts.call_id);
    headers.push(
        HeaderName::CSeq,
        CSeq::new(parts.cseq, Method::Register).to_string(),
    );
    headers.push(
        HeaderName::Contact,
        NameAddr::new(Uri::Sip(addresses.contact.clone())).to_string(),
    );
    headers.push(HeaderName::Expires, parts.expires.to_string());
    if let Some(agent) = &settings.user_agent {
        headers.push(HeaderName::UserAgent, agent.clone());
    }
    request
}

/// An OPTIONS ping to the proxy: its own Call-ID and tag, CSeq 1.
pub(super) fn options_ping(
    settings: &GatewaySettings,
    addresses: &GatewayAddresses,
    branch: &str,
    call_id: &str,
    from_tag: &str,
) -> Request {
    let mut request = Request::new(Method::Options, addresses.request_uri.clone());
    let headers = &mut request.headers;
    headers.push(HeaderName::Via, via(settings, branch).to_string());
    headers.push(HeaderName::MaxForwards, MAX_FORWARDS);
    let mut from = addresses.aor.clone();
    from.set_tag(from_tag);
    headers.push(HeaderName::From, from.to_string());
    headers.push(
        HeaderName::To,
        NameAddr::new(addresses.request_uri.clone()).to_string(),
    );
    headers.push(HeaderName::CallId, call_id);
    headers.push(HeaderName::CSeq, CSeq::new(1, Method::Options).to_string());
    if let Some(agent) = &settings.user_agent {
        headers.push(HeaderName::UserAgent, agent.clone());
    }
    request
}

/// The caller of an outbound call, for From.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallerId<'a> {
    /// Display name (`effective_caller_id_name`).
    pub name: Option<&'a str>,
    /// Number (`effective_caller_id_number`).
    pub number: &'a str,
}

/// `sofia/gateway/<name>/<number>`: Request-URI `sip:<number>@<proxy>`, To
/// `sip:<number>@<realm>`, From `sip:<from-user>@<from-domain>` (or the caller's number
/// as user with `caller-id-in-from`), the caller's name as display name, sent to the
/// proxy with the gateway's credentials for 401/407.
pub(super) fn invite_outline(
    settings: &GatewaySettings,
    addresses: &GatewayAddresses,
    number: &str,
    caller: Option<CallerId<'_>>,
) -> Result<OutgoingInvite, UriError> {
    let proxy_host = match &addresses.request_uri {
        Uri::Sip(uri) => uri_hostport(&uri.host, uri.port),
        other => other.to_string(),
    };
    let target = Uri::parse(&format!("sip:{number}@{proxy_host}"))?;
    let to = NameAddr::new(Uri::parse(&format!("sip:{number}@{}", settings.realm))?);
    let from_user = match caller {
        Some(caller) if settings.caller_id_in_from && !caller.number.is_empty() => caller.number,
        _ => settings.effective_from_user(),
    };
    let mut from = NameAddr::new(Uri::parse(&format!(
        "sip:{from_user}@{}",
        settings.effective_from_domain()
    ))?);
    from.display_name = caller.and_then(|c| c.name).map(str::to_owned);
    let mut invite = OutgoingInvite::new(target, from, to, settings.proxy_addr);
    invite.transport = settings.transport.clone();
    invite.credentials = settings.credentials();
    invite.routing = PeerRouting::RemoteTarget;
    Ok(invite)
}

fn uri_hostport(host: &Host, port: Option<u16>) -> String {
    match port {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}
