//! UAS: the ACK for our 200 never arrives. After 64*T1 the agent reports AckTimeout
//! with the NAT diagnosis (RFC 3261 §13.3.1.4), and a BYE the engine asked for while
//! waiting goes out then (§15), to where the INVITE came from.

mod dialog_support;

use dialog_support::*;
use witswitch_sip::dialog::{TerminationReason, UaError, UaEvent};
use witswitch_sip::transaction::TxEvent;
use witswitch_sip::{Request, Response, Transport, Uri};

/// A phone behind NAT: its Via and Contact name a private address, but its packets come
/// from 198.51.100.1:5080.
fn natted_invite() -> Request {
    let mut invite = parse_request(
        "INVITE sip:1000@192.0.2.1:5060 SIP/2.0
Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bKnat1;rport
Max-Forwards: 70
From: <sip:alice@example.net>;tag=nat-tag
To: <sip:1000@192.0.2.1>
Call-ID: ack-timeout-1
CSeq: 1 INVITE
Contact: <sip:alice@10.0.0.9:5060>
Content-Type: application/sdp
Content-Length: 0

",
    );
    invite.body = OFFER.to_vec();
    invite
}

#[test]
fn no_ack_gives_ack_timeout_after_64_t1_then_the_deferred_bye() {
    let mut net = Net::new(vec![Node::with_ua(addr_a(), 1), Node::bare(addr_b())]);
    let now = net.now;
    net.node(B)
        .layer
        .send_request(now, natted_invite(), addr_a(), Transport::Udp)
        .unwrap();
    net.flush();
    let dialog = match net.node(A).take_events().as_slice() {
        [UaEvent::IncomingInvite { dialog, .. }] => *dialog,
        other => panic!("{other:?}"),
    };
    net.ua(A, |ua, now, layer| ua.answer(now, layer, dialog, ANSWER))
        .unwrap();
    net.flush();

    // The engine hangs up at 1 s: the BYE waits for the ACK or its timeout.
    net.run_until(1_000);
    net.ua(A, |ua, now, layer| ua.bye(now, layer, dialog))
        .unwrap();
    net.flush();
    assert!(net.sent_by(A).iter().all(|s| s.label() != "BYE"));
    // A second hangup is refused: the session is already ending.
    assert_eq!(
        net.ua(A, |ua, now, layer| ua.bye(now, layer, dialog)),
        Err(UaError::Terminating(dialog))
    );

    net.run_until(31_999);
    assert!(net.node(A).take_events().is_empty());
    net.run_until(32_000);
    let events = net.node(A).take_events();
    let diagnosis = match events.as_slice() {
        [
            UaEvent::AckTimeout {
                dialog: d,
                diagnosis,
            },
        ] if *d == dialog => diagnosis.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        diagnosis.our_contact,
        Uri::parse("sip:1000@192.0.2.1:5060").unwrap()
    );
    assert_eq!(diagnosis.invite_source, addr_b());
    assert_eq!(diagnosis.via_sent_by, "10.0.0.9:5060");
    assert_eq!(
        diagnosis.remote_contact,
        Uri::parse("sip:alice@10.0.0.9:5060").unwrap()
    );
    assert_eq!(diagnosis.waited.as_millis(), 32_000);
    assert!(diagnosis.nat_suspected());
    let line = diagnosis.to_string();
    assert!(line.contains("198.51.100.1:5080") && line.contains("sip:1000@192.0.2.1:5060"));

    // Retransmissions: 0.5, 1.5, 3.5, 7.5 s, then every T2 (4 s) until 31.5 s.
    let times: Vec<u64> = net
        .sent_by(A)
        .iter()
        .filter(|s| s.label() == "200")
        .map(|s| s.at_ms)
        .collect();
    assert_eq!(
        times,
        [
            0, 500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500
        ]
    );

    // The deferred BYE went out at the timeout, to the INVITE's source, not the
    // private Contact.
    let bye = net
        .sent_by(A)
        .into_iter()
        .find(|s| s.label() == "BYE")
        .cloned()
        .expect("BYE sent");
    assert_eq!(bye.at_ms, 32_000);
    assert_eq!(bye.to, addr_b());
    let bye_request = bye.request().unwrap();
    assert_eq!(bye_request.uri.to_string(), "sip:alice@10.0.0.9:5060");
    assert_eq!(bye_request.cseq().unwrap().seq, 1);
    assert_eq!(bye_request.to().unwrap().tag(), Some("nat-tag"));

    // The phone answers the BYE; the session ends.
    let (key, request) = net
        .node(B)
        .take_unclaimed()
        .into_iter()
        .find_map(|e| match e {
            TxEvent::NewRequest { key, request, .. } => Some((key, request)),
            _ => None,
        })
        .expect("BYE reached the phone");
    let ok = Response::for_request(&request, 200, "OK");
    let now = net.now;
    net.node(B).layer.send_response(now, key, ok).unwrap();
    net.flush();
    assert_eq!(
        net.node(A).take_events(),
        [UaEvent::Terminated {
            dialog,
            reason: TerminationReason::LocalBye
        }]
    );
    assert_eq!(net.ua(A, |ua, _, _| ua.len()), 0);
}
