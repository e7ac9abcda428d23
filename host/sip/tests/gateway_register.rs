//! Outbound registration with FreeSWITCH's states: REGISTER → 401 → REGISTER with
//! Authorization → 200 → REGED, refreshed at freq - 15 s; failures wait retry-seconds
//! (times the failure count) in FAIL_WAIT; timeouts go through TIMEOUT; 423 raises the
//! interval; unregister sends Expires: 0.

mod gateway_support;

use gateway_support::net::A;
use gateway_support::*;
use witswitch_sip::ContactList;
use witswitch_sip::HeaderName;
use witswitch_sip::auth::Verdict;
use witswitch_sip::gateway::{GatewayState, GatewayStatus};

use GatewayState::*;

#[test]
fn challenge_then_reged_then_refresh_at_freq_minus_15() {
    let (mut net, carrier) = network(settings(3600), RegisterPolicy::Auth { granted: 120 });
    net.gateway(A, 0, |g, now, layer| g.start(now, layer));
    net.flush();

    let events = net.node(A).take_gateway_events();
    assert_eq!(states(&events), [Unreged, Trying, Register, Reged]);
    assert_eq!(events.last().map(|e| e.status), Some(GatewayStatus::Up));
    assert!(events.iter().all(|e| e.gateway == "carrier"));
    {
        let carrier = carrier.borrow();
        assert_eq!(carrier.registers.len(), 2);
        assert!(matches!(
            carrier.verdicts.as_slice(),
            [Verdict::Authenticated { .. }]
        ));
        let (first, second) = (&carrier.registers[0].1, &carrier.registers[1].1);
        assert_eq!(first.uri.to_string(), "sip:carrier.example");
        assert_eq!(first.header(&HeaderName::Authorization), None);
        assert_eq!(first.expires(), Ok(Some(3600)));
        assert_eq!(
            first.from().unwrap().uri.to_string(),
            "sip:acct@carrier.example"
        );
        assert_eq!(first.to().unwrap().uri, first.from().unwrap().uri);
        let contact = match first.contacts().unwrap() {
            ContactList::Addresses(list) => list[0].uri.to_string(),
            ContactList::Star => panic!("star"),
        };
        assert_eq!(contact, "sip:gw+carrier@192.0.2.1:5060;gw=carrier");
        // §10.2: one Call-ID per boot, CSeq growing; a new branch each time.
        assert_eq!(second.call_id(), first.call_id());
        assert_eq!(first.cseq().unwrap().seq, 1);
        assert_eq!(second.cseq().unwrap().seq, 2);
        assert_ne!(
            second.via_top().unwrap().branch(),
            first.via_top().unwrap().branch()
        );
    }
    assert_eq!(
        net.gateway(A, 0, |g, _, _| (g.state(), g.status(), g.granted_expires())),
        (Reged, GatewayStatus::Up, 120)
    );

    // Granted 120 s: FreeSWITCH refreshes at 120 - 15 = 105 s.
    net.run_until(104_999);
    assert_eq!(carrier.borrow().registers.len(), 2);
    net.run_until(105_000);
    let times: Vec<u64> = carrier.borrow().registers.iter().map(|(t, _)| *t).collect();
    assert_eq!(times, [0, 0, 105_000, 105_000]);
    assert_eq!(
        states(&net.node(A).take_gateway_events()),
        [Unreged, Trying, Register, Reged]
    );
    let seqs: Vec<u32> = carrier
        .borrow()
        .registers
        .iter()
        .map(|(_, r)| r.cseq().unwrap().seq)
        .collect();
    assert_eq!(seqs, [1, 2, 3, 4]);
    net.run_until(210_000);
    assert_eq!(carrier.borrow().registers.len(), 6);
}

#[test]
fn failures_wait_retry_seconds_times_the_failure_count() {
    let (mut net, carrier) = network(settings(3600), RegisterPolicy::Status(403));
    net.gateway(A, 0, |g, now, layer| g.start(now, layer));
    net.flush();
    let events = net.node(A).take_gateway_events();
    assert_eq!(states(&events), [Unreged, Trying, Failed, FailWait]);
    let failed = &events[2];
    assert_eq!(failed.status_code, Some(403));
    assert_eq!(failed.phrase.as_deref(), Some("Forbidden"));
    assert_eq!(failed.status, GatewayStatus::Down);

    // First retry after 30 s, the second after 2 × 30 s.
    net.run_until(90_000);
    let times: Vec<u64> = carrier.borrow().registers.iter().map(|(t, _)| *t).collect();
    assert_eq!(times, [0, 30_000, 90_000]);

    // The carrier recovers: the next retry (after 3 × 30 s) registers.
    carrier.borrow_mut().register = RegisterPolicy::Auth { granted: 3600 };
    net.node(A).take_gateway_events();
    net.run_until(180_000);
    let events = net.node(A).take_gateway_events();
    assert_eq!(states(&events), [Unreged, Trying, Register, Reged]);
    assert_eq!(net.gateway(A, 0, |g, _, _| g.status()), GatewayStatus::Up);
    // Refresh at 3600 - 15 s.
    assert_eq!(
        net.gateway(A, 0, |g, _, _| g.poll_timeout())
            .map(|t| (t - net.base).as_millis()),
        Some(180_000 + 3_585_000)
    );
}

#[test]
fn silence_goes_through_timeout_and_retries_without_backoff() {
    let (mut net, carrier) = network(settings(3600), RegisterPolicy::Silent);
    net.gateway(A, 0, |g, now, layer| g.start(now, layer));
    net.flush();
    // Timer F (64*T1 = 32 s) ends the REGISTER transaction.
    net.run_until(32_000);
    let events = net.node(A).take_gateway_events();
    assert_eq!(
        states(&events),
        [Unreged, Trying, Timeout, Failed, FailWait]
    );
    assert_eq!(events[2].status_code, Some(908));
    // FreeSWITCH does not multiply the wait after a timeout.
    net.run_until(130_000);
    // One entry per REGISTER transaction (the carrier's layer absorbs retransmissions).
    let times: Vec<u64> = carrier.borrow().registers.iter().map(|(t, _)| *t).collect();
    assert_eq!(times, [0, 62_000, 124_000]);
}

#[test]
fn interval_too_brief_is_raised_to_min_expires() {
    let (mut net, carrier) = network(settings(300), RegisterPolicy::MinExpires(600));
    net.gateway(A, 0, |g, now, layer| g.start(now, layer));
    net.flush();
    let expires: Vec<Option<u32>> = carrier
        .borrow()
        .registers
        .iter()
        .map(|(_, r)| r.expires().ok().flatten())
        .collect();
    assert_eq!(expires, [Some(300), Some(600), Some(600)]);
    assert_eq!(
        net.gateway(A, 0, |g, _, _| (g.state(), g.granted_expires())),
        (Reged, 600)
    );
}

#[test]
fn unregister_sends_expires_zero_and_ends_in_noreg() {
    let (mut net, carrier) = network(settings(3600), RegisterPolicy::Auth { granted: 3600 });
    net.gateway(A, 0, |g, now, layer| g.start(now, layer));
    net.flush();
    net.node(A).take_gateway_events();
    net.gateway(A, 0, |g, now, layer| g.unregister(now, layer));
    net.flush();
    let events = net.node(A).take_gateway_events();
    assert_eq!(states(&events), [Unregister, Noreg]);
    assert!(events.iter().all(|e| e.status == GatewayStatus::Down));
    let carrier = carrier.borrow();
    // The un-REGISTER was challenged and answered too.
    let last_two: Vec<(Option<u32>, bool)> = carrier.registers[2..]
        .iter()
        .map(|(_, r)| {
            (
                r.expires().ok().flatten(),
                r.header(&HeaderName::Authorization).is_some(),
            )
        })
        .collect();
    assert_eq!(last_two, [(Some(0), false), (Some(0), true)]);
    assert_eq!(net.gateway(A, 0, |g, _, _| g.poll_timeout()), None);
}

#[test]
fn register_now_brings_a_killed_or_failed_gateway_back_at_once() {
    let (mut net, carrier) = network(settings(3600), RegisterPolicy::Status(403));
    net.gateway(A, 0, |g, now, layer| g.start(now, layer));
    net.flush();
    let events = net.node(A).take_gateway_events();
    assert_eq!(states(&events).last(), Some(&FailWait));
    // The carrier is fixed; `register` retries now instead of after retry-seconds.
    carrier.borrow_mut().register = RegisterPolicy::Auth { granted: 3600 };
    let before = carrier.borrow().registers.len();
    assert!(net.gateway(A, 0, |g, now, layer| g.register_now(now, layer)));
    net.flush();
    assert!(carrier.borrow().registers.len() > before);
    let events = net.node(A).take_gateway_events();
    assert_eq!(states(&events), [Unreged, Trying, Register, Reged]);
    // After killgw (unregister), `register` starts it again.
    net.gateway(A, 0, |g, now, layer| g.unregister(now, layer));
    net.flush();
    assert_eq!(
        states(&net.node(A).take_gateway_events()),
        [Unregister, Noreg]
    );
    assert!(net.gateway(A, 0, |g, now, layer| g.register_now(now, layer)));
    net.flush();
    let events = net.node(A).take_gateway_events();
    assert_eq!(states(&events).last(), Some(&Reged));
    assert!(net.gateway(A, 0, |g, _, _| g.poll_timeout()).is_some());
}

#[test]
fn register_now_refuses_a_gateway_that_does_not_register() {
    let mut s = settings(3600);
    s.register = false;
    let (mut net, carrier) = network(s, RegisterPolicy::Auth { granted: 3600 });
    net.gateway(A, 0, |g, now, layer| g.start(now, layer));
    assert!(!net.gateway(A, 0, |g, now, layer| g.register_now(now, layer)));
    net.flush();
    assert!(carrier.borrow().registers.is_empty());
}
