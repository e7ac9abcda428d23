//! Recorded FreeSWITCH 1.10.12 sessions replayed through witswitch's `EslSession`:
//! the bytes it writes must equal the recorded server stream, frame for frame.

mod common;

use common::replay::{FakeHost, assert_same_stream, fixed_ids, replay};
use common::{event_of, recorded_factory, server_stream, split_frames};
use witswitch_control::api::sofia::{RegistrationRecord, SofiaRowKind, SofiaStatusRow};
use witswitch_control::api::{ShowCommand, ShowTable, StatusInfo, replies, show};
use witswitch_control::event::{EventFormat, serialize};
use witswitch_control::session::{EslSession, OutboundConfig, Request, SessionConfig};
use witswitch_control::wire::{Limits, parse_plain};

fn inbound(ids: &[&str]) -> EslSession {
    EslSession::inbound(
        SessionConfig {
            password: "ClueCon".into(),
            limits: Limits::default(),
        },
        recorded_factory(),
        fixed_ids(ids),
    )
}

fn check(name: &str, session: &mut EslSession, host: &mut FakeHost) {
    let (actual, expected) = replay(name, session, host);
    assert_same_stream(name, &actual, &expected);
}

fn sofia_rows() -> Vec<SofiaStatusRow> {
    vec![
        SofiaStatusRow {
            name: "127.0.0.1".into(),
            kind: SofiaRowKind::Alias,
            data: "internal".into(),
            state: "ALIASED".into(),
        },
        SofiaStatusRow {
            name: "internal".into(),
            kind: SofiaRowKind::Profile,
            data: "sip:mod_sofia@127.0.0.1:5060".into(),
            state: "RUNNING (0)".into(),
        },
    ]
}

#[test]
fn auth_ok_exit() {
    check(
        "esl/auth_ok_exit",
        &mut inbound(&[]),
        &mut FakeHost::default(),
    );
}

#[test]
fn auth_wrong_closes() {
    let mut session = inbound(&[]);
    check("esl/auth_wrong", &mut session, &mut FakeHost::default());
    assert!(session.is_closed());
}

#[test]
fn command_before_auth() {
    check(
        "esl/command_before_auth",
        &mut inbound(&[]),
        &mut FakeHost::default(),
    );
}

#[test]
fn api_misc_status_version_errors_regex_fsctl_show_sofia() {
    let mut host = FakeHost {
        status: Some(StatusInfo {
            version: common::replay::recorded_version(),
            uptime_us: 142_986_328,
            ready: true,
            sessions_since_startup: 0,
            sessions_now: 0,
            sessions_peak: 0,
            sessions_peak_5min: 0,
            sps_last: 0,
            sps_max: 5000,
            sps_peak: 0,
            sps_peak_5min: 0,
            max_sessions: 20000,
            idle_cpu_min: 0.0,
            idle_cpu_now: 99.07,
            stack_kib: Some((240, 240)),
        }),
        sofia_rows: sofia_rows(),
        ..FakeHost::default()
    };
    check("esl/api_misc", &mut inbound(&[]), &mut host);
}

#[test]
fn reloadxml_and_sofia_status() {
    let mut host = FakeHost {
        sofia_rows: sofia_rows(),
        ..FakeHost::default()
    };
    host.answer(
        "sofia profile internal restart",
        "Reload XML [Success]\nrestarting: internal",
    );
    check(
        "esl/reloadxml_sofia_profile_restart",
        &mut inbound(&[]),
        &mut host,
    );
}

#[test]
fn filter_nixevent_noevents_replies_and_filtering() {
    let mut session = inbound(&[]);
    check(
        "esl/filter_nixevent_noevents",
        &mut session,
        &mut FakeHost::default(),
    );
    // The final subscription (CHANNEL_ANSWER + Event-Name filter) must refuse the
    // call's other events that FreeSWITCH filtered out during the capture.
    let others = split_frames(&server_stream("esl/events_plain_all_call_9196"));
    let mut passed = Vec::new();
    for raw in others
        .iter()
        .filter(|raw| raw.frame.event_format().is_some())
    {
        let event = event_of(raw);
        if session.subscription().matches(&event) {
            passed.push(event.name().to_string());
        }
    }
    assert!(
        passed.is_empty(),
        "after noevents nothing passes: {passed:?}"
    );
}

#[test]
fn filter_passes_only_the_filtered_event() {
    let mut session = inbound(&[]);
    let mut host = FakeHost::default();
    session.handle_input(b"auth ClueCon\n\nevent plain CHANNEL_ANSWER CHANNEL_STATE CHANNEL_HANGUP\n\nfilter Event-Name CHANNEL_ANSWER\n\n");
    host.serve(&mut session);
    let frames = split_frames(&server_stream("esl/events_plain_all_call_9196"));
    let passed: Vec<String> = frames
        .iter()
        .filter(|raw| raw.frame.event_format().is_some())
        .map(event_of)
        .filter(|event| session.subscription().matches(event))
        .map(|event| event.name().to_string())
        .collect();
    assert_eq!(passed, ["CHANNEL_ANSWER"]);
}

#[test]
fn log_nolog() {
    check("esl/log_nolog", &mut inbound(&[]), &mut FakeHost::default());
}

#[test]
fn heartbeat_subscription() {
    check("esl/heartbeat", &mut inbound(&[]), &mut FakeHost::default());
}

#[test]
fn events_plain_json_xml_all_and_single() {
    for name in [
        "esl/events_plain_all_call_9196",
        "esl/events_json_all_call_9196",
        "esl/events_xml_channel_answer_call_9196",
    ] {
        check(name, &mut inbound(&[]), &mut FakeHost::default());
    }
}

#[test]
fn bgapi_replies_and_background_job_requests() {
    let mut session = inbound(&[
        "aabe731c-22f8-473a-b67c-7e6f85651e8b",
        "22d77d06-1b02-413b-baf9-b834e71e7575",
    ]);
    let mut host = FakeHost::default();
    check("esl/bgapi_background_job", &mut session, &mut host);
    let jobs: Vec<(String, String)> = host
        .seen
        .iter()
        .filter_map(|r| match r {
            Request::BgApi { job_uuid, command } => Some((job_uuid.clone(), command.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        jobs,
        [
            (
                "aabe731c-22f8-473a-b67c-7e6f85651e8b".to_string(),
                "status".to_string()
            ),
            (
                "22d77d06-1b02-413b-baf9-b834e71e7575".to_string(),
                "originate user/1005 &echo".to_string()
            ),
            (
                "11111111-2222-3333-4444-555555555555".to_string(),
                "status".to_string()
            ),
        ]
    );
}

#[test]
fn myevents_sendmsg_until_the_channel_ends() {
    let mut session = inbound(&[]);
    let mut host = FakeHost::default();
    host.answer(
        "originate sofia/internal/1001@127.0.0.1:5070 &park",
        "+OK ba5bd92f-ee8f-4e43-ad57-cb489b392c23\n",
    );
    check("esl/myevents_sendmsg", &mut session, &mut host);
    assert!(session.is_closed());
    let sendmsgs = host
        .seen
        .iter()
        .filter(|r| matches!(r, Request::SendMsg { .. }))
        .count();
    assert_eq!(sendmsgs, 2);
}

#[test]
fn originate_and_uuid_commands() {
    let mut host = FakeHost::default();
    let uuid = "2e1ccb65-6ee8-48e4-857c-83e41824257a";
    // The two dumps are separate CHANNEL_DATA events (their Event-Sequence differs).
    let frames = split_frames(&server_stream("esl/originate_uuid_cmds"));
    let dump = |prefix: &str, format| {
        let body = frames
            .iter()
            .find(|raw| raw.frame.body_text().starts_with(prefix))
            .and_then(|raw| raw.frame.body.clone())
            .expect("uuid_dump output");
        witswitch_control::wire::parse_event(&body, format).expect("dump parses")
    };
    let plain_dump = dump("Event-Name: CHANNEL_DATA", EventFormat::Plain);
    let json_dump = dump("{\"Event-Name\":\"CHANNEL_DATA\"", EventFormat::Json);
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap_or_default();
    host.answer("originate user/1005 &echo", "-ERR USER_NOT_REGISTERED\n");
    host.answer(
        "originate sofia/internal/1001@127.0.0.1:5070 &park",
        format!("+OK {uuid}\n"),
    );
    host.answer(
        format!("uuid_dump {uuid}"),
        text(serialize::to_plain(&plain_dump)),
    );
    host.answer(
        format!("uuid_dump {uuid} json"),
        text(serialize::to_json(&json_dump)),
    );
    host.answer(format!("uuid_getvar {uuid} call_uuid"), uuid);
    host.answer(
        format!("uuid_getvar {uuid} no_such_variable"),
        replies::getvar(None),
    );
    host.answer(format!("uuid_exists {uuid}"), replies::exists(true));
    host.answer(format!("uuid_exists {uuid}"), replies::exists(false));
    host.answer(format!("uuid_kill {uuid}"), replies::OK);
    host.answer(format!("uuid_kill {uuid}"), replies::NO_SUCH_CHANNEL);
    check("esl/originate_uuid_cmds", &mut inbound(&[]), &mut host);
}

#[test]
fn show_tables_with_two_calls() {
    let frames = split_frames(&server_stream("esl/show_channels_two_calls"));
    let csv = |header: &str| -> Vec<Vec<String>> {
        let body = frames
            .iter()
            .map(|raw| raw.frame.body_text())
            .find(|body| body.starts_with(header))
            .expect("recorded CSV table");
        body.lines()
            .skip(1)
            .take_while(|line| !line.is_empty())
            .map(|line| line.split(',').map(str::to_string).collect())
            .collect()
    };
    let mut host = FakeHost::default();
    let channels = csv(
        "uuid,direction,created,created_epoch,name,state,cid_name,cid_num,ip_addr,dest,application",
    );
    let calls = csv(
        "uuid,direction,created,created_epoch,name,state,cid_name,cid_num,ip_addr,dest,presence_id",
    );
    assert_eq!(channels.len(), 2);
    assert!(
        channels
            .iter()
            .all(|row| row.len() == show::CHANNEL_COLUMNS.len())
    );
    assert!(
        calls
            .iter()
            .all(|row| row.len() == show::CALL_COLUMNS.len())
    );
    // The first poll ran before the calls were up.
    let count = ShowCommand {
        table: ShowTable::Channels,
        json: false,
        count: true,
        like: None,
    };
    host.answer("show channels count", show::format(&count, &[]));
    host.answer("show channels count", show::format(&count, &channels));
    host.show_rows.insert("channels", channels);
    host.show_rows.insert("calls", calls);
    check("esl/show_channels_two_calls", &mut inbound(&[]), &mut host);
}

#[test]
fn registrations_and_sofia_reg_listing() {
    let mut host = FakeHost {
        sofia_rows: sofia_rows(),
        ..FakeHost::default()
    };
    let row = "1000,127.0.0.1,1-9571@127.0.0.1,sofia/internal/sip:1000@127.0.0.1:5090;transport=UDP,1795699351,127.0.0.1,5090,udp,vm,";
    host.show_rows.insert(
        "registrations",
        vec![row.split(',').map(str::to_string).collect()],
    );
    let record = RegistrationRecord {
        call_id: "1-9571@127.0.0.1".into(),
        user: "1000@127.0.0.1".into(),
        contact: "\"\" <sip:1000@127.0.0.1:5090;transport=UDP>".into(),
        agent: "sipp-register".into(),
        status: "Registered(UDP)(unknown) EXP(2026-11-26 13:22:31) EXPSECS(3657)".into(),
        ping_status: "Reachable".into(),
        ping_time: "0.00".into(),
        host: "vm".into(),
        ip: "127.0.0.1".into(),
        port: "5090".into(),
        auth_user: "1000".into(),
        auth_realm: "127.0.0.1".into(),
        mwi_account: "1000@127.0.0.1".into(),
    };
    let listing = witswitch_control::api::sofia::registrations(&[record]);
    host.answer("sofia status profile internal reg", listing.clone());
    host.answer("sofia status profile internal reg 1000", listing);
    let contact = "sofia/internal/sip:1000@127.0.0.1:5090;transport=UDP";
    host.answer("sofia_contact 1000", contact);
    host.answer("sofia_contact internal/1000@127.0.0.1", contact);
    check("esl/registrations_one_user", &mut inbound(&[]), &mut host);
}

fn outbound_session(name: &str) -> EslSession {
    let reply = split_frames(&server_stream(name))
        .into_iter()
        .next()
        .expect("connect reply");
    let mut channel_data = parse_plain(&reply.bytes);
    for header in ["Content-Type", "Reply-Text", "Socket-Mode", "Control"] {
        channel_data.remove_header(header);
    }
    EslSession::outbound(
        SessionConfig {
            password: "ClueCon".into(),
            limits: Limits::default(),
        },
        recorded_factory(),
        fixed_ids(&[]),
        OutboundConfig {
            channel_data,
            async_mode: true,
            full: true,
        },
    )
}

#[test]
fn outbound_socket_with_linger() {
    let name = "esl_outbound/outbound_socket_9199_linger";
    let mut session = outbound_session(name);
    let mut host = FakeHost::default();
    let uuid = "6fd3c66a-c196-4f2b-a6a9-8837e842942c";
    host.answer(format!("uuid_getvar {uuid} call_uuid"), uuid);
    check(name, &mut session, &mut host);
    assert!(!session.is_closed(), "a lingering socket stays open");
}

#[test]
fn outbound_socket_without_linger() {
    let name = "esl_outbound/outbound_socket_9199_nolinger";
    let mut session = outbound_session(name);
    let mut host = FakeHost::default();
    let uuid = "5bc3ae2e-1a9e-4b34-a65f-d3186e78d79b";
    host.answer(format!("uuid_getvar {uuid} call_uuid"), uuid);
    check(name, &mut session, &mut host);
    assert!(session.is_closed());
    let executes: Vec<String> = host
        .seen
        .iter()
        .filter_map(|r| match r {
            Request::SendMsg {
                uuid: target,
                command: witswitch_control::session::CallCommand::Execute { app, .. },
                ..
            } => {
                assert_eq!(target, uuid);
                Some(app.clone())
            }
            _ => None,
        })
        .collect();
    assert_eq!(executes, ["answer", "playback"]);
}
