//! Producing effects: SIP commands, media commands, logs, events, and the
//! snapshots, call-info and CDR built from a channel.

use std::collections::BTreeMap;
use std::time::Instant;

use witswitch_types::ChannelId;

use crate::action::LogLevel;
use crate::call_info::CallInfo;
use crate::cdr::CdrRecord;
use crate::channel::Channel;
use crate::effect::Effect;
use crate::events::{ChannelEvent, ChannelSnapshot, EventName};
use crate::media_io::MediaCommand;
use crate::sip_io::SipCommand;
use crate::states::ChannelState;

use super::Engine;

impl Engine {
    pub(crate) fn push_sip(&mut self, id: ChannelId, command: SipCommand) {
        let Some(ch) = self.channels.get(&id) else {
            return;
        };
        let profile = ch.profile.clone();
        self.effects.push_back(Effect::Sip {
            channel: id,
            profile,
            command,
        });
    }

    pub(crate) fn push_media(&mut self, command: MediaCommand) {
        self.effects.push_back(Effect::Media(command));
    }

    pub(crate) fn log(&mut self, id: ChannelId, level: LogLevel, message: String) {
        let uuid = self
            .channels
            .get(&id)
            .map(|c| c.uuid.clone())
            .unwrap_or_default();
        self.effects.push_back(Effect::Log {
            channel: Some(id),
            uuid,
            level,
            message,
        });
    }

    pub(crate) fn set_state(&mut self, id: ChannelId, state: ChannelState) {
        if let Some(ch) = self.channels.get_mut(&id) {
            ch.state = state;
        }
    }

    /// Emits `name` for channel `id` with event-specific `headers`.
    pub(crate) fn event(
        &mut self,
        now: Instant,
        id: ChannelId,
        name: EventName,
        headers: Vec<(&'static str, String)>,
    ) {
        if !self.config.events {
            return;
        }
        // State changes are reported where FreeSWITCH reports them: after
        // ANSWER (CALLSTATE ACTIVE), HANGUP (CS_HANGUP, CALLSTATE HANGUP) and
        // DESTROY (CS_DESTROY); before any other event (CS_REPORTING before
        // HANGUP_COMPLETE, CS_EXECUTE before EXECUTE).
        let after = matches!(
            name,
            EventName::ChannelAnswer | EventName::ChannelHangup | EventName::ChannelDestroy
        );
        if !after {
            self.sync_states(now, id);
        }
        self.push_event(now, id, name, headers);
        if after {
            self.sync_states(now, id);
        }
    }

    /// Queues a channel event (no state check).
    pub(crate) fn push_event(
        &mut self,
        now: Instant,
        id: ChannelId,
        name: EventName,
        headers: Vec<(&'static str, String)>,
    ) {
        let Some(ch) = self.channels.get(&id) else {
            return;
        };
        let variables = name.carries_variables().then(|| ch.vars.snapshot());
        let event = ChannelEvent {
            name,
            timestamp_us: self.wall.epoch_us(now),
            channel: self.snapshot(ch),
            headers,
            variables,
        };
        self.effects.push_back(Effect::Event(Box::new(event)));
    }

    pub(crate) fn snapshot(&self, ch: &Channel) -> ChannelSnapshot {
        let epoch = |t: Option<Instant>| t.map(|t| self.wall.epoch_us(t)).unwrap_or(0);
        let other_leg_uuid = ch
            .peer
            .and_then(|p| self.channels.get(&p))
            .map(|p| p.uuid.clone())
            .or_else(|| ch.other_leg_uuid.clone());
        ChannelSnapshot {
            uuid: ch.uuid.clone(),
            call_uuid: ch.call_uuid.clone(),
            name: ch.name.clone(),
            direction: ch.direction,
            state: ch.state,
            call_state: ch.call_state,
            answer_state: ch.answer_state(),
            profile: ch.profile.clone(),
            caller_id_name: ch.var("caller_id_name").to_owned(),
            caller_id_number: ch.var("caller_id_number").to_owned(),
            destination_number: ch.var("destination_number").to_owned(),
            context: ch.var("context").to_owned(),
            network_addr: ch.var("network_addr").to_owned(),
            username: ch.var("user_name").to_owned(),
            codec: ch.media.negotiated.as_ref().map(|n| {
                (
                    n.codec.encoding_name().to_owned(),
                    n.codec.pcm_sample_rate(),
                )
            }),
            created_us: self.wall.epoch_us(ch.created),
            answered_us: epoch(ch.answered),
            hangup_us: epoch(ch.hangup_at),
            hangup_cause: ch.hangup.map(|h| h.cause),
            other_leg_uuid,
        }
    }

    /// What a dialplan or app sees of the channel.
    pub(crate) fn call_info(&self, ch: &Channel) -> CallInfo {
        let port = ch.var("sip_network_port").parse().unwrap_or(0);
        let optional = |name: &str| ch.vars.get(name).map(str::to_owned);
        CallInfo {
            uuid: ch.uuid.clone(),
            profile: ch.profile.clone(),
            context: ch.var("context").to_owned(),
            destination_number: ch.var("destination_number").to_owned(),
            caller_id_name: ch.var("caller_id_name").to_owned(),
            caller_id_number: ch.var("caller_id_number").to_owned(),
            network_addr: ch.var("network_addr").to_owned(),
            network_port: port,
            username: optional("user_name"),
            from_user: ch.var("sip_from_user").to_owned(),
            from_host: ch.var("sip_from_host").to_owned(),
            to_user: ch.var("sip_to_user").to_owned(),
            to_host: ch.var("sip_to_host").to_owned(),
            sip_call_id: ch.var("sip_call_id").to_owned(),
            user_agent: optional("sip_user_agent"),
            sip_headers: ch.sip_headers.clone(),
            variables: ch
                .vars
                .iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        }
    }

    /// The CDR of a channel that has hung up.
    pub(crate) fn cdr(&self, ch: &Channel, now: Instant) -> CdrRecord {
        let ended = ch.hangup_at.unwrap_or(now);
        let secs = |from: Instant| ended.saturating_duration_since(from).as_secs();
        let hangup = ch.hangup.map(|h| (h.cause, h.sip_status, h.disposition));
        let (cause, sip_status, disposition) = hangup.unwrap_or((
            witswitch_types::HangupCause::NormalClearing,
            None,
            "send_bye",
        ));
        let codec = ch.media.negotiated.as_ref().map(|n| n.codec);
        let mut recording = BTreeMap::new();
        for (name, value) in ch.vars.iter() {
            // RECORD_* metadata, record_session_path and what the last
            // recording measured (record_ms, record_seconds, record_samples).
            if name.starts_with("RECORD_") || name.starts_with("record_") {
                recording.insert(name.to_owned(), value.to_owned());
            }
        }
        CdrRecord {
            uuid: ch.uuid.clone(),
            call_uuid: ch.call_uuid.clone(),
            direction: ch.direction,
            profile: ch.profile.clone(),
            channel_name: ch.name.clone(),
            caller_id_name: ch.var("caller_id_name").to_owned(),
            caller_id_number: ch.var("caller_id_number").to_owned(),
            callee: ch.callee.clone(),
            context: ch.var("context").to_owned(),
            destination_number: ch.var("destination_number").to_owned(),
            network_addr: ch.var("network_addr").to_owned(),
            username: ch.vars.get("user_name").map(str::to_owned),
            other_leg_uuid: ch.other_leg_uuid.clone(),
            created_us: self.wall.epoch_us(ch.created),
            answered_us: ch.answered.map(|t| self.wall.epoch_us(t)),
            ended_us: self.wall.epoch_us(ended),
            duration: secs(ch.created),
            billsec: ch.answered.map(secs).unwrap_or(0),
            hangup_cause: cause,
            hangup_cause_q850: cause.q850(),
            sip_term_status: sip_status,
            sip_hangup_disposition: disposition.to_owned(),
            read_codec: codec.map(|c| c.encoding_name().to_owned()),
            read_rate: codec.map(|c| c.pcm_sample_rate()),
            write_codec: codec.map(|c| c.encoding_name().to_owned()),
            write_rate: codec.map(|c| c.pcm_sample_rate()),
            script: ch.script.clone(),
            recording,
            last_bridge_hangup_cause: ch.vars.get("last_bridge_hangup_cause").map(str::to_owned),
        }
    }
}
