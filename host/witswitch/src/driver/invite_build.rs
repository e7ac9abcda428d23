//! Translations between SIP messages and the call engine's vocabulary: an
//! incoming INVITE as the engine's [`InboundInvite`], the engine's outgoing
//! INVITE as the dialog layer's [`OutgoingInvite`], and the `Reason` header
//! (RFC 3326) both ways.

use std::net::SocketAddr;

use witswitch_core::{AuthenticatedUser, HangupCause, InboundGateway, InboundInvite, InviteTarget};
use witswitch_sip::dialog::{OutgoingInvite, PeerRouting, sdp_of, uri_address};
use witswitch_sip::{Header, HeaderName, NameAddr, Request, Transport, Uri};

use crate::calls::link::InviteSpec;

/// Headers a dialplan may route on (FreeSWITCH copies these into variables).
fn is_routing_header(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("x-")
        || matches!(
            lower.as_str(),
            "p-asserted-identity" | "remote-party-id" | "diversion" | "p-preferred-identity"
        )
}

/// User and host of a SIP URI (`("", "")` for other schemes).
fn user_host(uri: &Uri) -> (String, String) {
    match uri.as_sip() {
        Some(sip) => (sip.user.clone().unwrap_or_default(), sip.host.to_string()),
        None => (String::new(), String::new()),
    }
}

/// What the engine needs of a new INVITE (validated by the transaction layer).
pub fn inbound_invite(
    profile: &str,
    request: &Request,
    source: SocketAddr,
    auth: Option<AuthenticatedUser>,
) -> InboundInvite {
    let (request_user, request_host) = user_host(&request.uri);
    let from = request.from().ok();
    let (from_user, from_host) = from.as_ref().map(|f| user_host(&f.uri)).unwrap_or_default();
    let (to_user, to_host) = request
        .to()
        .ok()
        .map(|t| user_host(&t.uri))
        .unwrap_or_default();
    let headers = request
        .headers
        .iter()
        .filter(|h| is_routing_header(h.name.as_str()))
        .map(|h| (h.name.as_str().to_owned(), h.value.clone()))
        .collect();
    InboundInvite {
        profile: profile.to_owned(),
        call_id: request.call_id().unwrap_or_default().to_owned(),
        request_user,
        request_host,
        from_display: from.and_then(|f| f.display_name).filter(|d| !d.is_empty()),
        from_user,
        from_host,
        to_user,
        to_host,
        source: Some(source),
        user_agent: request
            .headers
            .get(&HeaderName::UserAgent)
            .map(str::to_owned),
        headers,
        sdp: sdp_of(request.content_type(), &request.body),
        auth,
        gateway: None,
    }
}

/// The gateway of `profile` whose registered Contact this INVITE was sent to.
pub fn inbound_gateway(
    request: &Request,
    profile: &witswitch_config::Profile,
) -> Option<InboundGateway> {
    let gateway = profile.gateway(gateway_name(request)?)?;
    Some(InboundGateway {
        name: gateway.name.clone(),
        context: gateway.context.clone(),
    })
}

/// The gateway named by a Request-URI that is one of our registered Contacts:
/// its `gw=<name>` parameter, or the `gw+<name>` user when a carrier dropped
/// the parameters.
fn gateway_name(request: &Request) -> Option<&str> {
    let sip = request.uri.as_sip()?;
    sip.params
        .value("gw")
        .or_else(|| sip.user.as_deref().and_then(|u| u.strip_prefix("gw+")))
}

/// Why an outgoing INVITE could not be built.
#[derive(Debug, thiserror::Error)]
pub enum InviteBuildError {
    /// The target is not a SIP URI we can send to.
    #[error("unusable target {0}")]
    BadTarget(String),
    /// The URI names a host that did not resolve.
    #[error("no address for {0}")]
    NoAddress(String),
}

impl InviteBuildError {
    /// The status reported to the engine as if the far end had answered.
    pub fn status(&self) -> u16 {
        match self {
            Self::BadTarget(_) => 404,
            Self::NoAddress(_) => 502,
        }
    }
}

fn parse_uri(text: &str) -> Result<Uri, InviteBuildError> {
    let full = if text.contains(':') && (text.starts_with("sip:") || text.starts_with("sips:")) {
        text.to_owned()
    } else {
        format!("sip:{text}")
    };
    Uri::parse(&full).map_err(|_| InviteBuildError::BadTarget(text.to_owned()))
}

/// The host name and port to look up before an INVITE to `target` can go
/// out: `sofia/<profile>/user@host` with a name rather than an address (and
/// no `maddr`). Only A/AAAA records: RFC 3263 NAPTR/SRV selection is not done,
/// the port is the URI's or the scheme's default.
pub fn host_to_resolve(target: &InviteTarget) -> Option<(String, u16)> {
    let InviteTarget::Uri { uri } = target else {
        return None;
    };
    let parsed = parse_uri(uri).ok()?;
    if uri_address(&parsed).is_some() {
        return None;
    }
    let sip = parsed.as_sip()?;
    let witswitch_sip::Host::Domain(name) = &sip.host else {
        return None;
    };
    let tls = sip.scheme == witswitch_sip::SipScheme::Sips
        || sip
            .transport()
            .is_some_and(|t| Transport::parse(t) == Transport::Tls);
    let port = sip.port.unwrap_or(if tls { 5061 } else { 5060 });
    Some((name.clone(), port))
}

/// From `"name" <sip:number@host>`.
fn caller(spec: &InviteSpec, host: &str) -> Result<NameAddr, InviteBuildError> {
    let number = if spec.caller_id_number.is_empty() {
        "anonymous"
    } else {
        spec.caller_id_number.as_str()
    };
    let mut from = NameAddr::new(parse_uri(&format!("sip:{number}@{host}"))?);
    from.display_name = Some(spec.caller_id_name.clone()).filter(|n| !n.is_empty());
    Ok(from)
}

/// The dialog layer's INVITE for a `user/` contact or a `sofia/<profile>/` URI.
/// `local_host` is our address for From. Gateways are built by the gateway.
pub fn outgoing_invite(
    spec: &InviteSpec,
    local_host: &str,
) -> Result<OutgoingInvite, InviteBuildError> {
    let (target, to, dest, routing) = match &spec.target {
        InviteTarget::Contact {
            user,
            domain,
            uri,
            source,
        } => {
            let target = parse_uri(uri)?;
            // `user/1001` without a domain: the contact's host stands in.
            let domain = match domain.as_str() {
                "" => user_host(&target).1,
                named => named.to_owned(),
            };
            let to = NameAddr::new(parse_uri(&format!("sip:{user}@{domain}"))?);
            // Registered phones are reached where their REGISTER came from (NAT).
            let dest = match source {
                Some(source) => *source,
                None => uri_address(&target).ok_or(InviteBuildError::NoAddress(uri.clone()))?,
            };
            (target, to, dest, PeerRouting::Symmetric)
        }
        InviteTarget::Uri { uri } => {
            let target = parse_uri(uri)?;
            let dest = spec
                .resolved
                .or_else(|| uri_address(&target))
                .ok_or(InviteBuildError::NoAddress(uri.clone()))?;
            (
                target.clone(),
                NameAddr::new(target),
                dest,
                PeerRouting::RemoteTarget,
            )
        }
        InviteTarget::Gateway { name, .. } => {
            return Err(InviteBuildError::BadTarget(format!("gateway {name}")));
        }
    };
    let transport = match target.as_sip().and_then(|s| s.transport()) {
        Some(t) => Transport::parse(t),
        None => Transport::Udp,
    };
    let mut invite = OutgoingInvite::new(target, caller(spec, local_host)?, to, dest);
    invite.transport = transport;
    invite.routing = routing;
    finish(&mut invite, spec);
    Ok(invite)
}

/// Our offer and the `sip_h_*` headers.
pub fn finish(invite: &mut OutgoingInvite, spec: &InviteSpec) {
    invite.sdp = Some(spec.sdp.clone());
    invite.headers = spec
        .headers
        .iter()
        .map(|(name, value)| Header::new(HeaderName::from(name.as_str()), value.clone()))
        .collect();
}

/// `Reason: Q.850;cause=16;text="NORMAL_CLEARING"` (RFC 3326).
pub fn reason_header(cause: HangupCause) -> String {
    format!("Q.850;cause={};text=\"{}\"", cause.q850(), cause.name())
}

/// The cause of a `Reason: Q.850;cause=N` header, if the response has one.
pub fn reason_cause(value: Option<&str>) -> Option<HangupCause> {
    let value = value?;
    let (protocol, params) = value.split_once(';')?;
    if !protocol.trim().eq_ignore_ascii_case("Q.850") {
        return None;
    }
    params.split(';').find_map(|param| {
        let (name, code) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("cause") {
            return None;
        }
        HangupCause::from_code(code.trim().parse().ok()?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invite_to(uri: &str) -> Request {
        let text = format!(
            "INVITE {uri} SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKgw\r\n\
             From: <sip:15551230000@192.0.2.1>;tag=a\r\nTo: <sip:18005550100@192.0.2.2>\r\n\
             Call-ID: gw-1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
        );
        match witswitch_sip::Message::parse(text.as_bytes())
            .unwrap()
            .message
        {
            witswitch_sip::Message::Request(request) => request,
            other => panic!("not a request: {other:?}"),
        }
    }

    #[test]
    fn the_registered_contact_names_its_gateway() {
        let both = invite_to("sip:gw+carrier@192.0.2.2:5080;gw=carrier");
        assert_eq!(gateway_name(&both), Some("carrier"));
        let user_only = invite_to("sip:gw+backup@192.0.2.2:5080");
        assert_eq!(gateway_name(&user_only), Some("backup"));
        let did = invite_to("sip:18005550100@192.0.2.2:5080");
        assert_eq!(gateway_name(&did), None);
    }

    #[test]
    fn reason_round_trip() {
        let header = reason_header(HangupCause::UserBusy);
        assert_eq!(header, "Q.850;cause=17;text=\"USER_BUSY\"");
        assert_eq!(reason_cause(Some(&header)), Some(HangupCause::UserBusy));
        assert_eq!(reason_cause(Some("SIP;cause=487")), None);
        assert_eq!(reason_cause(Some("Q.850;cause=abc")), None);
        assert_eq!(reason_cause(None), None);
    }

    #[test]
    fn registered_contact_goes_to_its_source() {
        let spec = InviteSpec {
            target: InviteTarget::Contact {
                user: "1001".into(),
                domain: "127.0.0.1".into(),
                uri: "sip:1001@10.0.0.7:5062".into(),
                source: Some("203.0.113.9:40000".parse().unwrap()),
            },
            caller_id_name: "Extension 1000".into(),
            caller_id_number: "1000".into(),
            sdp: b"v=0\r\n".to_vec(),
            headers: vec![("X-Test".into(), "1".into())],
            resolved: None,
        };
        let invite = outgoing_invite(&spec, "127.0.0.1").unwrap();
        assert_eq!(invite.dest, "203.0.113.9:40000".parse().unwrap());
        assert_eq!(invite.routing, PeerRouting::Symmetric);
        assert_eq!(invite.target.to_string(), "sip:1001@10.0.0.7:5062");
        assert_eq!(invite.from.display_name.as_deref(), Some("Extension 1000"));
        assert_eq!(invite.headers.len(), 1);
        assert_eq!(invite.sdp.as_deref(), Some(&b"v=0\r\n"[..]));
    }

    #[test]
    fn uri_without_scheme_and_host_names() {
        let mut spec = InviteSpec {
            target: InviteTarget::Uri {
                uri: "2000@127.0.0.1:5099".into(),
            },
            caller_id_name: String::new(),
            caller_id_number: "1000".into(),
            sdp: Vec::new(),
            headers: Vec::new(),
            resolved: None,
        };
        let invite = outgoing_invite(&spec, "127.0.0.1").unwrap();
        assert_eq!(invite.dest, "127.0.0.1:5099".parse().unwrap());
        spec.target = InviteTarget::Uri {
            uri: "2000@carrier.example".into(),
        };
        assert_eq!(
            host_to_resolve(&spec.target),
            Some(("carrier.example".into(), 5060))
        );
        let err = outgoing_invite(&spec, "127.0.0.1").unwrap_err();
        assert_eq!(err.status(), 502);
        // Once looked up, the INVITE goes to the address and keeps the name.
        spec.resolved = Some("192.0.2.10:5060".parse().unwrap());
        let invite = outgoing_invite(&spec, "127.0.0.1").unwrap();
        assert_eq!(invite.dest, "192.0.2.10:5060".parse().unwrap());
        assert_eq!(invite.target.to_string(), "sip:2000@carrier.example");
        spec.target = InviteTarget::Uri {
            uri: "sips:2000@carrier.example".into(),
        };
        assert_eq!(
            host_to_resolve(&spec.target),
            Some(("carrier.example".into(), 5061))
        );
        spec.target = InviteTarget::Uri {
            uri: "2000@192.0.2.10".into(),
        };
        assert_eq!(host_to_resolve(&spec.target), None);
    }
}
