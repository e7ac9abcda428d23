//! UAS: INVITE → 180 → 200, the 2xx retransmitted on T1 doubling to T2 (RFC 3261
//! §13.3.1.4) until the ACK stops it.

mod dialog_support;

use dialog_support::*;
use witswitch_sip::dialog::{DialogState, Reply, UaEvent};
use witswitch_sip::transaction::TxEvent;
use witswitch_sip::{HeaderName, Message, Method, Request, Response, Transport};

/// The phone's INVITE (B is a bare layer: the test is the phone's TU).
fn phone_invite() -> Request {
    let mut invite = parse_request(
        "INVITE sip:1000@192.0.2.1:5060 SIP/2.0
Via: SIP/2.0/UDP 198.51.100.1:5080;branch=z9hG4bKphone1;rport
Max-Forwards: 70
Record-Route: <sip:198.51.100.1:5080;lr>
From: \"Alice\" <sip:alice@example.net>;tag=alice-tag
To: <sip:1000@192.0.2.1>
Call-ID: uas-answer-1
CSeq: 7 INVITE
Contact: <sip:alice@198.51.100.1:5080>
Content-Type: application/sdp
Content-Length: 0

",
    );
    invite.body = OFFER.to_vec();
    invite
}

/// The phone's ACK for `ok` (§13.2.2.4): to the Contact, CSeq number of the INVITE.
fn phone_ack(ok: &Response) -> Request {
    let contact = ok.contacts().unwrap();
    let target = match contact {
        witswitch_sip::ContactList::Addresses(list) => list[0].uri.clone(),
        _ => panic!("no contact"),
    };
    let mut ack = Request::new(Method::Ack, target);
    ack.headers.push(
        HeaderName::Via,
        "SIP/2.0/UDP 198.51.100.1:5080;branch=z9hG4bKphoneack;rport",
    );
    ack.headers.push(HeaderName::MaxForwards, "70");
    for name in [HeaderName::From, HeaderName::To, HeaderName::CallId] {
        ack.headers.push(name.clone(), ok.header(&name).unwrap());
    }
    ack.headers.push(HeaderName::CSeq, "7 ACK");
    ack
}

#[test]
fn invite_ringing_answer_retransmit_until_ack() {
    let mut net = Net::new(vec![Node::with_ua(addr_a(), 1), Node::bare(addr_b())]);
    let now = net.now;
    let node_b = net.node(B);
    node_b
        .layer
        .send_request(now, phone_invite(), addr_a(), Transport::Udp)
        .unwrap();
    net.flush();

    let events = net.node(A).take_events();
    let dialog = match events.as_slice() {
        [
            UaEvent::IncomingInvite {
                dialog,
                request,
                source,
                ..
            },
        ] => {
            assert_eq!(*source, addr_b());
            assert_eq!(request.body, OFFER);
            *dialog
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(
        net.ua(A, |ua, _, _| ua.dialog(dialog).map(|d| d.state)),
        Some(DialogState::Pending)
    );

    net.ua(A, |ua, now, layer| {
        ua.respond(now, layer, dialog, Reply::new(180))
    })
    .unwrap();
    net.flush();
    assert_eq!(
        net.ua(A, |ua, _, _| ua.dialog(dialog).map(|d| d.state)),
        Some(DialogState::Early)
    );
    net.ua(A, |ua, now, layer| ua.answer(now, layer, dialog, ANSWER))
        .unwrap();
    net.flush();

    let responses: Vec<Response> = net
        .sent_by(A)
        .iter()
        .filter_map(|s| s.response().cloned())
        .collect();
    let statuses: Vec<u16> = responses.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [100, 180, 200]);
    let (ringing, ok) = (&responses[1], &responses[2]);
    // §12.1.1: same To tag on 180 and 200, Record-Route copied, Contact present.
    let tag = ringing.to().unwrap().tag().map(str::to_owned);
    assert!(tag.is_some());
    assert_eq!(ok.to().unwrap().tag().map(str::to_owned), tag);
    for r in [ringing, ok] {
        assert_eq!(
            r.header(&HeaderName::RecordRoute),
            Some("<sip:198.51.100.1:5080;lr>")
        );
        assert_eq!(
            r.header(&HeaderName::Contact),
            Some("<sip:1000@192.0.2.1:5060>")
        );
    }
    assert_eq!(ok.body, ANSWER);
    assert_eq!(ok.content_type(), Some("application/sdp"));
    assert!(ok.header(&HeaderName::Allow).unwrap().contains("INVITE"));
    assert_eq!(
        net.ua(A, |ua, _, _| ua.dialog(dialog).map(|d| d.state)),
        Some(DialogState::Confirmed)
    );

    // No ACK for 12 s: 200 at 0, then T1 doubling up to T2 (0.5, 1, 2, 4, 4 s).
    net.run_until(12_000);
    let times: Vec<u64> = net
        .sent_by(A)
        .iter()
        .filter(|s| s.label() == "200")
        .map(|s| s.at_ms)
        .collect();
    assert_eq!(times, [0, 500, 1500, 3500, 7500, 11_500]);
    // The phone's layer passed every 2xx up (RFC 6026).
    let oks = net
        .node(B)
        .take_unclaimed()
        .into_iter()
        .filter(|e| matches!(e, TxEvent::Response { response, .. } if response.status == 200))
        .count();
    assert_eq!(oks, 6);

    let ack = phone_ack(ok);
    net.node(B)
        .layer
        .send_stateless(Message::Request(ack), addr_a(), Transport::Udp);
    net.flush();
    let events = net.node(A).take_events();
    assert_eq!(events, [UaEvent::AckReceived { dialog, sdp: None }]);

    // The ACK stopped the retransmissions for good, and no ACK timeout follows.
    net.run_until(60_000);
    let after = net
        .sent_by(A)
        .iter()
        .filter(|s| s.label() == "200" && s.at_ms > 12_000)
        .count();
    assert_eq!(after, 0);
    assert!(net.node(A).take_events().is_empty());
    assert_eq!(
        net.ua(A, |ua, _, _| ua.dialog(dialog).map(|d| d.state)),
        Some(DialogState::Confirmed)
    );
}

#[test]
fn a_failure_response_ends_the_session() {
    let mut net = Net::new(vec![Node::with_ua(addr_a(), 1), Node::bare(addr_b())]);
    let now = net.now;
    net.node(B)
        .layer
        .send_request(now, phone_invite(), addr_a(), Transport::Udp)
        .unwrap();
    net.flush();
    let dialog = match net.node(A).take_events().as_slice() {
        [UaEvent::IncomingInvite { dialog, .. }] => *dialog,
        other => panic!("{other:?}"),
    };
    let reply = Reply::new(486).header(HeaderName::Reason, "Q.850;cause=17");
    net.ua(A, |ua, now, layer| ua.respond(now, layer, dialog, reply))
        .unwrap();
    net.flush();
    let busy = net
        .sent_by(A)
        .iter()
        .find_map(|s| s.response().filter(|r| r.status == 486).cloned())
        .expect("486 sent");
    assert_eq!(busy.header(&HeaderName::Reason), Some("Q.850;cause=17"));
    assert!(busy.to().unwrap().tag().is_some());
    assert_eq!(busy.header(&HeaderName::Contact), None);
    assert_eq!(
        net.node(A).take_events(),
        [UaEvent::Terminated {
            dialog,
            reason: witswitch_sip::dialog::TerminationReason::Rejected(486)
        }]
    );
    // Commands on the ended session are refused, not panics.
    let late = net.ua(A, |ua, now, layer| ua.answer(now, layer, dialog, ANSWER));
    assert_eq!(
        late,
        Err(witswitch_sip::dialog::UaError::UnknownDialog(dialog))
    );
    // 100 is the transaction layer's job.
    assert_eq!(net.ua(A, |ua, _, _| ua.len()), 0);
}
