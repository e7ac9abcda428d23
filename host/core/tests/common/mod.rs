//! Scenario harness: an engine on virtual time, inputs fed one at a time,
//! every effect recorded. Media legs are bound automatically (each
//! `CreateLeg` is answered with `LegReady`) unless a test turns that off.

#![allow(dead_code)] // each test file uses a different part

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use witswitch_core::{
    Action, AppRequest, CdrRecord, ChannelEvent, ChannelId, Effect, Engine, EngineConfig,
    EventName, InboundInvite, InviteTarget, LookupId, MediaCommand, MediaEvent, ProfileConfig,
    RegisteredContact, RequestId, SeededIds, SipCommand, SipInput, WallClock,
};
use witswitch_sdp::CodecPrefs;

/// 2026-01-01T00:00:00Z in µs: the wall clock at `t0`.
pub const EPOCH_US: u64 = 1_767_225_600_000_000;

/// A PCMU + telephone-event offer from a phone at 10.0.0.1.
pub const OFFER_PCMU: &str = "v=0\r\no=phone 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n\
m=audio 30000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n\
a=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n";

/// An offer with G.729 only (nothing we accept).
pub const OFFER_G729: &str = "v=0\r\no=phone 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n\
m=audio 30000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n";

/// An answer from a far end at 10.0.0.2 choosing PCMU.
pub fn answer_pcmu(port: u16) -> Vec<u8> {
    format!(
        "v=0\r\no=far 2 2 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n\
m=audio {port} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
    )
    .into_bytes()
}

/// An offer with a given direction attribute (for re-INVITEs).
pub fn offer_with_direction(direction: &str) -> Vec<u8> {
    format!(
        "v=0\r\no=phone 1 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n\
m=audio 30000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na={direction}\r\n"
    )
    .into_bytes()
}

pub fn profile(name: &str, context: &str) -> ProfileConfig {
    let codecs: CodecPrefs = "PCMU,PCMA".parse().expect("codec list");
    ProfileConfig::new(
        name,
        context,
        codecs,
        IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10)),
    )
}

pub fn default_config() -> EngineConfig {
    let mut config =
        EngineConfig::new([profile("internal", "public"), profile("external", "public")]);
    config.gateways.insert("carrier".into(), "external".into());
    config.gateways.insert("backup".into(), "external".into());
    config
}

pub struct Harness {
    pub engine: Engine,
    pub t0: Instant,
    pub now: Instant,
    /// Every effect so far, in order.
    pub log: Vec<Effect>,
    /// How many of `log` a test has looked at through `take_new`.
    seen: usize,
    /// Answer `CreateLeg` with `LegReady` at once.
    pub auto_legs: bool,
}

impl Harness {
    pub fn new() -> Self {
        Self::with_config(default_config())
    }

    pub fn with_config(config: EngineConfig) -> Self {
        let t0 = Instant::now();
        let engine = Engine::new(
            config,
            Box::new(SeededIds::new(42)),
            WallClock::new(t0, EPOCH_US),
        );
        Self {
            engine,
            t0,
            now: t0,
            log: Vec::new(),
            seen: 0,
            auto_legs: true,
        }
    }

    /// Drains the engine, binding legs when `auto_legs`.
    pub fn settle(&mut self) {
        loop {
            let mut legs = Vec::new();
            while let Some(effect) = self.engine.poll_effect() {
                if let Effect::Media(MediaCommand::CreateLeg { leg, .. }) = &effect {
                    legs.push(*leg);
                }
                self.log.push(effect);
            }
            if !self.auto_legs || legs.is_empty() {
                return;
            }
            for leg in legs {
                let port = 20000 + u16::try_from(leg.0 % 10000).unwrap_or(0) * 2;
                let local = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10)), port);
                self.engine
                    .handle_media(self.now, MediaEvent::LegReady { leg, local });
            }
        }
    }

    /// Effects logged since the last call.
    pub fn take_new(&mut self) -> Vec<Effect> {
        self.settle();
        let new = self.log[self.seen..].to_vec();
        self.seen = self.log.len();
        new
    }

    pub fn invite_from(&mut self, from: &str, dest: &str, sdp: Option<&str>) -> ChannelId {
        let invite = InboundInvite {
            profile: "internal".into(),
            call_id: format!("call-{}@10.0.0.1", self.log.len()),
            request_user: dest.into(),
            request_host: "192.0.2.10".into(),
            from_display: None,
            from_user: from.into(),
            from_host: "192.0.2.10".into(),
            to_user: dest.into(),
            to_host: "192.0.2.10".into(),
            source: Some("10.0.0.1:5060".parse().expect("addr")),
            user_agent: Some("test-phone".into()),
            headers: vec![("X-Test".into(), "yes".into())],
            sdp: sdp.map(|s| s.as_bytes().to_vec()),
            auth: None,
            gateway: None,
        };
        let id = self.engine.handle_invite(self.now, invite);
        self.settle();
        id
    }

    pub fn invite(&mut self, dest: &str) -> ChannelId {
        self.invite_from("1000", dest, Some(OFFER_PCMU))
    }

    pub fn route(&mut self, ch: ChannelId, actions: Vec<Action>) {
        self.engine
            .handle_route_result(self.now, ch, None, Ok(actions));
        self.settle();
    }

    pub fn sip(&mut self, ch: ChannelId, input: SipInput) {
        self.engine.handle_sip(self.now, ch, input);
        self.settle();
    }

    pub fn media(&mut self, event: MediaEvent) {
        self.engine.handle_media(self.now, event);
        self.settle();
    }

    pub fn app(&mut self, ch: ChannelId, request: u64, req: AppRequest) {
        self.engine
            .handle_app_request(self.now, ch, RequestId(request), req);
        self.settle();
    }

    pub fn locate(&mut self, lookup: LookupId, contacts: Vec<RegisteredContact>) {
        self.engine.handle_locate_result(self.now, lookup, contacts);
        self.settle();
    }

    /// Moves virtual time forward, firing timers at their deadlines in order.
    pub fn advance(&mut self, by: Duration) {
        let end = self.now + by;
        while let Some(at) = self.engine.poll_timeout().filter(|at| *at <= end) {
            self.now = self.now.max(at);
            self.engine.handle_timeout(self.now);
            self.settle();
        }
        self.now = end;
    }

    pub fn sip_commands(&self, ch: ChannelId) -> Vec<SipCommand> {
        self.log
            .iter()
            .filter_map(|e| match e {
                Effect::Sip {
                    channel, command, ..
                } if *channel == ch => Some(command.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn media_commands(&self) -> Vec<MediaCommand> {
        self.log
            .iter()
            .filter_map(|e| match e {
                Effect::Media(command) => Some(command.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn cdrs(&self) -> Vec<CdrRecord> {
        self.log
            .iter()
            .filter_map(|e| match e {
                Effect::Cdr(cdr) => Some((**cdr).clone()),
                _ => None,
            })
            .collect()
    }

    pub fn cdr_of(&self, uuid: &str) -> CdrRecord {
        self.cdrs()
            .into_iter()
            .find(|c| c.uuid == uuid)
            .expect("a CDR for this uuid")
    }

    pub fn events(&self, name: EventName) -> Vec<ChannelEvent> {
        self.log
            .iter()
            .filter_map(|e| match e {
                Effect::Event(event) if event.name == name => Some((**event).clone()),
                _ => None,
            })
            .collect()
    }

    /// Outgoing INVITEs: the new B channel and where it goes.
    pub fn outgoing_invites(&self) -> Vec<(ChannelId, InviteTarget)> {
        self.log
            .iter()
            .filter_map(|e| match e {
                Effect::Sip {
                    channel,
                    command: SipCommand::Invite { target, .. },
                    ..
                } => Some((*channel, target.clone())),
                _ => None,
            })
            .collect()
    }

    pub fn lookups(&self) -> Vec<(LookupId, String)> {
        self.log
            .iter()
            .filter_map(|e| match e {
                Effect::Locate { lookup, user, .. } => Some((*lookup, user.clone())),
                _ => None,
            })
            .collect()
    }

    /// The `Route` effects for `ch`.
    pub fn routes(&self, ch: ChannelId) -> usize {
        self.log
            .iter()
            .filter(|e| matches!(e, Effect::Route { channel, .. } if *channel == ch))
            .count()
    }

    pub fn app_replies(
        &self,
        ch: ChannelId,
    ) -> Vec<(
        RequestId,
        Result<witswitch_core::AppResponse, witswitch_core::AppError>,
    )> {
        self.log
            .iter()
            .filter_map(|e| match e {
                Effect::AppReply {
                    channel,
                    request,
                    result,
                } if *channel == ch => Some((*request, result.clone())),
                _ => None,
            })
            .collect()
    }

    pub fn destroyed(&self, ch: ChannelId) -> bool {
        self.log
            .iter()
            .any(|e| matches!(e, Effect::Destroyed { channel } if *channel == ch))
    }

    /// The last `Play` command's id on `ch`.
    pub fn last_play(&self, ch: ChannelId) -> (witswitch_core::PlayId, String) {
        self.media_commands()
            .into_iter()
            .rev()
            .find_map(|c| match c {
                MediaCommand::Play {
                    leg,
                    play_id,
                    source,
                } if leg == ch.leg() => Some((play_id, source)),
                _ => None,
            })
            .expect("a Play command")
    }

    pub fn uuid(&self, ch: ChannelId) -> String {
        self.engine
            .channel_uuid(ch)
            .expect("channel is up")
            .to_owned()
    }
}

/// The final response or BYE that ended an inbound channel, if any.
pub fn final_command(commands: &[SipCommand]) -> Option<SipCommand> {
    commands
        .iter()
        .rev()
        .find(|c| {
            matches!(
                c,
                SipCommand::Reject { .. } | SipCommand::Bye { .. } | SipCommand::Cancel { .. }
            )
        })
        .cloned()
}
