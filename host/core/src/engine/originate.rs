//! Dialing out for `bridge`: dial-string groups tried in order (`|`), legs
//! of a group rung at once (`,`), `user/` targets resolved through
//! [`Effect::Locate`], a `call_timeout` per group, and the first answer
//! winning. A group fails when every leg failed; the originate fails when
//! the last group did, with the last leg's cause.

use std::time::{Duration, Instant};

use witswitch_types::{ChannelId, HangupCause};

use crate::action::LogLevel;
use crate::app_io::{AppResponse, BridgeOutcome};
use crate::channel::{Owner, PendingInvite};
use crate::dialstring::{self, DialString, Endpoint};
use crate::effect::{Effect, LookupId};
use crate::events::EventName;
use crate::sip_io::{InviteTarget, RegisteredContact};
use crate::states::{CallDirection, ChannelState};
use crate::timers::{TimerId, TimerKind};

use super::Engine;
use super::api_originate::{DEFAULT_CID_NAME, DEFAULT_CID_NUMBER, OriginateJob, OriginateTo};
use super::negotiate::{precheck_offer, prefs_with_first};
use super::ops::OpKind;

/// Names one bridge/originate in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct OriginateId(pub u64);

/// A bridge dialing out on behalf of channel `a`, or an API originate (no A leg).
#[derive(Debug)]
pub(crate) struct Originate {
    /// The calling channel of a `bridge`; `None` for API `originate`.
    pub a: Option<ChannelId>,
    /// API `originate`: the job to report and where the answered leg goes.
    pub api: Option<(OriginateJob, OriginateTo)>,
    pub dial: DialString,
    pub group: usize,
    /// Outgoing legs of the current group still ringing.
    pub legs: Vec<ChannelId>,
    /// `user/` lookups of the current group not answered yet.
    pub lookups: Vec<LookupId>,
    pub last_cause: Option<HangupCause>,
    pub timer: Option<TimerId>,
    /// The leg whose early media A hears.
    pub early_leg: Option<ChannelId>,
}

/// A `user/` lookup in flight.
#[derive(Debug)]
pub(crate) struct PendingLookup {
    pub originate: OriginateId,
    pub vars: Vec<(String, String)>,
    pub user: String,
    pub domain: Option<String>,
}

/// What a B leg inherits from its A leg (API legs: only the caller id).
struct ALegFacts {
    uuid: Option<String>,
    call_uuid: Option<String>,
    cid_name: String,
    cid_number: String,
    codec: Option<witswitch_sdp::CodecName>,
}

/// A leg about to be created.
struct LegSpec {
    vars: Vec<(String, String)>,
    profile: String,
    target: InviteTarget,
    callee: String,
    host: String,
}

impl Engine {
    /// Starts a bridge from `a` (whose leg is bound) to `dial`.
    pub(crate) fn start_originate(&mut self, now: Instant, a: ChannelId, owner: Owner, dial: &str) {
        let dial = match dialstring::parse(dial) {
            Ok(dial) => dial,
            Err(error) => {
                self.log(a, LogLevel::Err, format!("bridge: {error}"));
                let cause = HangupCause::InvalidUrl;
                self.set_originate_failure_vars(a, cause);
                self.deliver(
                    now,
                    a,
                    owner,
                    Ok(AppResponse::Bridged(BridgeOutcome::Failed(cause))),
                );
                return;
            }
        };
        let oid = OriginateId(self.alloc_id());
        let originate = Originate {
            a: Some(a),
            api: None,
            dial,
            group: 0,
            legs: Vec::new(),
            lookups: Vec::new(),
            last_cause: None,
            timer: None,
            early_leg: None,
        };
        self.originates.insert(oid, originate);
        if let Some(ch) = self.channels.get_mut(&a) {
            ch.originate = Some(oid);
        }
        self.set_op(a, owner, OpKind::Originate(oid), None);
        self.start_group(now, oid);
    }

    /// The variables every leg of the current group starts from: A's
    /// exports, then `{}` of the string, then `{}` of the group.
    fn group_vars(&self, oid: OriginateId) -> Vec<(String, String)> {
        let Some(orig) = self.originates.get(&oid) else {
            return Vec::new();
        };
        let mut vars = orig
            .a
            .and_then(|a| self.channels.get(&a))
            .map(|a| a.vars.exports())
            .unwrap_or_default();
        vars.extend(orig.dial.vars.iter().cloned());
        if let Some(group) = orig.dial.groups.get(orig.group) {
            vars.extend(group.vars.iter().cloned());
        }
        vars
    }

    fn call_timeout(&self, oid: OriginateId, vars: &[(String, String)]) -> Duration {
        let from_vars = vars
            .iter()
            .rev()
            .find(|(k, _)| k == "originate_timeout" || k == "call_timeout")
            .and_then(|(_, v)| v.trim().parse::<u64>().ok());
        let from_a = self
            .originates
            .get(&oid)
            .and_then(|o| o.a)
            .and_then(|a| self.channels.get(&a))
            .and_then(|a| a.vars.get("call_timeout"))
            .and_then(|v| v.trim().parse::<u64>().ok());
        from_vars
            .or(from_a)
            .filter(|secs| *secs > 0)
            .map(Duration::from_secs)
            .unwrap_or(self.config.default_call_timeout)
    }

    pub(crate) fn start_group(&mut self, now: Instant, oid: OriginateId) {
        let base = self.group_vars(oid);
        let timeout = self.call_timeout(oid, &base);
        let Some(orig) = self.originates.get_mut(&oid) else {
            return;
        };
        let Some(group) = orig.dial.groups.get(orig.group).cloned() else {
            return;
        };
        orig.timer = Some(
            self.timers
                .arm(now + timeout, TimerKind::OriginateGroup(oid)),
        );
        for leg in group.legs {
            let mut vars = base.clone();
            vars.extend(leg.vars);
            match leg.endpoint {
                Endpoint::User { id, domain } => self.locate(oid, vars, id, domain),
                Endpoint::Gateway { name, number } => {
                    match self.config.gateways.get(&name).cloned() {
                        Some(profile) => {
                            let host = name.clone();
                            let target = InviteTarget::Gateway {
                                name,
                                number: number.clone(),
                            };
                            self.create_leg(
                                now,
                                oid,
                                LegSpec {
                                    vars,
                                    profile,
                                    target,
                                    callee: number,
                                    host,
                                },
                            );
                        }
                        None => self.leg_error(oid, HangupCause::InvalidGateway),
                    }
                }
                Endpoint::Profile {
                    profile,
                    destination,
                } => {
                    let (callee, host) = split_destination(&destination);
                    let target = InviteTarget::Uri { uri: destination };
                    self.create_leg(
                        now,
                        oid,
                        LegSpec {
                            vars,
                            profile,
                            target,
                            callee,
                            host,
                        },
                    );
                }
                Endpoint::Error(cause) => self.leg_error(oid, cause),
                Endpoint::Unsupported(what) => {
                    if let Some(a) = self.originates.get(&oid).and_then(|o| o.a) {
                        self.log(
                            a,
                            LogLevel::Err,
                            format!("cannot create outgoing channel of type [{what}]"),
                        );
                    }
                    self.leg_error(oid, HangupCause::ChanNotImplemented);
                }
            }
        }
        self.check_group_done(now, oid);
    }

    fn locate(
        &mut self,
        oid: OriginateId,
        vars: Vec<(String, String)>,
        user: String,
        domain: Option<String>,
    ) {
        let lookup = LookupId(self.alloc_id());
        if let Some(orig) = self.originates.get_mut(&oid) {
            orig.lookups.push(lookup);
        }
        let effect = Effect::Locate {
            lookup,
            user: user.clone(),
            domain: domain.clone(),
        };
        self.lookups.insert(
            lookup,
            PendingLookup {
                originate: oid,
                vars,
                user,
                domain,
            },
        );
        self.effects.push_back(effect);
    }

    pub(crate) fn locate_result(
        &mut self,
        now: Instant,
        lookup: LookupId,
        contacts: Vec<RegisteredContact>,
    ) {
        let Some(pending) = self.lookups.remove(&lookup) else {
            return;
        };
        let oid = pending.originate;
        let Some(orig) = self.originates.get_mut(&oid) else {
            return;
        };
        orig.lookups.retain(|l| *l != lookup);
        if contacts.is_empty() {
            self.leg_error(oid, HangupCause::UserNotRegistered);
        }
        let domain = pending.domain.clone().unwrap_or_default();
        for contact in contacts {
            let target = InviteTarget::Contact {
                user: pending.user.clone(),
                domain: domain.clone(),
                uri: contact.uri.clone(),
                source: contact.source,
            };
            let host = if domain.is_empty() {
                contact.uri.clone()
            } else {
                domain.clone()
            };
            let spec = LegSpec {
                vars: pending.vars.clone(),
                profile: contact.profile,
                target,
                callee: pending.user.clone(),
                host,
            };
            self.create_leg(now, oid, spec);
        }
        self.check_group_done(now, oid);
        self.drain(now);
    }

    /// A leg that failed before it existed (unregistered user, bad gateway).
    fn leg_error(&mut self, oid: OriginateId, cause: HangupCause) {
        if let Some(orig) = self.originates.get_mut(&oid) {
            orig.last_cause = Some(cause);
        }
    }

    fn create_leg(&mut self, now: Instant, oid: OriginateId, spec: LegSpec) {
        let Some(a) = self.originates.get(&oid).map(|o| o.a) else {
            return;
        };
        let Some(profile) = self.profiles.get(&spec.profile).cloned() else {
            self.leg_error(oid, HangupCause::InvalidProfile);
            return;
        };
        if self.limits.check_capacity(self.channels.len()).is_err() {
            self.leg_error(oid, HangupCause::SwitchCongestion);
            return;
        }
        let from = match a {
            Some(a) => self.a_leg_facts(a, &spec.vars),
            None => Some(api_leg_facts(&spec.vars)),
        };
        let Some(from) = from else {
            return;
        };
        let id = ChannelId(self.alloc_id());
        let mut ch = self.new_channel(now, id, CallDirection::Outbound, profile.clone());
        self.apply_origination_uuid(&mut ch, &spec.vars);
        if let Some(call_uuid) = &from.call_uuid {
            ch.call_uuid = call_uuid.clone();
        }
        for (name, value) in &spec.vars {
            ch.vars.set(name.clone(), value.clone());
        }
        let call_uuid = ch.call_uuid.clone();
        if let Some(uuid) = &from.uuid {
            ch.vars.set("originator", uuid.clone());
        }
        for (name, value) in [
            ("call_uuid", call_uuid),
            ("caller_id_name", from.cid_name.clone()),
            ("caller_id_number", from.cid_number.clone()),
            ("destination_number", spec.callee.clone()),
            ("sip_to_user", spec.callee.clone()),
        ] {
            ch.vars.set(name, value);
        }
        ch.name = format!("sofia/{}/{}@{}", profile.name, spec.callee, spec.host);
        ch.vars.set("channel_name", ch.name.clone());
        ch.callee = spec.callee;
        ch.originate = Some(oid);
        ch.other_leg_uuid = from.uuid;
        let headers = spec
            .vars
            .iter()
            .filter_map(|(k, v)| k.strip_prefix("sip_h_").map(|h| (h.to_owned(), v.clone())))
            .collect();
        ch.pending_invite = Some(PendingInvite {
            target: spec.target,
            caller_id_name: from.cid_name,
            caller_id_number: from.cid_number,
            headers,
            first_codec: from.codec,
        });
        let leg_timeout = ch
            .vars
            .get("leg_timeout")
            .and_then(|v| v.trim().parse::<u64>().ok());
        ch.state = ChannelState::Init;
        self.insert_channel(now, ch);
        self.event(now, id, EventName::ChannelOutgoing, Vec::new());
        if let Some(secs) = leg_timeout.filter(|s| *s > 0) {
            let timer = self
                .timers
                .arm(now + Duration::from_secs(secs), TimerKind::LegTimeout(id));
            if let Some(ch) = self.channels.get_mut(&id) {
                ch.leg_timer = Some(timer);
            }
        }
        if let Some(orig) = self.originates.get_mut(&oid) {
            orig.legs.push(id);
        }
        self.ensure_leg(id);
    }

    /// What a new B leg takes from its A leg: uuids, the caller id for its
    /// From (`origination_caller_id_*`, else `effective_caller_id_*`, else
    /// A's caller id) and A's codec to offer first.
    fn a_leg_facts(&self, a: ChannelId, vars: &[(String, String)]) -> Option<ALegFacts> {
        let a_ch = self.channels.get(&a)?;
        let pick = |names: [&str; 3]| -> String {
            names
                .iter()
                .find_map(|n| {
                    vars.iter()
                        .rev()
                        .find(|(k, _)| k == n)
                        .map(|(_, v)| v.clone())
                        .or_else(|| a_ch.vars.get(n).map(str::to_owned))
                })
                .unwrap_or_default()
        };
        let codec = a_ch.media.negotiated.as_ref().map(|n| n.codec).or_else(|| {
            a_ch.media
                .remote_offer
                .as_ref()
                .and_then(|o| precheck_offer(&a_ch.profile_cfg, o))
        });
        Some(ALegFacts {
            uuid: Some(a_ch.uuid.clone()),
            call_uuid: Some(a_ch.call_uuid.clone()),
            cid_name: pick([
                "origination_caller_id_name",
                "effective_caller_id_name",
                "caller_id_name",
            ]),
            cid_number: pick([
                "origination_caller_id_number",
                "effective_caller_id_number",
                "caller_id_number",
            ]),
            codec,
        })
    }

    /// The B leg's RTP port is bound: send its INVITE with our offer.
    pub(crate) fn send_invite(&mut self, now: Instant, id: ChannelId) {
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        let Some(invite) = ch.pending_invite.take() else {
            return;
        };
        let codecs = prefs_with_first(&ch.profile_cfg.codecs, invite.first_codec);
        let Some(sdp) = self.make_offer(id, Some(codecs), witswitch_sdp::Direction::SendRecv)
        else {
            return;
        };
        if let Some(ch) = self.channels.get_mut(&id) {
            ch.invite_sent = true;
            ch.state = ChannelState::ConsumeMedia;
        }
        let command = crate::sip_io::SipCommand::Invite {
            target: invite.target,
            caller_id_name: invite.caller_id_name,
            caller_id_number: invite.caller_id_number,
            sdp,
            headers: invite.headers,
        };
        self.push_sip(id, command);
        self.event(now, id, EventName::ChannelOriginate, Vec::new());
    }

    /// A leg of `oid` ended before answering.
    pub(crate) fn leg_failed(
        &mut self,
        now: Instant,
        oid: OriginateId,
        leg: ChannelId,
        cause: HangupCause,
    ) {
        let Some(orig) = self.originates.get_mut(&oid) else {
            return;
        };
        if !orig.legs.contains(&leg) {
            return;
        }
        orig.legs.retain(|l| *l != leg);
        orig.last_cause = Some(cause);
        if orig.early_leg == Some(leg) {
            orig.early_leg = None;
        }
        self.check_group_done(now, oid);
    }

    fn check_group_done(&mut self, now: Instant, oid: OriginateId) {
        let Some(orig) = self.originates.get_mut(&oid) else {
            return;
        };
        if !orig.legs.is_empty() || !orig.lookups.is_empty() {
            return;
        }
        if let Some(timer) = orig.timer.take() {
            self.timers.cancel(timer);
        }
        if orig.group + 1 < orig.dial.groups.len() {
            orig.group += 1;
            self.start_group(now, oid);
        } else {
            self.originate_failed(now, oid);
        }
    }

    fn originate_failed(&mut self, now: Instant, oid: OriginateId) {
        let Some(orig) = self.originates.remove(&oid) else {
            return;
        };
        let cause = orig.last_cause.unwrap_or(HangupCause::NoAnswer);
        let Some(a) = orig.a else {
            if let Some((job, _)) = orig.api {
                self.api_originate_failed(job, cause);
            }
            return;
        };
        if let Some(ch) = self.channels.get_mut(&a) {
            ch.originate = None;
        }
        self.log(
            a,
            LogLevel::Info,
            format!("Originate Failed.  Cause: {cause}"),
        );
        self.set_originate_failure_vars(a, cause);
        self.finish_op(
            now,
            a,
            Ok(AppResponse::Bridged(BridgeOutcome::Failed(cause))),
        );
    }

    /// `originate_disposition`, `originate_failed_cause` and
    /// `last_bridge_hangup_cause` on the calling channel.
    fn set_originate_failure_vars(&mut self, a: ChannelId, cause: HangupCause) {
        if let Some(ch) = self.channels.get_mut(&a) {
            for name in [
                "originate_disposition",
                "originate_failed_cause",
                "last_bridge_hangup_cause",
            ] {
                ch.vars.set(name, cause.name());
            }
        }
    }

    /// `call_timeout` of the current group ran out: NO_ANSWER on every leg.
    pub(crate) fn originate_timeout(&mut self, now: Instant, oid: OriginateId) {
        let Some(orig) = self.originates.get_mut(&oid) else {
            return;
        };
        orig.timer = None;
        orig.last_cause = Some(HangupCause::NoAnswer);
        let legs = std::mem::take(&mut orig.legs);
        let lookups = std::mem::take(&mut orig.lookups);
        orig.early_leg = None;
        for lookup in lookups {
            self.lookups.remove(&lookup);
        }
        for leg in legs {
            self.hangup_local(now, leg, HangupCause::NoAnswer);
        }
        self.check_group_done(now, oid);
        self.drain(now);
    }

    /// `leg_timeout` of one leg ran out.
    pub(crate) fn leg_timeout(&mut self, now: Instant, leg: ChannelId) {
        let Some(ch) = self.channels.get_mut(&leg) else {
            return;
        };
        ch.leg_timer = None;
        if ch.is_answered() {
            return;
        }
        self.hangup_local(now, leg, HangupCause::NoAnswer);
        self.drain(now);
    }

    /// Stops an originate because its A leg went away: cancel every leg.
    pub(crate) fn abort_originate(&mut self, now: Instant, oid: OriginateId, cause: HangupCause) {
        let Some(orig) = self.originates.remove(&oid) else {
            return;
        };
        if let Some(timer) = orig.timer {
            self.timers.cancel(timer);
        }
        for lookup in orig.lookups {
            self.lookups.remove(&lookup);
        }
        for leg in orig.legs {
            self.hangup_local(now, leg, cause);
        }
    }
}

/// An API leg's caller id: `origination_caller_id_*` (the command's
/// arguments or `{vars}`), else FreeSWITCH's defaults.
fn api_leg_facts(vars: &[(String, String)]) -> ALegFacts {
    let pick = |name: &str, default: &str| {
        vars.iter()
            .rev()
            .find(|(k, _)| k == name)
            .map_or_else(|| default.to_owned(), |(_, v)| v.clone())
    };
    ALegFacts {
        uuid: None,
        call_uuid: None,
        cid_name: pick("origination_caller_id_name", DEFAULT_CID_NAME),
        cid_number: pick("origination_caller_id_number", DEFAULT_CID_NUMBER),
        codec: None,
    }
}

/// `user@host[:port]` or `sip:user@host;params` → (user, host).
fn split_destination(destination: &str) -> (String, String) {
    let bare = destination
        .strip_prefix("sips:")
        .or_else(|| destination.strip_prefix("sip:"))
        .unwrap_or(destination);
    let bare = bare.split([';', '?']).next().unwrap_or(bare);
    match bare.split_once('@') {
        Some((user, host)) => (user.to_owned(), host.to_owned()),
        None => (String::new(), bare.to_owned()),
    }
}
