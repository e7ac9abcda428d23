//! Outbound HTTP from a dialplan: deny by default (the guest sees
//! `HTTP-request-denied`, the switch logs it), allowed hosts work, and the
//! response size cap, the connect timeout and the total timeout hold.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use witswitch_script::{
    HttpSettings, RouteResult, ScriptHost, ScriptSettings, synthetic_call_info,
};

/// What the local backend answers.
#[derive(Clone, Copy)]
enum Reply {
    /// `200 OK` with a body of this many bytes and a Content-Length.
    Sized(usize),
    /// `200 OK` with this many bytes, chunked (no Content-Length).
    Chunked(usize),
    /// Read the request and never answer.
    Silent,
}

/// A one-shot-per-connection HTTP backend on 127.0.0.1; returns its port.
async fn backend(reply: Reply) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let response = match reply {
                    Reply::Sized(n) => {
                        let mut r =
                            format!("HTTP/1.1 200 OK\r\nContent-Length: {n}\r\n\r\n").into_bytes();
                        r.extend(std::iter::repeat_n(b'x', n));
                        r
                    }
                    Reply::Chunked(n) => {
                        let mut r =
                            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
                        r.extend(format!("{n:x}\r\n").into_bytes());
                        r.extend(std::iter::repeat_n(b'y', n));
                        r.extend(b"\r\n0\r\n\r\n");
                        r
                    }
                    Reply::Silent => {
                        // Hold the connection open until the client gives up.
                        let _ = socket.read(&mut buf).await;
                        return;
                    }
                };
                let _ = socket.write_all(&response).await;
            });
        }
    });
    port
}

fn host_with_http(
    allow: Vec<String>,
    total_timeout: Duration,
    max_response_bytes: u64,
) -> ScriptHost {
    host_with_timeouts(
        allow,
        Duration::from_secs(2),
        total_timeout,
        max_response_bytes,
    )
}

fn host_with_timeouts(
    allow: Vec<String>,
    connect_timeout: Duration,
    total_timeout: Duration,
    max_response_bytes: u64,
) -> ScriptHost {
    let host = common::host();
    host.load("web", &common::guest("fault_http"))
        .expect("loads");
    host.set_script_settings(
        "web",
        ScriptSettings {
            http: HttpSettings {
                allow,
                connect_timeout,
                total_timeout,
                max_response_bytes,
            },
            ..ScriptSettings::default()
        },
    );
    host
}

async fn fetch(host: &ScriptHost, authority: &str) -> Vec<String> {
    let vars = [("http_authority".to_string(), authority.to_string())];
    let call = synthetic_call_info("1001", "1000", "default", &vars);
    let result: RouteResult = host
        .route("web", &call)
        .await
        .expect("the guest handles HTTP errors");
    common::lines(&result)
}

/// A `tracing` writer collecting the switch's log lines.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_host_not_on_the_allowlist_is_denied_inside_the_guest_and_logged() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let port = backend(Reply::Sized(5)).await;
    // Allowed: only another port of the same host.
    let host = host_with_http(
        vec![format!("127.0.0.1:{}", port.wrapping_add(1))],
        Duration::from_secs(5),
        1024,
    );
    let lines = fetch(&host, &format!("127.0.0.1:{port}")).await;
    assert_eq!(
        lines,
        [
            "log ERR http error: HttpRequestDenied",
            "set http_error=HttpRequestDenied",
            "hangup SERVICE_UNAVAILABLE",
        ]
    );
    let log = String::from_utf8(captured.0.lock().expect("lock").clone()).expect("utf-8");
    assert!(log.contains("HTTP request denied"), "{log}");
    assert!(
        log.contains(&format!(
            "127.0.0.1:{port} is not in the script's HTTP allowlist"
        )),
        "{log}"
    );
    assert!(log.contains("script=web"), "{log}");
}

#[tokio::test]
async fn the_default_settings_deny_every_host() {
    let host = common::host();
    host.load("web", &common::guest("fault_http"))
        .expect("loads");
    // The guest's default target, with the default (empty) allowlist.
    let call = synthetic_call_info("1001", "1000", "default", &[]);
    let lines = common::lines(&host.route("web", &call).await.expect("routes"));
    assert!(
        lines.contains(&"set http_error=HttpRequestDenied".to_string()),
        "{lines:?}"
    );
}

#[tokio::test]
async fn an_allowed_host_answers() {
    let port = backend(Reply::Sized(5)).await;
    let host = host_with_http(vec!["127.0.0.1".into()], Duration::from_secs(5), 1024);
    let lines = fetch(&host, &format!("127.0.0.1:{port}")).await;
    assert_eq!(lines, ["set http_status=200", "set http_body_bytes=5"]);
}

#[tokio::test]
async fn a_response_larger_than_the_cap_fails() {
    let declared = backend(Reply::Sized(4096)).await;
    let chunked = backend(Reply::Chunked(4096)).await;
    let host = host_with_http(vec!["127.0.0.1".into()], Duration::from_secs(5), 1000);
    // A declared length over the cap fails the response itself, with the
    // `HTTP-response-body-size` code.
    let lines = fetch(&host, &format!("127.0.0.1:{declared}")).await;
    assert!(
        lines.contains(&"set http_error=HttpResponseBodySize".to_string()),
        "{lines:?}"
    );
    // An undeclared one fails the body read once past the cap. wasmtime-wasi-http
    // 48 hands body-stream errors to the guest as text, not as an error code.
    let lines = fetch(&host, &format!("127.0.0.1:{chunked}")).await;
    assert!(
        lines.contains(
            &"set http_error=HTTP response body size exceeds limit: 1000 bytes".to_string()
        ),
        "{lines:?}"
    );
}

#[tokio::test]
async fn a_backend_that_never_answers_times_out() {
    let port = backend(Reply::Silent).await;
    let host = host_with_http(vec!["127.0.0.1".into()], Duration::from_millis(200), 1024);
    let lines = fetch(&host, &format!("127.0.0.1:{port}")).await;
    let timed_out = lines.iter().any(|l| {
        l == "set http_error=HttpResponseTimeout" || l == "set http_error=ConnectionReadTimeout"
    });
    assert!(timed_out, "{lines:?}");
}

/// A listener that never accepts, with its accept queue filled: Linux drops the
/// SYNs of further connections, so they hang in the handshake. Keep both alive.
fn hanging_listener() -> (std::net::TcpListener, Vec<std::net::TcpStream>, u16) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let mut queued = Vec::new();
    // std listens with a backlog of 128; a connect that times out means full.
    for _ in 0..1024 {
        match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            Ok(stream) => queued.push(stream),
            Err(_) => break,
        }
    }
    (listener, queued, addr.port())
}

#[tokio::test]
async fn a_backend_that_cannot_be_reached_hits_the_connect_timeout() {
    let (_listener, _queued, port) = hanging_listener();
    // The total timeout is long: only the connect timeout can end this request.
    let host = host_with_timeouts(
        vec!["127.0.0.1".into()],
        Duration::from_millis(300),
        Duration::from_secs(30),
        1024,
    );
    let lines = fetch(&host, &format!("127.0.0.1:{port}")).await;
    assert!(
        lines
            .iter()
            .any(|l| l == "set http_error=ConnectionTimeout"),
        "{lines:?}"
    );
}
