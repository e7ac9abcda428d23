//! UAC through a gateway: INVITE → 407 → INVITE with Proxy-Authorization (checked by
//! the server-side verifier) → 200 → ACK to the Contact with the Record-Route as Route
//! and the INVITE's CSeq number; a retransmitted 200 gets the ACK again.

mod dialog_support;

use std::collections::HashMap;
use std::time::Duration;

use dialog_support::*;
use witswitch_sip::auth::{
    Credential, DigestAnswer, DigestConfig, DigestVerifier, NonceIssuer, Verdict,
};
use witswitch_sip::dialog::{DialogState, Reply, UaEvent};
use witswitch_sip::gateway::{CallerId, Gateway, GatewaySettings};
use witswitch_sip::{DigestCredentials, HeaderName, Host, Request};

const REALM: &str = "carrier.example";

fn verifier(net: &Net) -> DigestVerifier {
    let secret = b"carrier-secret-carrier-secret-0123";
    DigestVerifier::new(
        NonceIssuer::new(secret, net.base, Duration::from_secs(30)),
        secret,
        DigestConfig::default(),
    )
}

fn accounts() -> HashMap<String, Credential> {
    HashMap::from([("acct".to_owned(), Credential::Password("s3cret".to_owned()))])
}

fn gateway() -> Gateway {
    let mut settings =
        GatewaySettings::new("carrier", REALM, addr_b(), Host::from(addr_a().ip()), 5060);
    settings.register = false;
    settings.username = Some("acct".into());
    settings.password = Some("s3cret".into());
    settings.caller_id_in_from = true;
    Gateway::new(settings, ids(9)).unwrap()
}

fn verify(verifier: &DigestVerifier, net: &Net, request: &Request) -> Verdict {
    let value = request
        .header(&HeaderName::ProxyAuthorization)
        .expect("Proxy-Authorization");
    let c = DigestCredentials::parse(value).unwrap();
    let answer = DigestAnswer {
        username: Some(&c.username),
        realm: Some(&c.realm),
        nonce: Some(&c.nonce),
        uri: Some(&c.uri),
        response: Some(&c.response),
        algorithm: c.algorithm.as_ref().map(|a| a.as_str()),
        qop: c.qop.as_deref(),
        nonce_count: c.nc.as_deref(),
        cnonce: c.cnonce.as_deref(),
        userhash: None,
    };
    verifier.verify(net.now, "INVITE", REALM, &answer, &accounts())
}

fn incoming(net: &mut Net) -> (witswitch_sip::dialog::DialogKey, Request) {
    // The carrier's earlier session (answered 407) reports its end first.
    let events: Vec<UaEvent> = net
        .node(B)
        .take_events()
        .into_iter()
        .filter(|e| !matches!(e, UaEvent::Terminated { .. }))
        .collect();
    match events.as_slice() {
        [
            UaEvent::IncomingInvite {
                dialog, request, ..
            },
        ] => (*dialog, (**request).clone()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn challenged_invite_is_retried_with_credentials_and_acked_properly() {
    let mut net = Net::pair();
    let mut verifier = verifier(&net);
    // A proxy on the path would Record-Route; the carrier (B) stands in for it.
    net.edit_with(|sent| {
        if let Some(r) = sent.message.as_request()
            && r.method == witswitch_sip::Method::Invite
            && let witswitch_sip::Message::Request(r) = &mut sent.message
        {
            r.headers
                .push(HeaderName::RecordRoute, "<sip:198.51.100.1:5080;lr>");
        }
    });
    let caller = CallerId {
        name: Some("Alice"),
        number: "1000",
    };
    let mut spec = gateway().invite_for("+15551234567", Some(caller)).unwrap();
    spec.sdp = Some(OFFER.to_vec());
    let call = net
        .ua(A, |ua, now, layer| ua.invite(now, layer, spec))
        .unwrap();
    net.flush();

    // First INVITE: no credentials; challenge it.
    let (first, invite) = incoming(&mut net);
    assert_eq!(invite.uri.to_string(), "sip:+15551234567@carrier.example");
    let from = invite.from().unwrap();
    assert_eq!(from.display_name.as_deref(), Some("Alice"));
    assert_eq!(from.uri.to_string(), "sip:1000@carrier.example");
    assert_eq!(invite.max_forwards(), Ok(Some(70)));
    assert_eq!(invite.cseq().unwrap().seq, 1);
    assert!(invite.header(&HeaderName::ProxyAuthorization).is_none());
    let mut challenge = Reply::new(407);
    for c in verifier.challenges(net.now, REALM, false) {
        challenge = challenge.header(HeaderName::ProxyAuthenticate, c.to_string());
    }
    net.ua(B, |ua, now, layer| ua.respond(now, layer, first, challenge))
        .unwrap();
    net.flush();

    // The retry: same Call-ID and From tag, CSeq+1, new branch, valid credentials.
    let (second, retry) = incoming(&mut net);
    assert_eq!(retry.call_id(), invite.call_id());
    assert_eq!(retry.from().unwrap().tag(), from.tag());
    assert_eq!(retry.cseq().unwrap().seq, 2);
    assert_ne!(
        retry.via_top().unwrap().branch(),
        invite.via_top().unwrap().branch()
    );
    assert!(matches!(
        verify(&verifier, &net, &retry),
        Verdict::Authenticated { ref username, .. } if username == "acct"
    ));
    assert_eq!(retry.body, OFFER);
    // The layer ACKed the 407 inside its transaction (§17.1.1.3).
    let ack_407 = net
        .sent_by(A)
        .into_iter()
        .find(|s| s.label() == "ACK")
        .and_then(|s| s.request().cloned())
        .expect("ACK for the 407");
    assert_eq!(ack_407.cseq().unwrap().seq, 1);
    assert_eq!(net.node(A).take_events(), []);

    // Drop the first ACK for the 200, so B retransmits it.
    let mut acks_seen = 0;
    net.drop_when(move |s| {
        let is_2xx_ack =
            s.label() == "ACK" && s.request().is_some_and(|r| r.cseq().unwrap().seq == 2);
        if is_2xx_ack {
            acks_seen += 1;
        }
        is_2xx_ack && acks_seen == 1
    });
    net.ua(B, |ua, now, layer| ua.answer(now, layer, second, ANSWER))
        .unwrap();
    net.flush();
    let events = net.node(A).take_events();
    match events.as_slice() {
        [
            UaEvent::Answered {
                dialog,
                status: 200,
                sdp: Some(sdp),
                ..
            },
        ] => {
            assert_eq!(*dialog, call);
            assert_eq!(sdp, ANSWER);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        net.ua(A, |ua, _, _| ua.dialog(call).map(|d| d.state)),
        Some(DialogState::Confirmed)
    );

    net.run_until(1_000);
    let acks: Vec<Request> = net
        .sent_by(A)
        .into_iter()
        .filter(|s| s.label() == "ACK")
        .filter_map(|s| s.request().cloned())
        .filter(|r| r.cseq().unwrap().seq == 2)
        .collect();
    assert_eq!(acks.len(), 2, "ACK resent for the retransmitted 200");
    let ack = &acks[1];
    let contact = "sip:+15551234567@198.51.100.1:5080";
    assert_eq!(
        ack.uri.to_string(),
        contact,
        "ACK goes to the remote target"
    );
    assert_eq!(
        ack.header(&HeaderName::Route),
        Some("<sip:198.51.100.1:5080;lr>")
    );
    assert_eq!(ack.cseq().unwrap().to_string(), "2 ACK");
    assert!(ack.header(&HeaderName::ProxyAuthorization).is_some());
    assert_ne!(
        ack.via_top().unwrap().branch(),
        retry.via_top().unwrap().branch()
    );
    let carrier_tag = net.ua(B, |ua, _, _| ua.dialog(second).map(|d| d.local_tag.clone()));
    assert_eq!(ack.to().unwrap().tag().map(str::to_owned), carrier_tag);
    // Only one Answered; the carrier saw the ACK.
    assert_eq!(net.node(A).take_events(), []);
    assert!(matches!(
        net.node(B).take_events().as_slice(),
        [UaEvent::AckReceived { sdp: None, .. }]
    ));

    // A later BYE uses the next CSeq and the same route.
    net.ua(A, |ua, now, layer| ua.bye(now, layer, call))
        .unwrap();
    net.flush();
    let bye = net
        .sent_by(A)
        .into_iter()
        .find(|s| s.label() == "BYE")
        .and_then(|s| s.request().cloned())
        .unwrap();
    assert_eq!(bye.cseq().unwrap().seq, 3);
    assert_eq!(bye.uri.to_string(), contact);
    assert_eq!(
        bye.header(&HeaderName::Route),
        Some("<sip:198.51.100.1:5080;lr>")
    );
}

#[test]
fn a_second_challenge_fails_the_call() {
    let mut net = Net::pair();
    let mut verifier = verifier(&net);
    let mut spec = gateway().invite_for("15551234567", None).unwrap();
    spec.sdp = Some(OFFER.to_vec());
    spec.credentials = Some(witswitch_sip::uac_auth::ClientCredentials::new(
        "acct", "wrong",
    ));
    let call = net
        .ua(A, |ua, now, layer| ua.invite(now, layer, spec))
        .unwrap();
    net.flush();
    for round in 0..2 {
        let (incoming, invite) = incoming(&mut net);
        if round == 1 {
            assert_eq!(verify(&verifier, &net, &invite), Verdict::Failed);
        }
        let mut challenge = Reply::new(407);
        for c in verifier.challenges(net.now, REALM, false) {
            challenge = challenge.header(HeaderName::ProxyAuthenticate, c.to_string());
        }
        net.ua(B, |ua, now, layer| {
            ua.respond(now, layer, incoming, challenge)
        })
        .unwrap();
        net.flush();
    }
    let events = net.node(A).take_events();
    assert!(
        matches!(
            events.as_slice(),
            [
                UaEvent::Failed { dialog, status: 407, .. },
                UaEvent::Terminated { .. }
            ] if *dialog == call
        ),
        "{events:?}"
    );
    // No third INVITE.
    let invites = net
        .sent_by(A)
        .iter()
        .filter(|s| s.label() == "INVITE")
        .count();
    assert_eq!(invites, 2);
}
