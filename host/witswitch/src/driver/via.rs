//! RFC 3261 §18.2.1 and RFC 3581 §4: mark on a received request's top Via where it
//! really came from, so responses find their way back through NAT.

use std::net::{IpAddr, SocketAddr};

use witswitch_sip::{Host, Request, Via};

/// Adds `received` when the sent-by host differs from the packet's source address
/// (or is a name), and fills `rport` with the source port when the client asked for it
/// (then `received` is added even when equal, RFC 3581 §4). Returns whether anything
/// changed. A request whose top Via does not parse is left alone (validation answers it).
pub fn stamp_received(request: &mut Request, source: SocketAddr) -> bool {
    let Ok(mut via) = request.headers.via_top() else {
        return false;
    };
    if !apply(&mut via, source) {
        return false;
    }
    request.headers.set_via_top(&via).is_ok()
}

fn apply(via: &mut Via, source: SocketAddr) -> bool {
    let wants_rport = via.rport() == Some(None);
    if wants_rport {
        via.set_rport(source.port());
    }
    if wants_rport || !same_host(&via.host, source.ip()) {
        via.set_received(source.ip());
        return true;
    }
    wants_rport
}

fn same_host(host: &Host, ip: IpAddr) -> bool {
    match (host, ip) {
        (Host::Ipv4(a), IpAddr::V4(b)) => *a == b,
        (Host::Ipv6(a), IpAddr::V6(b)) => *a == b,
        // An IPv4 peer seen through a dual-stack socket.
        (Host::Ipv4(a), IpAddr::V6(b)) => b.to_ipv4_mapped() == Some(*a),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use witswitch_sip::Message;

    fn request(via: &str) -> Request {
        let text = format!(
            "OPTIONS sip:a@b SIP/2.0\r\nVia: {via}\r\nFrom: <sip:x@y>;tag=1\r\nTo: <sip:a@b>\r\n\
             Call-ID: c\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
        );
        match Message::parse(text.as_bytes()).unwrap().message {
            Message::Request(r) => r,
            Message::Response(_) => panic!("not a request"),
        }
    }

    fn top(r: &Request) -> Via {
        r.headers.via_top().unwrap()
    }

    #[test]
    fn same_address_without_rport_is_untouched() {
        let mut r = request("SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1");
        assert!(!stamp_received(&mut r, "192.0.2.1:5060".parse().unwrap()));
        assert_eq!(top(&r).received(), None);
    }

    #[test]
    fn different_address_gets_received() {
        let mut r = request("SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK1");
        assert!(stamp_received(&mut r, "203.0.113.9:40000".parse().unwrap()));
        assert_eq!(top(&r).received(), Some("203.0.113.9"));
        assert_eq!(top(&r).rport(), None);
    }

    #[test]
    fn host_name_gets_received() {
        let mut r = request("SIP/2.0/TCP phone.example;branch=z9hG4bK1");
        assert!(stamp_received(&mut r, "192.0.2.7:5060".parse().unwrap()));
        assert_eq!(top(&r).received(), Some("192.0.2.7"));
    }

    #[test]
    fn rport_is_filled_and_received_always_added() {
        let mut r = request("SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1;rport");
        assert!(stamp_received(&mut r, "192.0.2.1:33333".parse().unwrap()));
        let via = top(&r);
        assert_eq!(via.rport(), Some(Some(33333)));
        assert_eq!(via.received(), Some("192.0.2.1"));
        assert_eq!(via.branch(), Some("z9hG4bK1"));
    }
}
