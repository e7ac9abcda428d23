//! The dialog state of RFC 3261 §12: identifiers, sequence numbers, route set, remote
//! target, and how a request inside the dialog is built from them (§12.2.1.1).

use std::net::{IpAddr, SocketAddr};

use crate::headers::{CSeq, HeaderError, NameAddr, Transport, Via};
use crate::message::{HeaderName, Method, Request, Response};
use crate::uri::{Host, SipScheme, Uri};

use super::ids::DialogId;

/// Max-Forwards on requests we originate (RFC 3261 §8.1.1.6).
pub(crate) const MAX_FORWARDS: &str = "70";

/// Which side of the INVITE we are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// We sent the INVITE (an outbound leg).
    Uac,
    /// We received the INVITE (an inbound leg).
    Uas,
}

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DialogState {
    /// Our INVITE is out and no response with a To tag has come back: no dialog yet.
    Pending,
    /// A provisional response with a To tag created an early dialog (§12.1).
    Early,
    /// A 2xx created or confirmed the dialog.
    Confirmed,
    /// The session is over (BYE, CANCEL, failure); the key is about to be released.
    Terminated,
}

/// How requests inside the dialog find the peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeerRouting {
    /// Always send to the address the dialog was set up with: where the peer's INVITE
    /// came from (inbound) or where ours went (outbound). Right for NATed phones,
    /// whose Contact names an address nobody outside can reach (FreeSWITCH does the
    /// same for NATed registrations).
    Symmetric,
    /// RFC 3261 §12.2.1.1 / §8.1.2: the first Route, else the remote target. A URI
    /// whose host is an IP literal is used as is; a host name falls back to the setup
    /// address (DNS is the driver's business, not this sans-IO core's).
    RemoteTarget,
}

/// One dialog (RFC 3261 §12.1), or the state that will become one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dialog {
    /// Our side of the INVITE.
    pub role: Role,
    /// Pending, early, confirmed or terminated.
    pub state: DialogState,
    /// The Call-ID.
    pub call_id: String,
    /// Our tag.
    pub local_tag: String,
    /// The peer's tag, once known (a RFC 2543 peer may have none).
    pub remote_tag: Option<String>,
    /// Our address (From on requests we send), without tag.
    pub local_uri: NameAddr,
    /// The peer's address (To on requests we send), without tag.
    pub remote_uri: NameAddr,
    /// CSeq of the last request we sent in the dialog.
    pub local_seq: u32,
    /// CSeq of the last request the peer sent, once one came.
    pub remote_seq: Option<u32>,
    /// The peer's Contact: Request-URI of requests we send (§12.1.1, §12.1.2).
    pub remote_target: Uri,
    /// Record-Route of the dialog, in the order we put it into Route headers.
    pub route_set: Vec<NameAddr>,
    /// True for a dialog set up with a `sips:` Request-URI (§12.1.1).
    pub secure: bool,
}

/// `addr` without its `tag` parameter.
fn untagged(mut addr: NameAddr) -> NameAddr {
    addr.params.remove("tag");
    addr
}

/// The first Contact URI of a message, if any.
fn first_contact(headers: &crate::message::Headers) -> Option<Uri> {
    match headers.contacts() {
        Ok(crate::headers::ContactList::Addresses(list)) => list.into_iter().next().map(|a| a.uri),
        _ => None,
    }
}

impl Dialog {
    /// The RFC 3261 dialog id, once the peer's tag is known.
    pub fn id(&self) -> Option<DialogId> {
        Some(DialogId {
            call_id: self.call_id.clone(),
            local_tag: self.local_tag.clone(),
            remote_tag: self.remote_tag.clone()?,
        })
    }

    /// The UAS side of a dialog for a received INVITE (§12.1.1): route set from
    /// Record-Route in order, remote target from Contact, remote CSeq from the request.
    pub(crate) fn for_incoming(invite: &Request, local_tag: String) -> Result<Dialog, HeaderError> {
        let from = invite.from()?;
        let to = invite.to()?;
        let remote_tag = from.tag().map(str::to_owned);
        let remote_target = first_contact(&invite.headers).unwrap_or_else(|| from.uri.clone());
        Ok(Dialog {
            role: Role::Uas,
            state: DialogState::Pending,
            call_id: invite.call_id()?.to_owned(),
            local_tag,
            remote_tag,
            local_uri: untagged(to),
            remote_uri: untagged(from),
            local_seq: 0,
            remote_seq: Some(invite.cseq()?.seq),
            remote_target,
            route_set: invite.headers.name_addrs(&HeaderName::RecordRoute)?,
            secure: is_sips(&invite.uri),
        })
    }

    /// The UAC side for an INVITE we are about to send; the dialog proper starts with
    /// the first response carrying a To tag ([`Dialog::update_from_response`]).
    pub(crate) fn for_outgoing(invite: &Request) -> Result<Dialog, HeaderError> {
        let from = invite.from()?;
        let local_tag = from.tag().unwrap_or_default().to_owned();
        Ok(Dialog {
            role: Role::Uac,
            state: DialogState::Pending,
            call_id: invite.call_id()?.to_owned(),
            local_tag,
            remote_tag: None,
            local_uri: untagged(from),
            remote_uri: untagged(invite.to()?),
            local_seq: invite.cseq()?.seq,
            remote_seq: None,
            remote_target: invite.uri.clone(),
            route_set: invite.headers.name_addrs(&HeaderName::Route)?,
            secure: is_sips(&invite.uri),
        })
    }

    /// §12.1.2 / §13.2.2.4: a response to our INVITE with a To tag sets the remote tag,
    /// the route set (Record-Route reversed) and the remote target (Contact). Called for
    /// every such 1xx and again for the 2xx, which recomputes them.
    pub(crate) fn update_from_response(&mut self, response: &Response) -> Result<(), HeaderError> {
        let to = response.to()?;
        if let Some(tag) = to.tag() {
            self.remote_tag = Some(tag.to_owned());
        }
        let mut routes = response.headers.name_addrs(&HeaderName::RecordRoute)?;
        routes.reverse();
        self.route_set = routes;
        if let Some(target) = first_contact(&response.headers) {
            self.remote_target = target;
        }
        Ok(())
    }

    /// Target refresh (§12.2): a re-INVITE or its 2xx names a new remote target.
    pub(crate) fn refresh_target(&mut self, headers: &crate::message::Headers) {
        if let Some(target) = first_contact(headers) {
            self.remote_target = target;
        }
    }

    /// The next CSeq for a new request we send in the dialog (§12.2.1.1).
    pub(crate) fn next_local_seq(&mut self) -> u32 {
        // §8.1.1.5 keeps CSeq below 2^31; wrap rather than overflow.
        self.local_seq = (self.local_seq % 0x7fff_ffff) + 1;
        self.local_seq
    }

    /// The URI the next hop is derived from: the first Route, else the remote target.
    pub fn next_hop_uri(&self) -> &Uri {
        self.route_set
            .first()
            .map_or(&self.remote_target, |route| &route.uri)
    }

    /// Where a request in this dialog goes (see [`PeerRouting`]).
    pub fn next_hop(&self, routing: PeerRouting, setup_peer: SocketAddr) -> SocketAddr {
        match routing {
            PeerRouting::Symmetric => setup_peer,
            PeerRouting::RemoteTarget => uri_address(self.next_hop_uri()).unwrap_or(setup_peer),
        }
    }

    /// A request in this dialog (§12.2.1.1): Request-URI and Route from the route set and
    /// remote target (loose or strict routing), To with the remote tag, From with ours,
    /// Call-ID, CSeq `seq method`, Max-Forwards, and `via` as the only Via.
    pub(crate) fn request(&self, method: Method, seq: u32, via: &Via) -> Request {
        let (uri, routes) = self.request_uri_and_routes();
        let mut request = Request::new(method.clone(), uri);
        let headers = &mut request.headers;
        headers.push(HeaderName::Via, via.to_string());
        headers.push(HeaderName::MaxForwards, MAX_FORWARDS);
        for route in routes {
            headers.push(HeaderName::Route, route.to_string());
        }
        let mut to = self.remote_uri.clone();
        if let Some(tag) = &self.remote_tag {
            to.set_tag(tag);
        }
        let mut from = self.local_uri.clone();
        from.set_tag(&self.local_tag);
        headers.push(HeaderName::From, from.to_string());
        headers.push(HeaderName::To, to.to_string());
        headers.push(HeaderName::CallId, self.call_id.clone());
        headers.push(HeaderName::CSeq, CSeq::new(seq, method).to_string());
        request
    }

    /// §12.2.1.1: with no route set, or a loose-routing first hop (`lr`), the
    /// Request-URI is the remote target and Route the whole route set. A strict router
    /// first hop takes the Request-URI instead (minus URI headers), and the remote target
    /// goes last into Route.
    fn request_uri_and_routes(&self) -> (Uri, Vec<NameAddr>) {
        let Some(first) = self.route_set.first() else {
            return (self.remote_target.clone(), Vec::new());
        };
        let loose = first.uri.as_sip().is_none_or(|u| u.lr());
        if loose {
            return (self.remote_target.clone(), self.route_set.clone());
        }
        let mut uri = first.uri.clone();
        if let Some(sip) = uri.as_sip_mut() {
            sip.headers.clear();
        }
        let mut routes: Vec<NameAddr> = self.route_set.iter().skip(1).cloned().collect();
        routes.push(NameAddr::new(self.remote_target.clone()));
        (uri, routes)
    }
}

fn is_sips(uri: &Uri) -> bool {
    uri.as_sip().is_some_and(|u| u.scheme == SipScheme::Sips)
}

/// The socket address a URI names when its host is an IP literal: `maddr` if it is one
/// (§18.1.1 sends there), else the host; the port given, else 5061 for `sips:` or
/// `transport=tls`, else 5060 (§19.1.2). `None` for host names and non-SIP URIs.
pub fn uri_address(uri: &Uri) -> Option<SocketAddr> {
    let sip = uri.as_sip()?;
    let maddr = sip
        .params
        .value("maddr")
        .and_then(|m| m.parse::<IpAddr>().ok());
    let ip = maddr.or_else(|| sip.host.ip())?;
    let tls = sip.scheme == SipScheme::Sips
        || sip
            .transport()
            .is_some_and(|t| Transport::parse(t) == Transport::Tls);
    let port = sip.port.unwrap_or(if tls { 5061 } else { 5060 });
    Some(SocketAddr::new(ip, port))
}

/// True for addresses a peer on the public Internet cannot reach: RFC 1918 and
/// RFC 6598 (carrier-grade NAT) IPv4 ranges, link-local, and IPv6 unique-local.
pub fn is_private_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_private() || v4.is_link_local() || (a == 100 && (64..128).contains(&b))
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
        }
    }
}

/// True when `host` is a private IP literal (see [`is_private_ip`]).
pub(crate) fn is_private_host(host: &Host) -> bool {
    host.ip().is_some_and(is_private_ip)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Message;

    fn parse_request(raw: &str) -> Request {
        match Message::parse(raw.as_bytes()).map(|p| p.message) {
            Ok(Message::Request(r)) => r,
            other => panic!("{other:?}"),
        }
    }

    fn invite() -> Request {
        parse_request(
            "INVITE sips:1000@pbx.example SIP/2.0\r\n\
Via: SIP/2.0/TLS 192.0.2.7:5061;branch=z9hG4bK1\r\n\
Record-Route: <sip:p1.example;lr>, <sip:p2.example;lr>\r\n\
Max-Forwards: 70\r\n\
From: \"Alice\" <sip:alice@example.com>;tag=a1\r\n\
To: <sips:1000@pbx.example>\r\n\
Call-ID: call-1\r\n\
CSeq: 41 INVITE\r\n\
Contact: <sip:alice@192.0.2.7:5061;transport=tls>\r\n\
Content-Length: 0\r\n\r\n",
        )
    }

    fn via() -> Via {
        Via::new(
            Transport::Udp,
            Host::Domain("me.example".into()),
            Some(5060),
            "z9hG4bKx",
        )
    }

    #[test]
    fn uas_dialog_follows_section_12_1_1() {
        let d = Dialog::for_incoming(&invite(), "local".into()).unwrap();
        assert_eq!(d.remote_tag.as_deref(), Some("a1"));
        assert_eq!(d.remote_seq, Some(41));
        assert!(d.secure);
        assert_eq!(d.route_set.len(), 2);
        assert_eq!(d.route_set[0].uri.to_string(), "sip:p1.example;lr");
        assert_eq!(d.local_uri.tag(), None);
        let mut d = d;
        let seq = d.next_local_seq();
        let bye = d.request(Method::Bye, seq, &via());
        assert_eq!(
            bye.uri.to_string(),
            "sip:alice@192.0.2.7:5061;transport=tls"
        );
        let routes: Vec<&str> = bye.headers.get_all(&HeaderName::Route).collect();
        assert_eq!(routes, ["<sip:p1.example;lr>", "<sip:p2.example;lr>"]);
        assert_eq!(bye.from().unwrap().tag(), Some("local"));
        assert_eq!(bye.to().unwrap().tag(), Some("a1"));
        assert_eq!(bye.cseq().unwrap(), CSeq::new(1, Method::Bye));
        assert_eq!(bye.validate(), Ok(()));
        assert_eq!(
            uri_address(d.next_hop_uri()),
            None,
            "p1.example is a host name"
        );
    }

    #[test]
    fn uac_dialog_reverses_record_route_and_handles_strict_routers() {
        let mut invite = invite();
        invite
            .headers
            .set(HeaderName::From, "<sip:me@pbx.example>;tag=l1");
        let mut d = Dialog::for_outgoing(&invite).unwrap();
        let mut ok = Response::for_request(&invite, 200, "OK");
        ok.headers.set_to_tag("r9").unwrap();
        ok.headers.remove(&HeaderName::RecordRoute);
        ok.headers
            .push(HeaderName::RecordRoute, "<sip:203.0.113.5:5070>");
        ok.headers
            .push(HeaderName::RecordRoute, "<sip:edge.example;lr>");
        ok.headers
            .push(HeaderName::Contact, "<sip:bob@198.51.100.4:5062>");
        d.update_from_response(&ok).unwrap();
        assert_eq!(d.remote_tag.as_deref(), Some("r9"));
        assert_eq!(d.route_set[0].uri.to_string(), "sip:edge.example;lr");
        // Swap so the strict router is first.
        d.route_set.reverse();
        let request = d.request(Method::Bye, 2, &via());
        assert_eq!(request.uri.to_string(), "sip:203.0.113.5:5070");
        let routes: Vec<&str> = request.headers.get_all(&HeaderName::Route).collect();
        assert_eq!(
            routes,
            ["<sip:edge.example;lr>", "<sip:bob@198.51.100.4:5062>"]
        );
        assert_eq!(
            d.next_hop(PeerRouting::RemoteTarget, "192.0.2.1:1".parse().unwrap()),
            "203.0.113.5:5070".parse().unwrap()
        );
    }

    #[test]
    fn uri_addresses_and_private_ranges() {
        let addr = |s: &str| uri_address(&Uri::parse(s).unwrap());
        assert_eq!(
            addr("sip:a@192.0.2.1"),
            Some("192.0.2.1:5060".parse().unwrap())
        );
        assert_eq!(
            addr("sips:a@192.0.2.1"),
            Some("192.0.2.1:5061".parse().unwrap())
        );
        assert_eq!(
            addr("sip:a@[2001:db8::1]:5070"),
            Some("[2001:db8::1]:5070".parse().unwrap())
        );
        assert_eq!(
            addr("sip:a@host.example;maddr=192.0.2.9"),
            Some("192.0.2.9:5060".parse().unwrap())
        );
        assert_eq!(addr("tel:+1555"), None);
        for private in [
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "100.64.0.1",
            "fd00::1",
        ] {
            assert!(is_private_ip(private.parse().unwrap()), "{private}");
        }
        for public in ["192.0.2.1", "100.128.0.1", "2001:db8::1", "127.0.0.1"] {
            assert!(!is_private_ip(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn local_seq_wraps_below_2_pow_31() {
        let mut d = Dialog::for_incoming(&invite(), "l".into()).unwrap();
        d.local_seq = 0x7fff_ffff;
        assert_eq!(d.next_local_seq(), 1);
    }
}
