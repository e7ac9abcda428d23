//! `witswitch cli` against a tiny in-test event socket server built from `EslSession`
//! (real TCP on 127.0.0.1, no sleeps: the test waits for output it expects).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream};
use tokio::net::{TcpListener, TcpStream};
use witswitch_control::api::{Dispatch, LogLevel, PureContext, VersionInfo, dispatch};
use witswitch_control::cli::{CliError, CliOptions, run_interactive, run_once};
use witswitch_control::event::{CoreIdentity, Event, EventFactory, EventTime, SharedEvent};
use witswitch_control::queue::QueueItem;
use witswitch_control::session::{EslSession, Now, Request, SessionConfig};
use witswitch_control::wire::{Limits, LogRecord};

const PASSWORD: &str = "ClueCon";

fn version() -> VersionInfo {
    VersionInfo {
        product: "witswitch".into(),
        full: "0.1.0".into(),
        full_human: "0.1.0 test".into(),
        revision_human: "test build".into(),
        short: "0.1.0".into(),
    }
}

fn answer(command: &str) -> String {
    let version = version();
    let globals: BTreeMap<String, String> =
        [("domain".to_string(), "example.com".to_string())].into();
    match dispatch(
        command,
        &PureContext {
            version: &version,
            globals: &globals,
        },
    ) {
        Dispatch::Done(body) => body,
        Dispatch::Live(_) => "\n0 total.\n".to_string(),
    }
}

fn now() -> Now {
    Now {
        instant: std::time::Instant::now(),
        wall: EventTime::default(),
    }
}

/// Serves one connection with an `EslSession`; events appear when subscribed.
async fn serve(stream: TcpStream) {
    let factory = Arc::new(EventFactory::new(CoreIdentity {
        core_uuid: "core".into(),
        hostname: "test".into(),
        switchname: "test".into(),
        ipv4: "127.0.0.1".into(),
        ipv6: "::1".into(),
    }));
    let config = SessionConfig {
        password: PASSWORD.into(),
        limits: Limits::default(),
    };
    let mut session = EslSession::inbound(config, factory, Box::new(|| "job-1".to_string()));
    let (mut reader, mut writer) = stream.into_split();
    let mut buffer = [0u8; 4096];
    loop {
        while let Some(request) = session.poll_request() {
            match request {
                Request::Api { id, command } => session.complete_api(id, &answer(&command)),
                Request::Subscription(subscription) => {
                    let mut answered = Event::named("CHANNEL_ANSWER");
                    answered.add_header("Unique-ID", "call-1");
                    answered.add_header("Caller-Caller-ID-Number", "1000");
                    if subscription.matches(&answered) {
                        session.handle_item(QueueItem::Event(SharedEvent::new(answered)), now());
                    }
                }
                Request::LogLevel(Some(_)) => {
                    let record = LogRecord {
                        level: LogLevel::Notice,
                        text_channel: 0,
                        file: "cli.rs".into(),
                        function: "serve".into(),
                        line: 1,
                        user_data: None,
                        body: "[NOTICE] hello from the log\n".into(),
                    };
                    session.handle_item(QueueItem::Log(Arc::new(record)), now());
                }
                _ => {}
            }
        }
        while let Some(bytes) = session.poll_transmit() {
            if writer.write_all(&bytes).await.is_err() {
                return;
            }
        }
        if session.is_closed() {
            return;
        }
        match reader.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(read) => session.handle_input(&buffer[..read]),
        }
    }
}

/// A server on an ephemeral port; returns the options to reach it.
async fn server() -> CliOptions {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("address").port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve(stream));
        }
    });
    CliOptions {
        host: "127.0.0.1".into(),
        port,
        password: PASSWORD.into(),
        user: None,
        timeout: Duration::from_secs(5),
    }
}

#[tokio::test]
async fn one_shot_prints_the_api_output() {
    let options = server().await;
    let output = run_once(&options, "version").await.expect("version runs");
    assert_eq!(output, "witswitch Version 0.1.0 (test build)\n");
    let output = run_once(&options, "regex 1001|^(10[01][0-9])$|user/$1")
        .await
        .expect("regex runs");
    assert_eq!(output, "user/1001");
    let output = run_once(&options, "bogus")
        .await
        .expect("unknown still answers");
    assert_eq!(output, "-ERR bogus Command not found!\n");
}

#[tokio::test]
async fn wrong_password_is_exit_code_2() {
    let options = CliOptions {
        password: "wrong".into(),
        ..server().await
    };
    let error = run_once(&options, "status")
        .await
        .expect_err("must be refused");
    assert!(matches!(error, CliError::AuthRefused), "{error}");
    assert_eq!(error.exit_code(), 2);
}

#[tokio::test]
async fn nothing_listening_is_exit_code_1() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("address").port();
    drop(listener);
    let options = CliOptions {
        port,
        ..CliOptions::default()
    };
    let error = run_once(&options, "status")
        .await
        .expect_err("nothing listens");
    assert!(matches!(error, CliError::Connect { .. }), "{error}");
    assert_eq!(error.exit_code(), 1);
}

/// Reads the client's output until it contains `needle`.
async fn expect(output: &mut DuplexStream, seen: &mut String, needle: &str) {
    let wait = async {
        let mut buffer = [0u8; 4096];
        while !seen.contains(needle) {
            let read = output.read(&mut buffer).await.expect("read client output");
            assert!(
                read > 0,
                "client output ended before {needle:?}; got:\n{seen}"
            );
            seen.push_str(&String::from_utf8_lossy(&buffer[..read]));
        }
    };
    if tokio::time::timeout(Duration::from_secs(10), wait)
        .await
        .is_err()
    {
        panic!("no {needle:?} in client output:\n{seen}");
    }
}

#[tokio::test]
async fn interactive_prompt_events_log_history_exit() {
    let options = server().await;
    let (mut keyboard, input) = tokio::io::duplex(4096);
    let (screen_writer, mut screen) = tokio::io::duplex(1 << 16);
    let client = tokio::spawn(async move {
        let mut screen_writer = screen_writer;
        run_interactive(&options, BufReader::new(input), &mut screen_writer).await
    });
    let mut seen = String::new();
    expect(&mut screen, &mut seen, "witswitch@127.0.0.1> ").await;

    keyboard
        .write_all(b"global_getvar domain\n")
        .await
        .expect("type");
    expect(&mut screen, &mut seen, "example.com\n").await;

    keyboard
        .write_all(b"/event plain CHANNEL_ANSWER\n")
        .await
        .expect("type");
    expect(&mut screen, &mut seen, "+OK event listener enabled plain\n").await;
    expect(
        &mut screen,
        &mut seen,
        "RECV EVENT\nEvent-Name: CHANNEL_ANSWER\nUnique-ID: call-1\n",
    )
    .await;

    keyboard.write_all(b"/log notice\n").await.expect("type");
    expect(&mut screen, &mut seen, "+OK log level notice [5]\n").await;
    expect(&mut screen, &mut seen, "[NOTICE] hello from the log\n").await;

    keyboard.write_all(b"!1\n").await.expect("type");
    expect(
        &mut screen,
        &mut seen,
        "global_getvar domain\nexample.com\n",
    )
    .await;

    keyboard.write_all(b"/history\n").await.expect("type");
    expect(&mut screen, &mut seen, "   1  global_getvar domain\n   2  /event plain CHANNEL_ANSWER\n   3  /log notice\n   4  global_getvar domain\n").await;

    keyboard
        .write_all(b"/frobnicate\n/exit\n")
        .await
        .expect("type");
    expect(&mut screen, &mut seen, "unknown command /frobnicate").await;
    let result = tokio::time::timeout(Duration::from_secs(10), client)
        .await
        .expect("client exits");
    assert!(matches!(result, Ok(Ok(()))), "{result:?}");
}
