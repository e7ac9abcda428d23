//! API commands and `sendmsg` messages about calls, carried out on the engine by the
//! call task (the one owner of every channel). Replies use FreeSWITCH's texts.

use std::time::Instant;

use witswitch_control::api::show::{ChannelRow, format as show_format};
use witswitch_control::api::{ApiCommand, FsctlCommand, ShowCommand, ShowTable, replies};
use witswitch_control::event::EventTime;
use witswitch_control::session::CallCommand;
use witswitch_core::{ApiOpError, ChannelId, ChannelSnapshot, Engine, HangupCause};

use crate::control::{CallControl, CallStats};

/// Carries out one control request.
pub fn handle(engine: &mut Engine, now: Instant, request: CallControl) {
    match request {
        CallControl::Stats(reply) => {
            let _ = reply.send(stats(engine));
        }
        CallControl::Api { command, reply } => {
            let _ = reply.send(api(engine, now, command));
        }
        CallControl::SendMsg {
            uuid,
            command,
            reply,
        } => {
            let _ = reply.send(send_msg(engine, now, &uuid, command));
        }
        CallControl::SocketEnded { uuid, end } => {
            if let Some(channel) = engine.find_channel(&uuid) {
                engine.socket_ended(now, channel, end);
            }
        }
        CallControl::Globals(globals) => engine.set_globals(globals),
        CallControl::GetVar { uuid, name, reply } => {
            let value = engine
                .find_channel(&uuid)
                .and_then(|c| engine.channel_var(c, &name))
                .map(str::to_owned);
            let _ = reply.send(value);
        }
    }
}

fn stats(engine: &Engine) -> CallStats {
    let counters = engine.stats();
    CallStats {
        sessions_now: engine.channel_count() as u64,
        sessions_since_startup: counters.sessions_since_start,
        sessions_peak: counters.peak_sessions as u64,
        max_sessions: u64::from(engine.limits().max_sessions()),
        sps_max: u64::from(engine.limits().sessions_per_second()),
    }
}

/// A Q.850 cause by name (FreeSWITCH's default for API hangups is given).
fn cause(name: Option<&str>, default: HangupCause) -> HangupCause {
    name.and_then(|n| HangupCause::all().find(|c| c.name().eq_ignore_ascii_case(n.trim())))
        .unwrap_or(default)
}

fn send_msg(engine: &mut Engine, now: Instant, uuid: &str, command: CallCommand) -> String {
    let Some(channel) = engine.find_channel(uuid) else {
        return format!("-ERR invalid session id [{uuid}]");
    };
    match command {
        CallCommand::Hangup { cause: name } => {
            engine.hangup(
                now,
                channel,
                cause(Some(&name), HangupCause::NormalClearing),
            );
            "+OK".to_owned()
        }
        CallCommand::Execute {
            app,
            arg,
            loops,
            event_uuid,
            ..
        } => {
            let app = (app.as_str(), arg.as_str());
            super::call_commands::execute(engine, now, uuid, app, loops, event_uuid.as_deref())
        }
        CallCommand::Unicast { .. } | CallCommand::NoMedia { .. } => {
            "-ERR unsupported call-command".to_owned()
        }
    }
}

fn api(engine: &mut Engine, now: Instant, command: ApiCommand) -> String {
    let command = match super::call_commands::api(engine, now, command) {
        Ok(reply) => return reply,
        Err(other) => *other,
    };
    let find = |uuid: &str| engine.find_channel(uuid);
    match command {
        ApiCommand::UuidKill { uuid, cause: name } => match find(&uuid) {
            Some(channel) => {
                engine.hangup(
                    now,
                    channel,
                    cause(name.as_deref(), HangupCause::NormalClearing),
                );
                replies::OK.to_owned()
            }
            None => replies::NO_SUCH_CHANNEL.to_owned(),
        },
        ApiCommand::UuidExists { uuid } => replies::exists(find(&uuid).is_some()),
        ApiCommand::UuidGetVar { uuid, name } => match find(&uuid) {
            Some(channel) => replies::getvar(engine.channel_var(channel, &name)),
            None => replies::NO_SUCH_CHANNEL.to_owned(),
        },
        ApiCommand::UuidSetVar { uuid, name, value } => match find(&uuid) {
            Some(channel) => {
                engine.set_channel_var(channel, &name, value);
                replies::OK.to_owned()
            }
            None => replies::NO_SUCH_CHANNEL.to_owned(),
        },
        ApiCommand::UuidDump { uuid, .. } => match find(&uuid) {
            Some(channel) => dump(engine, channel),
            None => replies::NO_SUCH_CHANNEL.to_owned(),
        },
        ApiCommand::Hupall { cause: name } => {
            engine.hangup_all(now, cause(name.as_deref(), HangupCause::ManagerRequest));
            replies::hupall(name.as_deref())
        }
        ApiCommand::UuidBreak { uuid, .. } => match find(&uuid) {
            Some(channel) => op_reply(engine.break_channel(channel), ""),
            None => replies::NO_SUCH_CHANNEL.to_owned(),
        },
        ApiCommand::UuidSendDtmf { uuid, digits } => match find(&uuid) {
            Some(channel) => op_reply(engine.send_dtmf(channel, &digits), ""),
            None => replies::NO_SUCH_CHANNEL.to_owned(),
        },
        ApiCommand::Show(show) => show_table(engine, &show),
        ApiCommand::Fsctl(FsctlCommand::MaxSessions(value)) => {
            if let Some(max) = value {
                engine.set_max_sessions(max);
            }
            replies::max_sessions(engine.limits().max_sessions())
        }
        ApiCommand::Fsctl(FsctlCommand::Sps(value)) => {
            if let Some(sps) = value {
                engine.set_sessions_per_second(sps);
            }
            replies::sessions_per_second(engine.limits().sessions_per_second())
        }
        other => format!("-ERR {} is not implemented yet\n", command_name(&other)),
    }
}

fn op_reply(result: Result<(), ApiOpError>, busy: &str) -> String {
    match result {
        Ok(()) => replies::OK.to_owned(),
        Err(ApiOpError::NoChannel | ApiOpError::NotRecording) => {
            replies::NO_SUCH_CHANNEL.to_owned()
        }
        Err(ApiOpError::Busy) => busy.to_owned(),
    }
}

/// The FreeSWITCH command word of a parsed command (for error texts).
fn command_name(command: &ApiCommand) -> String {
    let debug = format!("{command:?}");
    let word: String = debug.chars().take_while(|c| c.is_alphanumeric()).collect();
    let mut name = String::new();
    for (i, c) in word.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            name.push('_');
        }
        name.push(c.to_ascii_lowercase());
    }
    name
}

/// `uuid_dump`: the channel's headers and variables, `Name: value` lines.
fn dump(engine: &Engine, channel: ChannelId) -> String {
    let mut out = String::new();
    if let Some(snap) = engine.channel_snapshot(channel) {
        let lines = [
            ("Channel-State", snap.state.name().to_owned()),
            ("Channel-Call-State", snap.call_state.name().to_owned()),
            ("Channel-Name", snap.name.clone()),
            ("Unique-ID", snap.uuid.clone()),
            ("Call-Direction", snap.direction.name().to_owned()),
            ("Answer-State", snap.answer_state.name().to_owned()),
            ("Caller-Caller-ID-Name", snap.caller_id_name.clone()),
            ("Caller-Caller-ID-Number", snap.caller_id_number.clone()),
            ("Caller-Destination-Number", snap.destination_number.clone()),
            ("Caller-Context", snap.context.clone()),
            ("Caller-Unique-ID", snap.uuid.clone()),
        ];
        for (name, value) in lines {
            out.push_str(&format!("{name}: {value}\n"));
        }
    }
    for (name, value) in engine.channel_vars(channel).unwrap_or_default() {
        out.push_str(&format!("variable_{name}: {value}\n"));
    }
    out
}

fn show_table(engine: &Engine, show: &ShowCommand) -> String {
    let snapshots: Vec<ChannelSnapshot> = engine
        .channel_ids()
        .into_iter()
        .filter_map(|id| engine.channel_snapshot(id))
        .collect();
    let rows: Vec<Vec<String>> = match show.table {
        ShowTable::Channels => snapshots
            .iter()
            .map(|s| channel_row(engine, s).values())
            .collect(),
        ShowTable::Calls => snapshots
            .iter()
            .filter(|s| s.uuid == s.call_uuid || s.other_leg_uuid.is_none())
            .map(|s| call_row(engine, s, &snapshots))
            .collect(),
        // Registrations live in the profile tasks; not reachable from here yet.
        ShowTable::Registrations => Vec::new(),
    };
    show_format(show, &rows)
}

fn channel_row(engine: &Engine, s: &ChannelSnapshot) -> ChannelRow {
    let var = |name: &str| {
        engine
            .find_channel(&s.uuid)
            .and_then(|c| engine.channel_var(c, name))
            .unwrap_or_default()
            .to_owned()
    };
    let (codec, rate) = s.codec.clone().unwrap_or_default();
    let created = EventTime {
        epoch_us: i64::try_from(s.created_us).unwrap_or(0),
        utc_offset_secs: 0,
    };
    ChannelRow {
        uuid: s.uuid.clone(),
        direction: s.direction.name().to_owned(),
        created: created.local(),
        created_epoch: (s.created_us / 1_000_000).to_string(),
        name: s.name.clone(),
        state: s.state.name().to_owned(),
        cid_name: s.caller_id_name.clone(),
        cid_num: s.caller_id_number.clone(),
        ip_addr: s.network_addr.clone(),
        dest: s.destination_number.clone(),
        application: var("current_application"),
        application_data: var("current_application_data"),
        dialplan: "XML".to_owned(),
        context: s.context.clone(),
        read_codec: codec.clone(),
        read_rate: if rate == 0 {
            String::new()
        } else {
            rate.to_string()
        },
        write_codec: codec,
        write_rate: if rate == 0 {
            String::new()
        } else {
            rate.to_string()
        },
        callstate: s.call_state.name().to_owned(),
        call_uuid: s.call_uuid.clone(),
        initial_cid_name: s.caller_id_name.clone(),
        initial_cid_num: s.caller_id_number.clone(),
        initial_ip_addr: s.network_addr.clone(),
        initial_dest: s.destination_number.clone(),
        initial_dialplan: "XML".to_owned(),
        initial_context: s.context.clone(),
        ..ChannelRow::default()
    }
}

fn call_row(engine: &Engine, a: &ChannelSnapshot, all: &[ChannelSnapshot]) -> Vec<String> {
    use witswitch_control::api::show::CALL_COLUMNS;
    let a_row = channel_row(engine, a);
    let b = a
        .other_leg_uuid
        .as_ref()
        .and_then(|uuid| all.iter().find(|s| &s.uuid == uuid))
        .map(|b| channel_row(engine, b));
    let b_row = b.unwrap_or_default();
    CALL_COLUMNS
        .iter()
        .map(|column| match column.strip_prefix("b_") {
            Some(field) => field_of(&b_row, field),
            None if *column == "call_created_epoch" => a_row.created_epoch.clone(),
            None => field_of(&a_row, column),
        })
        .collect()
}

/// A `show channels` column by name.
fn field_of(row: &ChannelRow, column: &str) -> String {
    use witswitch_control::api::show::CHANNEL_COLUMNS;
    CHANNEL_COLUMNS
        .iter()
        .position(|c| *c == column)
        .and_then(|i| row.values().get(i).cloned())
        .unwrap_or_default()
}
