//! INFO DTMF (application/dtmf-relay and application/dtmf), and 481 for requests that
//! name no dialog (RFC 3261 §12.2.2); out-of-dialog OPTIONS is left to the caller.

mod dialog_support;

use dialog_support::*;
use witswitch_sip::dialog::{Body, Dtmf, UaError, UaEvent};
use witswitch_sip::transaction::TxEvent;
use witswitch_sip::{Method, Request, Transport};

#[test]
fn info_dtmf_is_parsed_into_an_event() {
    let mut net = Net::pair();
    let (ours, theirs) = inbound_call(&mut net);
    let five = Dtmf {
        digit: '5',
        duration_ms: 160,
    };
    net.ua(B, |ua, now, layer| {
        ua.send_dtmf_info(now, layer, theirs, five)
    })
    .unwrap();
    net.flush();
    let info = net
        .sent_by(B)
        .into_iter()
        .rev()
        .find(|s| s.label() == "INFO")
        .and_then(|s| s.request().cloned())
        .unwrap();
    assert_eq!(info.content_type(), Some("application/dtmf-relay"));
    assert_eq!(info.body, b"Signal=5\r\nDuration=160\r\n");
    assert_eq!(
        net.node(A).take_events(),
        [UaEvent::Info {
            dialog: ours,
            dtmf: Some(five),
            content_type: Some("application/dtmf-relay".into()),
            body: b"Signal=5\r\nDuration=160\r\n".to_vec()
        }]
    );
    assert_eq!(net.log.last().map(|s| s.label()), Some("200".to_owned()));

    let bare = Body {
        content_type: "application/dtmf".into(),
        bytes: b"#".to_vec(),
    };
    net.ua(B, |ua, now, layer| ua.send_info(now, layer, theirs, bare))
        .unwrap();
    net.flush();
    assert!(matches!(
        net.node(A).take_events().as_slice(),
        [UaEvent::Info {
            dtmf: Some(Dtmf { digit: '#', .. }),
            ..
        }]
    ));

    // Other INFO bodies still reach the engine, without a digit.
    let other = Body {
        content_type: "application/media_control+xml".into(),
        bytes: b"<media_control/>".to_vec(),
    };
    net.ua(B, |ua, now, layer| ua.send_info(now, layer, theirs, other))
        .unwrap();
    net.flush();
    assert!(matches!(
        net.node(A).take_events().as_slice(),
        [UaEvent::Info { dtmf: None, .. }]
    ));
    assert_eq!(
        net.ua(A, |ua, now, layer| ua.send_dtmf_info(
            now,
            layer,
            ours,
            Dtmf {
                digit: 'x',
                duration_ms: 100
            }
        )),
        Err(UaError::InvalidDtmf('x'))
    );
}

fn stray(method: &str, to_tag: Option<&str>) -> Request {
    let branch = format!("z9hG4bKstray{method}{}", to_tag.unwrap_or("none"));
    let to_tag = to_tag.map(|t| format!(";tag={t}")).unwrap_or_default();
    parse_request(&format!(
        "{method} sip:1000@192.0.2.1:5060 SIP/2.0
Via: SIP/2.0/UDP 198.51.100.1:5080;branch={branch}
Max-Forwards: 70
From: <sip:2000@198.51.100.1>;tag=stray-from
To: <sip:1000@192.0.2.1>{to_tag}
Call-ID: no-such-call
CSeq: 5 {method}
Content-Length: 0

"
    ))
}

#[test]
fn requests_for_unknown_dialogs_get_481() {
    let mut net = Net::new(vec![Node::with_ua(addr_a(), 1), Node::bare(addr_b())]);
    let now = net.now;
    for request in [
        stray("BYE", Some("gone")),
        stray("INFO", Some("gone")),
        stray("INVITE", Some("gone")),
        stray("BYE", None),
    ] {
        net.node(B)
            .layer
            .send_request(now, request, addr_a(), Transport::Udp)
            .unwrap();
    }
    net.flush();
    let answers: Vec<(Method, u16)> = net
        .node(B)
        .take_unclaimed()
        .into_iter()
        .filter_map(|e| match e {
            TxEvent::Response { response, .. } if response.status >= 200 => {
                Some((response.cseq().unwrap().method, response.status))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        answers,
        [
            (Method::Bye, 481),
            (Method::Info, 481),
            (Method::Invite, 481),
            (Method::Bye, 481)
        ]
    );
    assert!(net.node(A).take_events().is_empty());
    assert!(net.node(A).take_unclaimed().is_empty());
}

#[test]
fn out_of_dialog_options_and_register_are_not_claimed() {
    let mut net = Net::new(vec![Node::with_ua(addr_a(), 1), Node::bare(addr_b())]);
    let now = net.now;
    net.node(B)
        .layer
        .send_request(now, stray("OPTIONS", None), addr_a(), Transport::Udp)
        .unwrap();
    net.node(B)
        .layer
        .send_request(now, stray("REGISTER", None), addr_a(), Transport::Udp)
        .unwrap();
    net.flush();
    let unclaimed: Vec<Method> = net
        .node(A)
        .take_unclaimed()
        .into_iter()
        .filter_map(|e| match e {
            TxEvent::NewRequest { request, .. } => Some(request.method),
            _ => None,
        })
        .collect();
    assert_eq!(unclaimed, [Method::Options, Method::Register]);
}

#[test]
fn required_extensions_we_lack_get_420() {
    let mut net = Net::new(vec![Node::with_ua(addr_a(), 1), Node::bare(addr_b())]);
    let mut invite = stray("INVITE", None);
    invite
        .headers
        .push(witswitch_sip::HeaderName::Require, "100rel, timer");
    invite.headers.push(
        witswitch_sip::HeaderName::Contact,
        "<sip:2000@198.51.100.1:5080>",
    );
    let now = net.now;
    net.node(B)
        .layer
        .send_request(now, invite, addr_a(), Transport::Udp)
        .unwrap();
    net.flush();
    let refusal = net
        .node(B)
        .take_unclaimed()
        .into_iter()
        .find_map(|e| match e {
            TxEvent::Response { response, .. } if response.status >= 200 => Some(response),
            _ => None,
        })
        .unwrap();
    assert_eq!(refusal.status, 420);
    let unsupported: Vec<&str> = refusal
        .headers
        .get_all(&witswitch_sip::HeaderName::Unsupported)
        .collect();
    assert_eq!(unsupported, ["100rel", "timer"]);
    assert!(net.node(A).take_events().is_empty());
}
