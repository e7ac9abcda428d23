//! Test guest: a dialplan that sends one `wasi:http` GET and reports what happened
//! as actions, so host tests can assert the allowlist, timeouts and size cap from
//! the outside.
//!
//! Variables read: `http_authority` (default `forbidden.example.com`), `http_path`
//! (default `/`). On success it returns `set http_status=<code>` and
//! `set http_body_bytes=<n>`; on failure `log ERR http error: <code>`,
//! `set http_error=<code>` and `hangup SERVICE_UNAVAILABLE`, where `<code>` is the
//! `wasi:http` error-code's debug name (`HttpRequestDenied`, ...).

wit_bindgen::generate!({ path: "../../../wit", world: "dialplan", generate_all });

use wasi::http::outgoing_handler;
use wasi::http::types::{ErrorCode, Fields, Method, OutgoingRequest, Scheme};
use wasi::io::streams::StreamError;
use witswitch::script::types::{Action, HangupCause, KeyValue, LogLevel, LogMessage};

struct HttpProbe;

fn var<'a>(call: &'a CallInfo, name: &str) -> Option<&'a str> {
    call.variables.iter().find(|kv| kv.key == name).map(|kv| kv.value.as_str())
}

fn set(key: &str, value: String) -> Action {
    Action::Set(KeyValue { key: key.into(), value })
}

fn failure(code: String) -> RouteResult {
    RouteResult::Actions(vec![
        Action::Log(LogMessage { level: LogLevel::Err, message: format!("http error: {code}") }),
        set("http_error", code),
        Action::Hangup(HangupCause::ServiceUnavailable),
    ])
}

/// The variant name of an error code without type prefix or payload:
/// `ErrorCode::DnsError(..)` → `DnsError`.
fn code_name(code: &ErrorCode) -> String {
    let text = format!("{code:?}");
    let variant = text.split('(').next().unwrap_or_default();
    variant.rsplit("::").next().unwrap_or(variant).to_string()
}

fn get(authority: &str, path: &str) -> Result<(u16, usize), String> {
    let request = OutgoingRequest::new(Fields::new());
    request.set_method(&Method::Get).map_err(|()| "bad method".to_string())?;
    request.set_scheme(Some(&Scheme::Http)).map_err(|()| "bad scheme".to_string())?;
    request.set_authority(Some(authority)).map_err(|()| "bad authority".to_string())?;
    request.set_path_with_query(Some(path)).map_err(|()| "bad path".to_string())?;
    let pending = outgoing_handler::handle(request, None).map_err(|e| code_name(&e))?;
    pending.subscribe().block();
    let response = match pending.get() {
        Some(Ok(Ok(response))) => response,
        Some(Ok(Err(code))) => return Err(code_name(&code)),
        Some(Err(())) | None => return Err("ResponseAlreadyTaken".to_string()),
    };
    let status = response.status();
    let body = response.consume().map_err(|()| "BodyAlreadyTaken".to_string())?;
    let stream = body.stream().map_err(|()| "StreamAlreadyTaken".to_string())?;
    let mut received = 0usize;
    loop {
        match stream.blocking_read(64 * 1024) {
            Ok(chunk) => received += chunk.len(),
            Err(StreamError::Closed) => break,
            Err(StreamError::LastOperationFailed(error)) => {
                let code = wasi::http::types::http_error_code(&error);
                return Err(code.map_or_else(|| error.to_debug_string(), |c| code_name(&c)));
            }
        }
    }
    Ok((status, received))
}

impl Guest for HttpProbe {
    fn route(call: CallInfo) -> RouteResult {
        let authority = var(&call, "http_authority").unwrap_or("forbidden.example.com");
        let path = var(&call, "http_path").unwrap_or("/");
        match get(authority, path) {
            Ok((status, bytes)) => RouteResult::Actions(vec![
                set("http_status", status.to_string()),
                set("http_body_bytes", bytes.to_string()),
            ]),
            Err(code) => failure(code),
        }
    }
}

export!(HttpProbe);
