//! `register = false` gives NOREG; OPTIONS pings mark the gateway up and down; the
//! call outline through a gateway carries its caller-id settings.

mod gateway_support;

use std::time::Duration;

use gateway_support::net::A;
use gateway_support::*;
use witswitch_sip::gateway::{CallerId, GatewayState, GatewayStatus};

#[test]
fn register_false_is_noreg_and_up_without_traffic() {
    let mut s = settings(3600);
    s.register = false;
    let (mut net, carrier) = network(s, RegisterPolicy::Auth { granted: 3600 });
    net.gateway(A, 0, |g, now, layer| g.start(now, layer));
    net.run_until(600_000);
    let events = net.node(A).take_gateway_events();
    assert_eq!(states(&events), [GatewayState::Noreg]);
    assert_eq!(events[0].status, GatewayStatus::Up);
    assert!(carrier.borrow().registers.is_empty());
    assert!(net.log.is_empty());
}

#[test]
fn ping_failures_mark_the_gateway_down_and_answers_bring_it_back() {
    let mut s = settings(3600);
    s.register = false;
    s.ping = Some(Duration::from_secs(30));
    let (mut net, carrier) = network(s, RegisterPolicy::Auth { granted: 3600 });
    net.gateway(A, 0, |g, now, layer| g.start(now, layer));
    net.flush();
    // Pinged gateways start down and come up with the first answer.
    let events = net.node(A).take_gateway_events();
    let seen: Vec<(GatewayState, GatewayStatus)> =
        events.iter().map(|e| (e.state, e.status)).collect();
    assert_eq!(
        seen,
        [
            (GatewayState::Noreg, GatewayStatus::Down),
            (GatewayState::Noreg, GatewayStatus::Up)
        ]
    );

    net.run_until(59_999);
    assert_eq!(carrier.borrow().pings, [0, 30_000]);
    assert!(net.node(A).take_gateway_events().is_empty());

    // The carrier goes quiet: the 60 s ping times out (Timer F, 32 s) → down.
    carrier.borrow_mut().options = None;
    net.run_until(91_999);
    assert_eq!(net.gateway(A, 0, |g, _, _| g.status()), GatewayStatus::Up);
    net.run_until(92_000);
    let down = net.node(A).take_gateway_events();
    assert_eq!(down.len(), 1);
    assert_eq!(down[0].status, GatewayStatus::Down);
    assert_eq!(down[0].state, GatewayState::Noreg);
    assert_eq!(down[0].status_code, Some(908));

    // 503 keeps it down; the next plain answer brings it back up.
    carrier.borrow_mut().options = Some(503);
    net.run_until(122_000);
    assert!(net.node(A).take_gateway_events().is_empty());
    assert_eq!(net.gateway(A, 0, |g, _, _| g.status()), GatewayStatus::Down);
    carrier.borrow_mut().options = Some(404);
    net.run_until(152_000);
    let up = net.node(A).take_gateway_events();
    assert_eq!(up.len(), 1);
    assert_eq!(up[0].status, GatewayStatus::Up);
    assert_eq!(
        carrier.borrow().pings,
        [0, 30_000, 60_000, 122_000, 152_000]
    );
}

#[test]
fn registered_gateway_pings_too_and_a_dead_ping_marks_it_down() {
    let mut s = settings(3600);
    s.ping = Some(Duration::from_secs(20));
    let (mut net, carrier) = network(s, RegisterPolicy::Auth { granted: 3600 });
    net.gateway(A, 0, |g, now, layer| g.start(now, layer));
    net.flush();
    net.node(A).take_gateway_events();
    carrier.borrow_mut().options = None;
    net.run_until(20_000 + 32_000);
    let events = net.node(A).take_gateway_events();
    assert_eq!(events.len(), 1);
    assert_eq!(
        (events[0].state, events[0].status),
        (GatewayState::Reged, GatewayStatus::Down)
    );
}

#[test]
fn call_outline_uses_from_user_or_the_callers_number() {
    let mut s = settings(3600);
    s.register = false;
    s.from_user = Some("trunk42".into());
    let (mut net, _) = network(s.clone(), RegisterPolicy::Silent);
    let caller = CallerId {
        name: Some("Alice"),
        number: "15550001111",
    };
    let spec = net
        .gateway(A, 0, |g, _, _| g.invite_for("18005551212", Some(caller)))
        .unwrap();
    assert_eq!(spec.target.to_string(), "sip:18005551212@carrier.example");
    assert_eq!(spec.to.to_string(), "<sip:18005551212@carrier.example>");
    assert_eq!(
        spec.from.to_string(),
        "\"Alice\" <sip:trunk42@carrier.example>"
    );
    assert_eq!(spec.dest, gateway_support::net::addr_b());
    assert_eq!(
        spec.credentials.as_ref().map(|c| c.username.as_str()),
        Some("acct")
    );

    s.caller_id_in_from = true;
    s.from_domain = Some("pbx.example".into());
    let (mut net, _) = network(s, RegisterPolicy::Silent);
    let spec = net
        .gateway(A, 0, |g, _, _| g.invite_for("18005551212", Some(caller)))
        .unwrap();
    assert_eq!(spec.from.uri.to_string(), "sip:15550001111@pbx.example");
    // A number that cannot be a URI user is an error, not a panic.
    assert!(
        net.gateway(A, 0, |g, _, _| g.invite_for("1800 555", None))
            .is_err()
    );
}
