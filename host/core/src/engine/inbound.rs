//! A new INVITE: session limits, the offer check, the channel and its
//! standard variables, then routing.

use std::sync::Arc;
use std::time::Instant;

use witswitch_sdp::{SdpOrigin, SessionDescription};
use witswitch_types::{ChannelId, HangupCause};

use crate::channel::{Channel, ChannelMedia, Exec, LegStatus};
use crate::config::ProfileConfig;
use crate::effect::Effect;
use crate::events::EventName;
use crate::sip_io::{InboundInvite, SipCommand};
use crate::states::{CallDirection, CallState, ChannelState};
use crate::vars::Variables;

use super::Engine;
use super::negotiate::precheck_offer;

impl Engine {
    pub(crate) fn inbound_invite(&mut self, now: Instant, invite: InboundInvite) -> ChannelId {
        let id = ChannelId(self.alloc_id());
        let Some(profile) = self.profiles.get(&invite.profile).cloned() else {
            self.refuse(
                id,
                invite.profile,
                503,
                HangupCause::ServiceUnavailable,
                None,
            );
            return id;
        };
        if let Err(limit) = self.limits.admit(now, self.channels.len()) {
            self.stats.refused_by_limits += 1;
            let retry = Some(limit.retry_after_secs());
            self.refuse(
                id,
                invite.profile,
                503,
                HangupCause::NormalCircuitCongestion,
                retry,
            );
            return id;
        }
        let offer = invite.sdp.as_deref().map(SessionDescription::parse);
        let mut ch = self.new_channel(now, id, CallDirection::Inbound, profile.clone());
        set_inbound_vars(&mut ch, &invite, &profile);
        ch.name = format!(
            "sofia/{}/{}@{}",
            profile.name, invite.from_user, invite.from_host
        );
        ch.vars.set("channel_name", ch.name.clone());
        ch.callee = ch
            .vars
            .get("destination_number")
            .unwrap_or_default()
            .to_owned();
        ch.sip_headers = invite.headers;
        let acceptable = match &offer {
            None => true,
            Some(Ok(offer)) => precheck_offer(&profile, offer).is_some(),
            Some(Err(_)) => false,
        };
        if let Some(Ok(offer)) = offer {
            ch.media.remote_offer = Some(offer);
        }
        self.insert_channel(now, ch);
        if !acceptable {
            // RFC 3264 §6 / FreeSWITCH: nothing usable in the offer → 488
            // with Reason Q.850 cause 88 INCOMPATIBLE_DESTINATION.
            self.hangup_local(now, id, HangupCause::IncompatibleDestination);
            return id;
        }
        self.set_state(id, ChannelState::Init);
        self.start_routing(now, id);
        self.drain(now);
        id
    }

    fn refuse(
        &mut self,
        id: ChannelId,
        profile: String,
        status: u16,
        cause: HangupCause,
        retry: Option<u32>,
    ) {
        let command = SipCommand::Reject {
            status,
            cause,
            retry_after: retry,
        };
        self.effects.push_back(Effect::Sip {
            channel: id,
            profile,
            command,
        });
        self.effects.push_back(Effect::Destroyed { channel: id });
    }

    /// A channel in CS_NEW with its uuid and SDP origin.
    pub(crate) fn new_channel(
        &mut self,
        now: Instant,
        id: ChannelId,
        direction: CallDirection,
        profile: Arc<ProfileConfig>,
    ) -> Channel {
        let uuid = self.ids.new_uuid().to_string();
        // RFC 4566 §5.2: a numeric session id; keep it in 62 bits so the
        // first version (id + 1) cannot overflow in other stacks.
        let session_id = self.ids.random_u64() >> 2;
        let mut vars = Variables::new();
        vars.set("uuid", uuid.clone());
        vars.set("call_uuid", uuid.clone());
        vars.set("direction", direction.name());
        vars.set("sip_profile_name", profile.name.clone());
        Channel {
            id,
            call_uuid: uuid.clone(),
            uuid,
            direction,
            profile: profile.name.clone(),
            name: String::new(),
            state: ChannelState::New,
            call_state: CallState::Down,
            vars,
            sip_headers: Vec::new(),
            created: now,
            answered: None,
            hangup_at: None,
            early_media: false,
            ringing_sent: false,
            media: ChannelMedia {
                leg: LegStatus::None,
                origin: SdpOrigin::new(session_id, profile.sdp_ip()),
                remote_offer: None,
                our_offer: None,
                local_sdp: None,
                negotiated: None,
                configured: false,
                want_bridge: None,
                bridged_to: None,
                recordings: Vec::new(),
                pending_recordings: Vec::new(),
                closing_recordings: Vec::new(),
                report_wait: None,
            },
            profile_cfg: profile,
            hangup: None,
            exec: Exec::default(),
            op: None,
            app: None,
            dtmf: String::new(),
            peer: None,
            originate: None,
            pending_invite: None,
            invite_sent: false,
            leg_timer: None,
            script: None,
            callee: String::new(),
            route_pending: false,
            other_leg_uuid: None,
            reported: None,
        }
    }

    /// Adds a channel, counts it, and emits CHANNEL_CREATE.
    pub(crate) fn insert_channel(&mut self, now: Instant, ch: Channel) {
        let id = ch.id;
        self.channels.insert(id, ch);
        self.stats.sessions_since_start += 1;
        self.stats.peak_sessions = self.stats.peak_sessions.max(self.channels.len());
        self.event(now, id, EventName::ChannelCreate, Vec::new());
    }
}

/// FreeSWITCH's standard variables of an inbound SIP channel.
fn set_inbound_vars(ch: &mut Channel, invite: &InboundInvite, profile: &ProfileConfig) {
    let vars = &mut ch.vars;
    let caller_name = invite
        .from_display
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| invite.from_user.clone());
    let mut context = profile.context.clone();
    let mut destination = invite.request_user.clone();
    if let Some(gateway) = &invite.gateway {
        // FreeSWITCH routes calls to a gateway's registered Contact in the
        // gateway's context. Our Contact user is `gw+<name>`, which names no
        // number: the number dialled is the To user then.
        context = gateway.context.clone();
        vars.set("sip_gateway_name", gateway.name.clone());
        if destination.starts_with("gw+") {
            destination = invite.to_user.clone();
        }
    }
    if let Some(auth) = &invite.auth {
        for (name, value) in &auth.variables {
            vars.set(name.clone(), value.clone());
        }
        vars.set("user_name", auth.user.clone());
        vars.set("domain_name", auth.domain.clone());
        vars.set("sip_auth_username", auth.user.clone());
        vars.set("sip_auth_realm", auth.domain.clone());
        if let Some(user_context) = vars.get("user_context") {
            context = user_context.to_owned();
        }
    }
    let pairs = [
        ("sip_call_id", invite.call_id.clone()),
        ("sip_from_user", invite.from_user.clone()),
        ("sip_from_host", invite.from_host.clone()),
        ("sip_to_user", invite.to_user.clone()),
        ("sip_to_host", invite.to_host.clone()),
        ("sip_req_user", invite.request_user.clone()),
        ("sip_req_host", invite.request_host.clone()),
        ("caller_id_name", caller_name),
        ("caller_id_number", invite.from_user.clone()),
        ("ani", invite.from_user.clone()),
        ("destination_number", destination),
        ("context", context),
        ("dialplan", "XML".to_owned()),
    ];
    for (name, value) in pairs {
        vars.set(name, value);
    }
    if let Some(ua) = &invite.user_agent {
        vars.set("sip_user_agent", ua.clone());
    }
    if let Some(source) = invite.source {
        vars.set("network_addr", source.ip().to_string());
        vars.set("sip_network_ip", source.ip().to_string());
        vars.set("sip_network_port", source.port().to_string());
    }
    if invite.sdp.is_none() {
        vars.set("sip_late_offer", "true");
    }
}
