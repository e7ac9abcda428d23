//! An app's `collect-digits`: first-digit and inter-digit timeouts,
//! terminators, max digits, and digits buffered before the request.

mod common;

use std::time::Duration;

use common::Harness;
use witswitch_core::{
    Action, AppRequest, AppResponse, ChannelId, CollectOptions, CollectedDigits, Effect,
    MediaEvent, RequestId, SipCommand,
};

fn app_call() -> (Harness, ChannelId) {
    let mut h = Harness::new();
    let a = h.invite("5000");
    h.route(
        a,
        vec![
            Action::Answer,
            Action::App {
                name: "ivr".into(),
                args: "main".into(),
            },
        ],
    );
    assert!(h.log.iter().any(
        |e| matches!(e, Effect::RunApp { name, args, .. } if name == "ivr" && args == "main")
    ));
    assert_eq!(h.engine.channel_var(a, "app_args"), Some("main"));
    assert!(
        h.sip_commands(a)
            .iter()
            .any(|c| matches!(c, SipCommand::Answer { .. }))
    );
    (h, a)
}

fn options(max: u32) -> CollectOptions {
    CollectOptions {
        max_digits: max,
        first_digit_timeout_ms: 5000,
        inter_digit_timeout_ms: 2000,
        terminators: "#".into(),
    }
}

fn digit(h: &mut Harness, a: ChannelId, d: char) {
    h.media(MediaEvent::Dtmf {
        leg: a.leg(),
        digit: d,
        duration_ms: 80,
    });
}

fn last_digits(h: &Harness, a: ChannelId) -> Option<(RequestId, CollectedDigits)> {
    h.app_replies(a)
        .into_iter()
        .rev()
        .find_map(|(r, res)| match res {
            Ok(AppResponse::Digits(d)) => Some((r, d)),
            _ => None,
        })
}

#[test]
fn first_digit_timeout() {
    let (mut h, a) = app_call();
    h.app(a, 1, AppRequest::CollectDigits(options(4)));
    h.advance(Duration::from_millis(4999));
    assert!(last_digits(&h, a).is_none());
    h.advance(Duration::from_millis(1));
    let (request, digits) = last_digits(&h, a).expect("reply");
    assert_eq!(request, RequestId(1));
    assert_eq!(
        digits,
        CollectedDigits {
            digits: String::new(),
            terminator: None,
            timed_out: true
        }
    );
}

#[test]
fn inter_digit_timeout_after_the_first_digit() {
    let (mut h, a) = app_call();
    h.app(a, 1, AppRequest::CollectDigits(options(4)));
    h.advance(Duration::from_secs(1));
    digit(&mut h, a, '1');
    // The first-digit timer (5 s) no longer applies; 2 s after the digit it ends.
    h.advance(Duration::from_millis(1999));
    assert!(last_digits(&h, a).is_none());
    digit(&mut h, a, '2');
    h.advance(Duration::from_millis(1999));
    assert!(last_digits(&h, a).is_none());
    h.advance(Duration::from_millis(1));
    let (_, digits) = last_digits(&h, a).expect("reply");
    assert_eq!(
        digits,
        CollectedDigits {
            digits: "12".into(),
            terminator: None,
            timed_out: true
        }
    );
}

#[test]
fn terminator_and_max_digits_end_collection() {
    let (mut h, a) = app_call();
    h.app(a, 1, AppRequest::CollectDigits(options(4)));
    digit(&mut h, a, '7');
    digit(&mut h, a, '#');
    assert_eq!(
        last_digits(&h, a).map(|(_, d)| d),
        Some(CollectedDigits {
            digits: "7".into(),
            terminator: Some('#'),
            timed_out: false
        })
    );

    h.app(a, 2, AppRequest::CollectDigits(options(2)));
    digit(&mut h, a, '4');
    digit(&mut h, a, '5');
    let (request, digits) = last_digits(&h, a).expect("reply");
    assert_eq!(request, RequestId(2));
    assert_eq!(digits.digits, "45");
    assert!(!digits.timed_out);
    // No stray timer fires later.
    let replies = h.app_replies(a).len();
    h.advance(Duration::from_secs(10));
    assert_eq!(h.app_replies(a).len(), replies);
}

#[test]
fn digits_pressed_before_the_request_are_used() {
    let (mut h, a) = app_call();
    h.app(a, 1, AppRequest::Sleep(1000));
    digit(&mut h, a, '3');
    digit(&mut h, a, '9');
    h.advance(Duration::from_secs(1));
    assert!(matches!(
        h.app_replies(a).last(),
        Some((RequestId(1), Ok(AppResponse::Done)))
    ));
    h.app(a, 2, AppRequest::CollectDigits(options(2)));
    assert_eq!(last_digits(&h, a).map(|(_, d)| d.digits), Some("39".into()));
}

#[test]
fn sip_info_digits_count_too() {
    let (mut h, a) = app_call();
    h.app(a, 1, AppRequest::CollectDigits(options(1)));
    h.sip(
        a,
        witswitch_core::SipInput::Dtmf {
            digit: '5',
            duration_ms: 100,
        },
    );
    assert_eq!(last_digits(&h, a).map(|(_, d)| d.digits), Some("5".into()));
}

#[test]
fn bad_arguments_and_overlapping_requests_are_refused() {
    let (mut h, a) = app_call();
    h.app(a, 1, AppRequest::CollectDigits(options(0)));
    assert!(matches!(
        h.app_replies(a).last(),
        Some((_, Err(witswitch_core::AppError::InvalidArgument(_))))
    ));
    h.app(a, 2, AppRequest::CollectDigits(options(3)));
    h.app(a, 3, AppRequest::GetVar("uuid".into()));
    assert!(matches!(
        h.app_replies(a).last(),
        Some((RequestId(3), Err(witswitch_core::AppError::Failed(_))))
    ));
}
