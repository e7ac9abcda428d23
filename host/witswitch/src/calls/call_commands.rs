//! The event socket's call-control commands on the engine (`uuid_answer`,
//! `uuid_bridge`, `uuid_record`, `uuid_transfer [-bleg|-both]`, `sendmsg`
//! `call-command: execute`), with FreeSWITCH's reply texts.

use std::time::Instant;

use witswitch_control::api::command::{RecordAction, TransferLeg};
use witswitch_control::api::{ApiCommand, replies};
use witswitch_core::{ApiOpError, Engine, TransferLegs};

/// Runs `command` when it is one of these; hands any other back (boxed: the
/// command enum is large).
pub fn api(
    engine: &mut Engine,
    now: Instant,
    command: ApiCommand,
) -> Result<String, Box<ApiCommand>> {
    let reply = match command {
        ApiCommand::UuidAnswer { uuid } => match engine.find_channel(&uuid) {
            Some(id) => reply(engine.answer_api(now, id), replies::OK),
            None => replies::NO_SUCH_CHANNEL.to_owned(),
        },
        ApiCommand::UuidBridge { uuid, other_uuid } => {
            match (engine.find_channel(&uuid), engine.find_channel(&other_uuid)) {
                (Some(a), Some(b)) => match engine.bridge_api(now, a, b) {
                    Ok(()) => format!("+OK {other_uuid}\n"),
                    Err(ApiOpError::Busy) => "-ERR the channel runs an app\n".to_owned(),
                    Err(ApiOpError::NoChannel | ApiOpError::NotRecording) => {
                        "-ERR Invalid uuid\n".to_owned()
                    }
                },
                _ => "-ERR Invalid uuid\n".to_owned(),
            }
        }
        ApiCommand::UuidRecord {
            uuid,
            action,
            path,
            limit_secs,
        } => {
            let Some(id) = engine.find_channel(&uuid) else {
                return Ok("-ERR Cannot locate session!\n".to_owned());
            };
            let result = match action {
                RecordAction::Start => engine.record_api(now, id, true, &path, limit_secs),
                RecordAction::Stop => engine.record_api(now, id, false, &path, limit_secs),
                RecordAction::Mask => engine.mask_record_api(id, &path, true),
                RecordAction::Unmask => engine.mask_record_api(id, &path, false),
            };
            reply(result, "+OK Success\n")
        }
        ApiCommand::UuidTransfer {
            uuid,
            leg,
            destination,
            context,
            ..
        } => {
            let legs = match leg {
                TransferLeg::A => TransferLegs::This,
                TransferLeg::B => TransferLegs::Peer,
                TransferLeg::Both => TransferLegs::Both,
            };
            match engine.find_channel(&uuid) {
                Some(id) => {
                    let result =
                        engine.transfer_legs(now, id, legs, &destination, context.as_deref());
                    reply(result, replies::OK)
                }
                None => replies::NO_SUCH_CHANNEL.to_owned(),
            }
        }
        other => return Err(Box::new(other)),
    };
    Ok(reply)
}

/// `sendmsg` `call-command: execute` (`loops` -1, forever, runs it once: FreeSWITCH
/// repeats it until hangup, which only makes sense for a few apps).
pub fn execute(
    engine: &mut Engine,
    now: Instant,
    uuid: &str,
    app: (&str, &str),
    loops: i32,
    app_uuid: Option<&str>,
) -> String {
    let Some(id) = engine.find_channel(uuid) else {
        return format!("-ERR invalid session id [{uuid}]");
    };
    let loops = u32::try_from(loops).unwrap_or(1).clamp(1, 1000);
    match engine.execute_api(now, id, app, loops, app_uuid) {
        Ok(()) => "+OK".to_owned(),
        Err(_) => format!("-ERR invalid session id [{uuid}]"),
    }
}

fn reply(result: Result<(), ApiOpError>, ok: &str) -> String {
    match result {
        Ok(()) => ok.to_owned(),
        Err(ApiOpError::NoChannel) => replies::NO_SUCH_CHANNEL.to_owned(),
        Err(ApiOpError::Busy) => {
            "-ERR the channel is dialing, recording or runs an app\n".to_owned()
        }
        Err(ApiOpError::NotRecording) => "-ERR the channel records no such file\n".to_owned(),
    }
}
