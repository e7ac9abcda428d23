//! API `originate`: an outgoing leg with no A leg, dialed through the same
//! dial-string machinery as `bridge` (groups, `user/` lookups, gateways,
//! `call_timeout`/`originate_timeout`). When a leg answers it runs the
//! `&app(args)` or is routed to the extension like an inbound call; the
//! driver hears the outcome as [`Effect::Originated`] (`+OK <uuid>` or
//! `-ERR <CAUSE>` in FreeSWITCH's API).

use std::time::Instant;

use witswitch_types::{ChannelId, HangupCause};

use crate::action::{Action, LogLevel};
use crate::channel::Channel;
use crate::dialstring;
use crate::effect::Effect;
use crate::states::ChannelState;

use super::Engine;
use super::originate::{Originate, OriginateId};

/// Names one API originate (chosen by the driver, echoed in [`Effect::Originated`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OriginateJob(pub u64);

/// Where an answered API leg goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OriginateTo {
    /// `&app(args)`: run one application, then hang up (FreeSWITCH does the same).
    App {
        /// Application name (any name `execute` knows).
        name: String,
        /// Its data.
        data: String,
    },
    /// Route to `extension` in `context` (default `default`) through the dialplan.
    Extension {
        /// Destination number.
        extension: String,
        /// Dialplan name (only `XML` exists; kept in the `dialplan` variable).
        dialplan: Option<String>,
        /// Context.
        context: Option<String>,
    },
}

/// `originate <dial string> <target> [dialplan] [context] [cid_name] [cid_num] [timeout]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginateRequest {
    /// Dial string, `{vars}` included.
    pub dial: String,
    /// What the answered leg does.
    pub to: OriginateTo,
    /// Caller id name (`origination_caller_id_name` in `{vars}` wins).
    pub caller_id_name: Option<String>,
    /// Caller id number (`origination_caller_id_number` in `{vars}` wins).
    pub caller_id_number: Option<String>,
    /// Ring timeout in seconds (`originate_timeout`).
    pub timeout_secs: Option<u32>,
}

/// FreeSWITCH's caller id on originated calls without one.
pub(crate) const DEFAULT_CID_NAME: &str = "FreeSWITCH";
pub(crate) const DEFAULT_CID_NUMBER: &str = "0000000000";

impl Engine {
    /// Starts an API originate. Exactly one [`Effect::Originated`] for `job`
    /// follows: when a leg answers (`Ok(uuid)`) or when every leg failed.
    pub fn originate(&mut self, now: Instant, job: OriginateJob, request: OriginateRequest) {
        // The session limits hold for every channel, not only for INVITEs
        // (FreeSWITCH checks them wherever a session is created).
        if let Err(limit) = self.limits.admit(now, self.channels.len()) {
            self.stats.refused_by_limits += 1;
            self.log_global(LogLevel::Warning, format!("originate refused: {limit}"));
            self.originated(job, Err(HangupCause::NormalCircuitCongestion));
            return;
        }
        let mut dial = match dialstring::parse(&request.dial) {
            Ok(dial) => dial,
            Err(error) => {
                self.log_global(LogLevel::Err, format!("originate: {error}"));
                self.originated(job, Err(HangupCause::InvalidUrl));
                return;
            }
        };
        // The command's arguments come first so `{vars}` of the dial string win.
        let mut vars = Vec::new();
        if let Some(name) = request.caller_id_name {
            vars.push(("origination_caller_id_name".to_owned(), name));
        }
        if let Some(number) = request.caller_id_number {
            vars.push(("origination_caller_id_number".to_owned(), number));
        }
        vars.append(&mut dial.vars);
        if let Some(secs) = request.timeout_secs.filter(|s| *s > 0) {
            vars.push(("originate_timeout".to_owned(), secs.to_string()));
        }
        dial.vars = vars;
        let oid = OriginateId(self.alloc_id());
        let originate = Originate {
            a: None,
            api: Some((job, request.to)),
            dial,
            group: 0,
            legs: Vec::new(),
            lookups: Vec::new(),
            last_cause: None,
            timer: None,
            early_leg: None,
        };
        self.originates.insert(oid, originate);
        self.start_group(now, oid);
        self.drain(now);
    }

    /// The answer of an API originate's leg `b`: report it, then run the app
    /// or route the extension.
    pub(crate) fn api_leg_answered(
        &mut self,
        now: Instant,
        b: ChannelId,
        job: OriginateJob,
        to: OriginateTo,
    ) {
        let Some(ch) = self.channels.get_mut(&b) else {
            self.originated(job, Err(HangupCause::NormalClearing));
            return;
        };
        ch.state = ChannelState::Execute;
        let uuid = ch.uuid.clone();
        self.originated(job, Ok(uuid));
        match to {
            OriginateTo::App { name, data } => {
                if let Some(ch) = self.channels.get_mut(&b) {
                    ch.exec.queue = vec![Action::Execute { name, data }].into();
                }
                self.resume(b);
            }
            OriginateTo::Extension {
                extension,
                dialplan,
                context,
            } => {
                if let Some(ch) = self.channels.get_mut(&b) {
                    ch.vars
                        .set("dialplan", dialplan.unwrap_or_else(|| "XML".to_owned()));
                }
                let context = context.unwrap_or_else(|| "default".to_owned());
                self.transfer(now, b, extension, Some(context));
            }
        }
    }

    /// Every leg of an API originate failed.
    pub(crate) fn api_originate_failed(&mut self, job: OriginateJob, cause: HangupCause) {
        self.log_global(
            LogLevel::Info,
            format!(
                "Originate Resulted in Error Cause: {} [{cause}]",
                cause.code()
            ),
        );
        self.originated(job, Err(cause));
    }

    /// `origination_uuid` in the leg's variables names the new channel (dialers
    /// pick the uuid before the call exists), unless a channel already has it.
    pub(crate) fn apply_origination_uuid(&self, ch: &mut Channel, vars: &[(String, String)]) {
        let Some((_, uuid)) = vars.iter().rev().find(|(k, _)| k == "origination_uuid") else {
            return;
        };
        let uuid = uuid.trim();
        if uuid.is_empty() || self.channels.values().any(|c| c.uuid == uuid) {
            return;
        }
        if ch.call_uuid == ch.uuid {
            ch.call_uuid = uuid.to_owned();
            ch.vars.set("call_uuid", uuid.to_owned());
        }
        ch.uuid = uuid.to_owned();
        ch.vars.set("uuid", uuid.to_owned());
    }

    fn originated(&mut self, job: OriginateJob, result: Result<String, HangupCause>) {
        self.effects.push_back(Effect::Originated { job, result });
    }

    fn log_global(&mut self, level: LogLevel, message: String) {
        self.effects.push_back(Effect::Log {
            channel: None,
            uuid: String::new(),
            level,
            message,
        });
    }
}
