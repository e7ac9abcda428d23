//! Unit tests of the session state machine (recording replays live in `tests/`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::*;
use crate::event::{CoreIdentity, SharedEvent};

fn factory() -> Arc<EventFactory> {
    Arc::new(EventFactory::new(CoreIdentity {
        core_uuid: "core".into(),
        hostname: "vm".into(),
        switchname: "vm".into(),
        ipv4: "192.0.2.2".into(),
        ipv6: "fd00::2".into(),
    }))
}

fn counter_ids() -> Box<dyn IdSource> {
    let mut n = 0u32;
    Box::new(move || {
        n += 1;
        format!("id-{n}")
    })
}

fn config() -> SessionConfig {
    SessionConfig {
        password: "ClueCon".into(),
        limits: Limits::default(),
    }
}

fn inbound() -> EslSession {
    EslSession::inbound(config(), factory(), counter_ids())
}

fn output(session: &mut EslSession) -> String {
    let mut out = Vec::new();
    while let Some(bytes) = session.poll_transmit() {
        out.extend_from_slice(&bytes);
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn requests(session: &mut EslSession) -> Vec<Request> {
    std::iter::from_fn(|| session.poll_request()).collect()
}

fn authed() -> EslSession {
    let mut session = inbound();
    session.handle_input(b"auth ClueCon\n\n");
    output(&mut session);
    session
}

fn now() -> Now {
    Now {
        instant: Instant::now(),
        wall: EventTime::default(),
    }
}

fn channel_event(name: &str, uuid: &str) -> QueueItem {
    let mut event = Event::named(name);
    event.add_header("Unique-ID", uuid);
    event.add_header("Channel-Name", "sofia/internal/1000@127.0.0.1");
    QueueItem::Event(SharedEvent::new(event))
}

#[test]
fn api_reply_waits_and_later_commands_queue_behind_it() {
    let mut session = authed();
    session.handle_input(b"api status\n\nevent plain ALL\n\n");
    let Some(Request::Api { id, command }) = session.poll_request() else {
        panic!("expected an api request");
    };
    assert_eq!(command, "status");
    assert_eq!(
        output(&mut session),
        "",
        "event's reply waits behind the api"
    );
    // Events keep flowing meanwhile (nothing subscribed yet, so none are sent).
    session.handle_item(channel_event("CHANNEL_ANSWER", "u"), now());
    session.complete_api(id, "UP\n");
    assert_eq!(
        output(&mut session),
        "Content-Type: api/response\nContent-Length: 3\n\nUP\nContent-Type: command/reply\nReply-Text: +OK event listener enabled plain\n\n"
    );
    session.complete_api(id, "late duplicate is ignored");
    assert_eq!(output(&mut session), "");
}

#[test]
fn bgapi_uses_client_job_uuid_or_generates_one() {
    let mut session = authed();
    session.handle_input(b"bgapi status\n\nbgapi originate user/1 &echo\nJob-UUID: mine\n\n");
    assert_eq!(
        output(&mut session),
        "Content-Type: command/reply\nReply-Text: +OK Job-UUID: id-1\nJob-UUID: id-1\n\nContent-Type: command/reply\nReply-Text: +OK Job-UUID: mine\nJob-UUID: mine\n\n"
    );
    let jobs: Vec<(String, String)> = requests(&mut session)
        .into_iter()
        .filter_map(|r| match r {
            Request::BgApi { job_uuid, command } => Some((job_uuid, command)),
            _ => None,
        })
        .collect();
    assert_eq!(
        jobs,
        [
            ("id-1".into(), "status".into()),
            ("mine".into(), "originate user/1 &echo".into())
        ]
    );
}

#[test]
fn sendmsg_sendevent_and_errors() {
    let mut session = authed();
    session.handle_input(b"sendmsg\ncall-command: hangup\n\n");
    assert!(output(&mut session).contains("Reply-Text: -ERR invalid session id []"));
    session.handle_input(b"sendmsg u1\ncall-command: hangup\nhangup-cause: USER_BUSY\n\n");
    let Some(Request::SendMsg { id, uuid, command }) = session.poll_request() else {
        panic!("expected sendmsg request");
    };
    assert_eq!(
        (uuid.as_str(), command),
        (
            "u1",
            CallCommand::Hangup {
                cause: "USER_BUSY".into()
            }
        )
    );
    session.complete_reply(id, "+OK");
    assert_eq!(
        output(&mut session),
        "Content-Type: command/reply\nReply-Text: +OK\n\n"
    );
    session.handle_input(
        b"sendevent CUSTOM\nEvent-Subclass: my::thing\nX: 1\nContent-Length: 2\n\nhi",
    );
    assert_eq!(
        output(&mut session),
        "Content-Type: command/reply\nReply-Text: +OK id-1\n\n"
    );
    let Some(Request::SendEvent {
        event,
        target_uuid: None,
    }) = session.poll_request()
    else {
        panic!("expected sendevent request");
    };
    let names: Vec<&str> = event.headers().iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Event-Subclass", "Event-Name", "X", "Event-UUID"]);
    assert_eq!(event.body(), Some("hi"));
    session.handle_input(b"frobnicate\n\n");
    assert_eq!(
        output(&mut session),
        "Content-Type: command/reply\nReply-Text: -ERR command not found\n\n"
    );
}

#[test]
fn events_are_sent_in_the_chosen_format_and_losses_reported() {
    let mut session = authed();
    session.handle_input(b"event json CHANNEL_ANSWER\n\n");
    output(&mut session);
    session.handle_item(channel_event("CHANNEL_ANSWER", "u"), now());
    session.handle_item(channel_event("CHANNEL_HANGUP", "u"), now());
    let sent = output(&mut session);
    assert!(sent.starts_with("Content-Length: "), "{sent}");
    assert!(sent.contains("Content-Type: text/event-json\n\n{\"Event-Name\":\"CHANNEL_ANSWER\""));
    assert!(!sent.contains("CHANNEL_HANGUP"));
    session.handle_item(QueueItem::Lost(7), now());
    let notice = output(&mut session);
    assert!(
        notice.contains("\"Event-Subclass\":\"witswitch::event_loss\""),
        "{notice}"
    );
    assert!(notice.contains("\"Events-Lost\":\"7\""));
    assert_eq!(session.lost_total(), 7);
}

#[test]
fn myevents_hangup_sends_the_session_notice_and_closes() {
    let mut session = authed();
    session.handle_input(b"myevents u1\n\n");
    assert!(output(&mut session).contains("+OK Events Enabled"));
    session.handle_item(channel_event("CHANNEL_HANGUP", "u2"), now());
    assert_eq!(output(&mut session), "");
    session.handle_item(channel_event("CHANNEL_HANGUP_COMPLETE", "u1"), now());
    let sent = output(&mut session);
    assert!(sent.ends_with(
        "Content-Type: text/disconnect-notice\nControlled-Session-UUID: u1\nContent-Disposition: disconnect\nContent-Length: 67\n\nDisconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n"
    ));
    assert!(session.is_closed());
}

#[test]
fn a_hangup_seen_before_its_sendmsg_reply_still_gets_the_reply_first() {
    // The host runs the hangup and its CHANNEL_HANGUP_COMPLETE can reach the
    // session before the host's "+OK" for the sendmsg does.
    let mut session = authed();
    session.handle_input(b"myevents u1\n\n");
    output(&mut session);
    requests(&mut session);
    session.handle_input(b"sendmsg u1\ncall-command: hangup\n\n");
    let Some(Request::SendMsg { id, .. }) = session.poll_request() else {
        panic!("expected sendmsg request");
    };
    session.handle_item(channel_event("CHANNEL_HANGUP_COMPLETE", "u1"), now());
    let events = output(&mut session);
    assert!(events.contains("CHANNEL_HANGUP_COMPLETE"), "{events}");
    assert!(!events.contains("disconnect-notice"), "{events}");
    assert!(!session.is_closed());
    session.complete_reply(id, "+OK");
    let sent = output(&mut session);
    let reply = sent.find("Reply-Text: +OK").expect("the reply");
    let notice = sent
        .find("Controlled-Session-UUID: u1")
        .expect("the notice");
    assert!(reply < notice, "{sent}");
    assert!(session.is_closed());
}

#[test]
fn linger_with_time_closes_at_the_deadline() {
    let mut session = authed();
    session.handle_input(b"linger\n\n");
    assert!(output(&mut session).contains("-ERR not controlling a session"));
    session.handle_input(b"myevents u1\n\nlinger 5\n\n");
    assert!(output(&mut session).contains("+OK will linger 5 seconds"));
    let start = Instant::now();
    session.handle_item(
        channel_event("CHANNEL_HANGUP_COMPLETE", "u1"),
        Now {
            instant: start,
            wall: EventTime::default(),
        },
    );
    assert!(output(&mut session).contains(
        "Content-Disposition: linger\nChannel-Name: sofia/internal/1000@127.0.0.1\nLinger-Time: 5\n"
    ));
    assert!(!session.is_closed());
    assert_eq!(session.poll_timeout(), Some(start + Duration::from_secs(5)));
    session.handle_timeout(start + Duration::from_secs(4));
    assert!(!session.is_closed());
    session.handle_timeout(start + Duration::from_secs(5));
    assert!(session.is_closed());
}

#[test]
fn logs_follow_the_level() {
    let mut session = authed();
    let record = |level| {
        QueueItem::Log(Arc::new(crate::wire::LogRecord {
            level,
            text_channel: 0,
            file: "f.rs".into(),
            function: "f".into(),
            line: 1,
            user_data: None,
            body: "line\n".into(),
        }))
    };
    session.handle_input(b"log warning\n\n");
    assert!(output(&mut session).contains("+OK log level warning [4]"));
    session.handle_item(record(LogLevel::Debug), now());
    assert_eq!(output(&mut session), "");
    session.handle_item(record(LogLevel::Err), now());
    assert!(
        output(&mut session)
            .starts_with("Content-Type: log/data\nContent-Length: 5\nLog-Level: 3\n")
    );
    session.handle_input(b"log loud\n\n");
    assert!(output(&mut session).contains("-ERR invalid log level"));
}

#[test]
fn userauth_is_decided_by_the_host() {
    let mut session = inbound();
    output(&mut session);
    session.handle_input(b"userauth 1000@example.com:secret\n\napi status\n\n");
    let Some(Request::UserAuth {
        id,
        user,
        domain,
        password,
    }) = session.poll_request()
    else {
        panic!("expected userauth request");
    };
    assert_eq!(
        (user.as_str(), domain.as_str(), password.as_str()),
        ("1000", "example.com", "secret")
    );
    session.complete_userauth(id, true);
    assert!(output(&mut session).contains("+OK accepted"));
    assert!(matches!(session.poll_request(), Some(Request::Api { .. })));
}

#[test]
fn oversized_command_is_refused_and_closes() {
    let mut session = EslSession::inbound(
        SessionConfig {
            password: "x".into(),
            limits: Limits {
                max_head: 32,
                max_body: 16,
            },
        },
        factory(),
        counter_ids(),
    );
    output(&mut session);
    session.handle_input(&[b'a'; 100]);
    let sent = output(&mut session);
    assert!(
        sent.starts_with("Content-Type: command/reply\nReply-Text: -ERR "),
        "{sent}"
    );
    assert!(sent.contains("text/disconnect-notice"));
    assert!(session.is_closed());
    assert!(!session.wants_read());
}

#[test]
fn outbound_static_mode_refuses_api() {
    let mut data = Event::named("CHANNEL_DATA");
    data.add_header("Unique-ID", "u9");
    let outbound = OutboundConfig {
        channel_data: data,
        async_mode: false,
        full: false,
    };
    let mut session = EslSession::outbound(config(), factory(), counter_ids(), outbound);
    assert!(
        matches!(session.poll_request(), Some(Request::Subscription(s)) if s.bound_uuid() == Some("u9"))
    );
    session.handle_input(b"connect\n\napi status\n\ngetvar call_uuid\n\n");
    let sent = output(&mut session);
    assert!(sent.starts_with("Event-Name: CHANNEL_DATA\nUnique-ID: u9\nContent-Type: command/reply\nReply-Text: %2BOK%0A\nSocket-Mode: static\nControl: single-channel\n\n"), "{sent}");
    assert!(sent.ends_with("Reply-Text: -ERR command not found\n\n"));
    let Some(Request::GetVar { id, uuid, name }) = session.poll_request() else {
        panic!("expected getvar request");
    };
    assert_eq!((uuid.as_str(), name.as_str()), ("u9", "call_uuid"));
    session.complete_reply(id, "u9");
    assert_eq!(
        output(&mut session),
        "Content-Type: command/reply\nReply-Text: u9\n\n"
    );
}
