//! The HTTP-routing dialplan in JavaScript (`examples/http-route-js`,
//! StarlingMonkey): `fetch()` reaches a routing service through `wasi:http`
//! under the script's allowlist, and its answers become actions.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use witswitch_script::{
    CallInfo, HttpSettings, RouteResult, ScriptHost, ScriptSettings, synthetic_call_info,
};

/// A routing service on 127.0.0.1: destination 404 is unknown, 500 fails,
/// anything else bridges to `user/<destination>` with call_timeout 30. Returns
/// its port and the request lines it received.
async fn routing_service() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let log = Arc::clone(&log);
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let text = String::from_utf8_lossy(&request);
                let line = text.lines().next().unwrap_or_default().to_owned();
                log.lock().expect("log").push(line.clone());
                let destination = line
                    .split(['?', '&', ' '])
                    .find_map(|part| part.strip_prefix("destination="))
                    .unwrap_or_default()
                    .to_owned();
                let (status, body) = match destination.as_str() {
                    "404" => ("404 Not Found", String::new()),
                    "500" => ("500 Internal Server Error", String::new()),
                    _ => (
                        "200 OK",
                        format!(
                            r#"{{"bridge": "user/{destination}", "vars": {{"call_timeout": "30"}}}}"#
                        ),
                    ),
                };
                let response = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
            });
        }
    });
    (port, seen)
}

/// The JS dialplan allowed to reach `allow`, with `route_backend` = `backend`.
fn host(allow: Vec<String>, backend: Option<String>) -> ScriptHost {
    let host = common::host();
    host.load("web", &common::guest("http_route_js"))
        .expect("the HTTP-routing dialplan loads");
    host.set_script_settings(
        "web",
        ScriptSettings {
            // StarlingMonkey's instantiation counts against the budget; a busy
            // CI machine must not make it a deadline error.
            route_cpu: Duration::from_secs(5),
            http: HttpSettings {
                allow,
                ..HttpSettings::default()
            },
            ..ScriptSettings::default()
        },
    );
    host.set_globals(
        backend
            .map(|b| ("route_backend".to_owned(), b))
            .into_iter()
            .collect(),
    );
    host
}

fn call(destination: &str) -> CallInfo {
    synthetic_call_info(destination, "1000", "default", &[])
}

async fn lines(host: &ScriptHost, destination: &str) -> Vec<String> {
    let result = host
        .route("web", &call(destination))
        .await
        .unwrap_or_else(|err| panic!("route {destination}: {err}"));
    common::lines(&result)
}

#[tokio::test]
async fn the_routing_service_answer_becomes_set_and_bridge() {
    let (port, seen) = routing_service().await;
    let backend = format!("127.0.0.1:{port}");
    let host = host(vec![backend.clone()], Some(backend));
    assert_eq!(
        lines(&host, "1001").await,
        ["set call_timeout=30", "bridge user/1001"]
    );
    assert_eq!(
        seen.lock().expect("log").as_slice(),
        ["GET /route?destination=1001&caller=1000 HTTP/1.1"]
    );
}

#[tokio::test]
async fn unknown_numbers_have_no_route_and_failures_hang_up_service_unavailable() {
    let (port, _) = routing_service().await;
    let backend = format!("127.0.0.1:{port}");
    let host = host(vec![backend.clone()], Some(backend));
    assert_eq!(
        host.route("web", &call("404")).await.expect("routes"),
        RouteResult::NoRoute
    );
    assert_eq!(lines(&host, "500").await, ["hangup SERVICE_UNAVAILABLE"]);
}

#[tokio::test]
async fn a_backend_outside_the_allowlist_is_denied_inside_the_guest() {
    let (port, seen) = routing_service().await;
    let host = host(Vec::new(), Some(format!("127.0.0.1:{port}")));
    assert_eq!(lines(&host, "1001").await, ["hangup SERVICE_UNAVAILABLE"]);
    assert!(
        seen.lock().expect("log").is_empty(),
        "no request left the host"
    );
}

#[tokio::test]
async fn without_a_backend_there_is_no_route() {
    let host = host(Vec::new(), None);
    assert_eq!(
        host.route("web", &call("1001")).await.expect("routes"),
        RouteResult::NoRoute
    );
}
