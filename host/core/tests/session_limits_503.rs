//! max-sessions and sessions-per-second: over either, 503 with
//! Retry-After and no channel; both change at runtime.

mod common;

use std::time::Duration;

use common::{Harness, default_config};
use witswitch_core::{HangupCause, SipCommand};

fn is_503(h: &Harness, ch: witswitch_core::ChannelId, retry: u32) -> bool {
    h.sip_commands(ch)
        == vec![SipCommand::Reject {
            status: 503,
            cause: HangupCause::NormalCircuitCongestion,
            retry_after: Some(retry),
        }]
}

#[test]
fn max_sessions_refuses_the_extra_call() {
    let mut config = default_config();
    config.max_sessions = 2;
    let mut h = Harness::with_config(config);
    let first = h.invite("9196");
    let second = h.invite("9196");
    let third = h.invite("9196");
    assert_eq!(h.routes(first) + h.routes(second), 2);
    assert!(is_503(&h, third, 5));
    assert_eq!(h.routes(third), 0);
    assert!(h.destroyed(third));
    assert_eq!(h.engine.channel_count(), 2);
    assert_eq!(h.engine.stats().refused_by_limits, 1);
    assert!(
        h.cdrs().is_empty(),
        "a refused INVITE never became a channel"
    );

    h.engine.set_max_sessions(3);
    h.advance(Duration::from_secs(1));
    let fourth = h.invite("9196");
    assert_eq!(h.routes(fourth), 1);
}

#[test]
fn sessions_per_second_defaults_to_30() {
    let mut h = Harness::new();
    assert_eq!(h.engine.limits().sessions_per_second(), 30);
    assert_eq!(h.engine.limits().max_sessions(), 1000);
    let admitted: Vec<_> = (0..30).map(|_| h.invite("9196")).collect();
    assert!(admitted.iter().all(|ch| h.routes(*ch) == 1));
    let over = h.invite("9196");
    assert!(is_503(&h, over, 1));

    // The next second has room again; raising the rate takes effect at once.
    h.advance(Duration::from_secs(1));
    let next = h.invite("9196");
    assert_eq!(h.routes(next), 1);
    h.engine.set_sessions_per_second(100);
    let more: Vec<_> = (0..40).map(|_| h.invite("9196")).collect();
    assert!(more.iter().all(|ch| h.routes(*ch) == 1));
}
