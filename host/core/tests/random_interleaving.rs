//! Hostile and out-of-order inputs: random SIP, media, route, app and timer
//! inputs across many calls never panic, every app request is answered
//! exactly once, and once every call is hung up nothing is left (channels,
//! timers).

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::{Harness, OFFER_G729, answer_pcmu, offer_with_direction};
use witswitch_core::{
    Action, AppOutcome, AppRequest, ChannelId, CollectOptions, Effect, HangupCause, LegId,
    MediaEvent, PlayAndGetDigitsOptions, PlayId, RecordOptions, RegisteredContact, SipInput,
};

/// xorshift64*: a small deterministic generator for the test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[usize::try_from(self.below(items.len() as u64)).unwrap_or(0)]
    }
}

fn random_action(rng: &mut Rng) -> Action {
    match rng.below(14) {
        0 => Action::Answer,
        1 => Action::PreAnswer,
        2 => Action::RingReady,
        3 => Action::Playback("${missing}x.wav".into()),
        4 => Action::Bridge(
            rng.pick(&[
                "user/1001",
                "sofia/internal/a@h,sofia/internal/b@h|error/user_busy",
                "{bad",
                "sofia/gateway/carrier/1",
            ])
            .to_string(),
        ),
        5 => Action::Sleep(u32::try_from(rng.below(3000)).unwrap_or(0)),
        6 => Action::Echo,
        7 => Action::Park,
        8 => Action::App {
            name: "ivr".into(),
            args: String::new(),
        },
        9 => Action::Transfer {
            extension: "again".into(),
            context: None,
        },
        10 => Action::Hangup(HangupCause::UserBusy),
        11 => Action::RecordSession("/tmp/r.wav".into()),
        12 => Action::Execute {
            name: "play_and_get_digits".into(),
            data: "1 2 2 1000 # p.wav i.wav v \\d".into(),
        },
        _ => Action::Execute {
            name: "no_such_app".into(),
            data: "x".into(),
        },
    }
}

fn random_request(rng: &mut Rng) -> AppRequest {
    match rng.below(10) {
        0 => AppRequest::Answer,
        1 => AppRequest::Play("p.wav".into()),
        2 => AppRequest::CollectDigits(CollectOptions {
            max_digits: u32::try_from(rng.below(4)).unwrap_or(0),
            first_digit_timeout_ms: 500,
            inter_digit_timeout_ms: 300,
            terminators: "#".into(),
        }),
        3 => AppRequest::PlayAndGetDigits(PlayAndGetDigitsOptions {
            min_digits: 1,
            max_digits: 2,
            tries: 2,
            timeout_ms: 400,
            digit_timeout_ms: 200,
            terminators: "#".into(),
            prompt: "p.wav".into(),
            invalid_prompt: Some("i.wav".into()),
            valid_regex: Some(rng.pick(&["^1", "(", ""]).to_string()),
        }),
        4 => AppRequest::Record(RecordOptions {
            path: "r.wav".into(),
            max_seconds: 1,
            silence_seconds: 0,
            silence_threshold: 200,
            terminators: "#".into(),
        }),
        5 => AppRequest::Bridge("sofia/internal/x@y".into()),
        6 => AppRequest::Sleep(200),
        7 => AppRequest::SendDtmf(rng.pick(&["12#", "", "xyz"]).to_string()),
        8 => AppRequest::Hangup(HangupCause::NormalClearing),
        _ => AppRequest::Transfer {
            extension: "9196".into(),
            context: None,
        },
    }
}

#[test]
fn random_inputs_leave_nothing_behind() {
    for seed in 1..=40u64 {
        run(seed);
    }
}

fn run(seed: u64) {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut h = Harness::new();
    h.auto_legs = !seed.is_multiple_of(3);
    let mut channels: Vec<ChannelId> = Vec::new();
    let mut next_request = 1u64;
    for _ in 0..400 {
        let roll = rng.below(100);
        if roll < 8 || channels.is_empty() {
            let sdp = match rng.below(4) {
                0 => None,
                1 => Some(OFFER_G729),
                _ => Some(common::OFFER_PCMU),
            };
            channels.push(h.invite_from("1000", "9196", sdp));
            continue;
        }
        // Include channels the engine created (B legs) as targets.
        for e in &h.log {
            if let Effect::Sip { channel, .. } = e
                && !channels.contains(channel)
            {
                channels.push(*channel);
            }
        }
        let ch = *rng.pick(&channels);
        let leg = LegId(ch.0);
        match roll {
            8..=20 => {
                let actions = (0..rng.below(5)).map(|_| random_action(&mut rng)).collect();
                h.route(ch, actions);
            }
            21..=30 => {
                let input = match rng.below(12) {
                    0 => SipInput::Bye { reason: None },
                    1 => SipInput::Cancel { reason: None },
                    2 => SipInput::Ack {
                        sdp: if rng.below(2) == 0 {
                            None
                        } else {
                            Some(answer_pcmu(30000))
                        },
                    },
                    3 => SipInput::Provisional {
                        status: 180,
                        sdp: None,
                    },
                    4 => SipInput::Provisional {
                        status: 183,
                        sdp: Some(answer_pcmu(40000)),
                    },
                    5 => SipInput::Answered {
                        sdp: Some(answer_pcmu(40000)),
                    },
                    6 => SipInput::Answered {
                        sdp: Some(b"garbage".to_vec()),
                    },
                    7 => SipInput::Failed {
                        status: u16::try_from(400 + rng.below(300)).unwrap_or(500),
                        reason: None,
                    },
                    8 => SipInput::ReInvite {
                        sdp: Some(offer_with_direction("sendonly")),
                    },
                    9 => SipInput::ReInviteAnswered {
                        sdp: Some(answer_pcmu(40000)),
                    },
                    10 => SipInput::Dtmf {
                        digit: *rng.pick(&['1', '#', 'x', '9']),
                        duration_ms: 100,
                    },
                    _ => SipInput::AckTimeout,
                };
                h.sip(ch, input);
            }
            31..=45 => {
                let event = match rng.below(8) {
                    0 => MediaEvent::LegReady {
                        leg,
                        local: "192.0.2.10:20000".parse().expect("addr"),
                    },
                    1 => MediaEvent::LegFailed {
                        leg,
                        what: "no ports".into(),
                    },
                    2 => MediaEvent::Dtmf {
                        leg,
                        digit: *rng.pick(&['1', '2', '#', '*']),
                        duration_ms: 80,
                    },
                    3 | 4 => MediaEvent::PlaybackDone {
                        leg,
                        play_id: PlayId(rng.below(2000)),
                        interrupted_by: None,
                    },
                    5 => MediaEvent::RecordDone {
                        leg,
                        path: "r.wav".into(),
                        ms: 10,
                    },
                    6 => MediaEvent::RtpTimeout { leg },
                    _ => MediaEvent::Error {
                        leg,
                        what: "boom".into(),
                    },
                };
                h.media(event);
            }
            46..=60 => {
                let req = random_request(&mut rng);
                h.app(ch, next_request, req);
                next_request += 1;
            }
            61..=65 => {
                let outcome = match rng.below(3) {
                    0 => AppOutcome::Completed,
                    1 => AppOutcome::Failed("x".into()),
                    _ => AppOutcome::ScriptFailed {
                        message: "trap".into(),
                        cause: HangupCause::Crash,
                    },
                };
                h.engine.handle_app_finished(h.now, ch, outcome);
                h.settle();
            }
            66..=72 => {
                let lookups = h.lookups();
                if !lookups.is_empty() {
                    let (lookup, _) = *rng.pick(&lookups);
                    let contact = RegisteredContact {
                        profile: "internal".into(),
                        uri: "sip:1001@h".into(),
                        source: None,
                    };
                    let contacts = if rng.below(2) == 0 {
                        Vec::new()
                    } else {
                        vec![contact.clone(), contact]
                    };
                    h.locate(lookup, contacts);
                }
            }
            _ => h.advance(Duration::from_millis(rng.below(3000))),
        }
    }
    // Tear down: hang everything up, finish the apps, bind pending legs.
    h.auto_legs = true;
    h.engine.hangup_all(h.now, HangupCause::SystemShutdown);
    h.settle();
    for ch in channels {
        h.engine
            .handle_app_finished(h.now, ch, AppOutcome::Completed);
        h.settle();
    }
    // Every request was answered exactly once (open ones by the hangup).
    let mut replies: HashMap<u64, usize> = HashMap::new();
    for e in &h.log {
        if let Effect::AppReply { request, .. } = e {
            *replies.entry(request.0).or_default() += 1;
        }
    }
    assert!(
        replies.values().all(|n| *n == 1),
        "seed {seed}: a request was answered twice"
    );
    assert_eq!(
        replies.len() as u64,
        next_request - 1,
        "seed {seed}: a request got no reply"
    );

    assert_eq!(h.engine.channel_count(), 0, "seed {seed}: channels left");
    assert_eq!(h.engine.poll_timeout(), None, "seed {seed}: timers left");
    let cdrs = h.cdrs().len();
    let created = h.engine.stats().sessions_since_start;
    assert_eq!(cdrs as u64, created, "seed {seed}: one CDR per channel");
}
