//! API `originate` on the call task: the reply of the event socket command waits
//! here until the engine reports the outcome ([`Effect::Originated`]), which can be
//! a minute later (ringing). FreeSWITCH's bodies: `+OK <uuid>` / `-ERR <CAUSE>`.
//!
//! [`Effect::Originated`]: witswitch_core::Effect::Originated

use std::collections::HashMap;
use std::time::Instant;

use tokio::sync::oneshot;
use witswitch_control::api::{ApiCommand, OriginateCommand, OriginateTarget};
use witswitch_core::{Engine, HangupCause, OriginateJob, OriginateRequest, OriginateTo};

use crate::control::CallControl;

/// Originates waiting for their outcome.
#[derive(Debug, Default)]
pub struct Originates {
    next: u64,
    pending: HashMap<OriginateJob, oneshot::Sender<String>>,
}

impl Originates {
    /// Starts an `originate` request; hands every other request back.
    pub fn intercept(
        &mut self,
        engine: &mut Engine,
        now: Instant,
        request: CallControl,
    ) -> Option<CallControl> {
        match request {
            CallControl::Api {
                command: ApiCommand::Originate(command),
                reply,
            } => {
                self.next += 1;
                let job = OriginateJob(self.next);
                self.pending.insert(job, reply);
                engine.originate(now, job, request_of(command));
                None
            }
            other => Some(other),
        }
    }

    /// The engine's outcome for `job`: the API reply body.
    pub fn finish(&mut self, job: OriginateJob, result: Result<String, HangupCause>) {
        if let Some(reply) = self.pending.remove(&job) {
            // The client may have gone away meanwhile; the call goes on regardless.
            let _ = reply.send(body(&result));
        }
    }
}

/// FreeSWITCH's reply body.
fn body(result: &Result<String, HangupCause>) -> String {
    match result {
        Ok(uuid) => format!("+OK {uuid}\n"),
        Err(cause) => format!("-ERR {}\n", cause.name()),
    }
}

fn request_of(command: OriginateCommand) -> OriginateRequest {
    let to = match command.target {
        OriginateTarget::Application { name, args } => OriginateTo::App { name, data: args },
        OriginateTarget::Extension {
            exten,
            dialplan,
            context,
        } => OriginateTo::Extension {
            extension: exten,
            dialplan,
            context,
        },
    };
    OriginateRequest {
        dial: command.dial_string,
        to,
        caller_id_name: command.caller_id_name,
        caller_id_number: command.caller_id_number,
        timeout_secs: command.timeout_secs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_freeswitch_texts() {
        assert_eq!(body(&Ok("abc".into())), "+OK abc\n");
        assert_eq!(
            body(&Err(HangupCause::UserNotRegistered)),
            "-ERR USER_NOT_REGISTERED\n"
        );
    }
}
