//! Engine CPU per call, without any I/O: an answered echo call (INVITE →
//! route → answer + echo → BYE) and a bridged call (A → bridge → B answers
//! → BYE), every effect drained. Events on and off.

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use witswitch_core::{
    Action, Effect, Engine, EngineConfig, InboundInvite, MediaCommand, MediaEvent, ProfileConfig,
    SeededIds, SipCommand, SipInput, WallClock,
};

const OFFER: &str = "v=0\r\no=phone 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n\
m=audio 30000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n";
const ANSWER: &str = "v=0\r\no=far 2 2 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n\
m=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n";

fn engine(events: bool) -> Engine {
    let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let profile = ProfileConfig::new(
        "internal",
        "public",
        "PCMU,PCMA".parse().expect("codecs"),
        ip,
    );
    let mut config = EngineConfig::new([profile]);
    config.max_sessions = u32::MAX;
    config.sessions_per_second = 0;
    config.events = events;
    Engine::new(
        config,
        Box::new(SeededIds::new(1)),
        WallClock::new(Instant::now(), 0),
    )
}

fn invite(dest: &str) -> InboundInvite {
    InboundInvite {
        profile: "internal".into(),
        call_id: "bench@10.0.0.1".into(),
        request_user: dest.into(),
        from_user: "1000".into(),
        from_host: "10.0.0.1".into(),
        to_user: dest.into(),
        source: Some("10.0.0.1:5060".parse().expect("addr")),
        sdp: Some(OFFER.as_bytes().to_vec()),
        ..InboundInvite::default()
    }
}

/// Drains effects, binding legs and answering routes/invites like a driver.
fn pump(engine: &mut Engine, now: Instant, actions: &[Action]) -> Vec<witswitch_core::ChannelId> {
    let mut outgoing = Vec::new();
    while let Some(effect) = engine.poll_effect() {
        match effect {
            Effect::Media(MediaCommand::CreateLeg { leg, .. }) => {
                let local = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 20000);
                engine.handle_media(now, MediaEvent::LegReady { leg, local });
            }
            Effect::Route { channel, .. } => {
                engine.handle_route_result(now, channel, None, Ok(actions.to_vec()))
            }
            Effect::Sip {
                channel,
                command: SipCommand::Invite { .. },
                ..
            } => outgoing.push(channel),
            other => {
                black_box(other);
            }
        }
    }
    outgoing
}

fn echo_call(engine: &mut Engine, now: Instant) {
    let actions = [Action::Answer, Action::Echo];
    let a = engine.handle_invite(now, invite("9196"));
    pump(engine, now, &actions);
    engine.handle_sip(
        now + Duration::from_secs(2),
        a,
        SipInput::Bye { reason: None },
    );
    pump(engine, now, &actions);
}

fn bridged_call(engine: &mut Engine, now: Instant) {
    let actions = [Action::Bridge("sofia/internal/1001@10.0.0.2".into())];
    let a = engine.handle_invite(now, invite("1001"));
    let b = pump(engine, now, &actions);
    for leg in b {
        engine.handle_sip(
            now,
            leg,
            SipInput::Provisional {
                status: 180,
                sdp: None,
            },
        );
        engine.handle_sip(
            now,
            leg,
            SipInput::Answered {
                sdp: Some(ANSWER.as_bytes().to_vec()),
            },
        );
    }
    pump(engine, now, &actions);
    engine.handle_sip(
        now + Duration::from_secs(2),
        a,
        SipInput::Bye { reason: None },
    );
    pump(engine, now, &actions);
}

fn bench(c: &mut Criterion) {
    for events in [true, false] {
        let label = if events { "events" } else { "no_events" };
        let mut e = engine(events);
        let now = Instant::now();
        c.bench_function(&format!("echo_call/{label}"), |b| {
            b.iter(|| echo_call(&mut e, now))
        });
        let mut e = engine(events);
        c.bench_function(&format!("bridged_call/{label}"), |b| {
            b.iter(|| bridged_call(&mut e, now))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
