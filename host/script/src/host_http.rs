//! Outbound `wasi:http` for scripts: the per-script allowlist (deny by default),
//! timeouts, a response size cap, and a log line per request.
//!
//! wasmtime-wasi-http implements the `wasi:http` interfaces; this file is the
//! policy it consults for every `outgoing-handler.handle`: a request to a host
//! not on the script's list fails inside the guest with `HTTP-request-denied`
//! (and is logged); an allowed one is sent with the connect timeout, must finish
//! (headers and body) within the total timeout, and fails with
//! `HTTP-response-body-size` past the size cap.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;
use tokio::time::{Instant, Sleep};
use wasmtime_wasi_http::{Error as HttpError, RequestOptions, WasiBody, WasiHttpHooks};

use crate::settings::ScriptSettings;

/// Whether `allow` lets a script reach `host` on `port`. Entries: `host` (any
/// port), `host:port`, `*.domain` (subdomains of `domain`, any port), `*`
/// (anything). IPv6 hosts are written in brackets (`[::1]:8080`). ASCII case is
/// ignored.
pub fn host_allowed(allow: &[String], host: &str, port: u16) -> bool {
    allow
        .iter()
        .any(|entry| entry_matches(entry.trim(), host, port))
}

fn entry_matches(entry: &str, host: &str, port: u16) -> bool {
    if entry == "*" {
        return true;
    }
    let (entry_host, entry_port) = split_host_port(entry);
    if let Some(entry_port) = entry_port
        && entry_port != port
    {
        return false;
    }
    if let Some(domain) = entry_host.strip_prefix("*.") {
        let suffix_len = domain.len() + 1;
        return host.len() > suffix_len
            && host.get(host.len() - suffix_len..).is_some_and(|tail| {
                tail.starts_with('.') && tail[1..].eq_ignore_ascii_case(domain)
            });
    }
    entry_host.eq_ignore_ascii_case(host)
}

/// `host[:port]` or `[v6][:port]`; a port that does not parse makes the entry
/// match nothing useful (it stays part of the host).
fn split_host_port(entry: &str) -> (&str, Option<u16>) {
    if entry.starts_with('[') {
        if let Some(close) = entry.find(']') {
            let (host, rest) = entry.split_at(close + 1);
            let port = rest.strip_prefix(':').and_then(|p| p.parse().ok());
            return (host, port);
        }
        return (entry, None);
    }
    match entry.rsplit_once(':') {
        Some((host, port)) => match port.parse() {
            Ok(port) => (host, Some(port)),
            Err(_) => (entry, None),
        },
        None => (entry, None),
    }
}

/// The HTTP policy of one invocation (wasmtime-wasi-http's hooks).
#[derive(Debug, Clone)]
pub(crate) struct HttpPolicy {
    script: Arc<str>,
    call_uuid: Arc<str>,
    settings: Arc<ScriptSettings>,
}

impl HttpPolicy {
    pub(crate) fn new(
        script: Arc<str>,
        call_uuid: Arc<str>,
        settings: Arc<ScriptSettings>,
    ) -> Self {
        HttpPolicy {
            script,
            call_uuid,
            settings,
        }
    }

    /// The guest's request options, tightened to the script's settings: a guest
    /// may ask for shorter timeouts, never longer ones.
    fn effective_options(&self, requested: Option<RequestOptions>) -> RequestOptions {
        let requested = requested.unwrap_or_default();
        let cap =
            |asked: Option<std::time::Duration>, limit| Some(asked.map_or(limit, |a| a.min(limit)));
        RequestOptions {
            connect_timeout: cap(
                requested.connect_timeout,
                self.settings.http.connect_timeout,
            ),
            first_byte_timeout: cap(
                requested.first_byte_timeout,
                self.settings.http.total_timeout,
            ),
            between_bytes_timeout: cap(
                requested.between_bytes_timeout,
                self.settings.http.total_timeout,
            ),
        }
    }
}

type SendResult = Result<
    (
        http::Response<WasiBody>,
        Box<dyn Future<Output = Result<(), HttpError>> + Send>,
    ),
    HttpError,
>;

impl WasiHttpHooks for HttpPolicy {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        _response_error: Box<dyn Future<Output = Result<(), HttpError>> + Send>,
    ) -> Box<dyn Future<Output = SendResult> + Send> {
        let uri = request.uri().clone();
        let (script, uuid) = (Arc::clone(&self.script), Arc::clone(&self.call_uuid));
        let Some(host) = uri.host() else {
            return Box::new(async { Err(HttpError::HttpRequestUriInvalid) });
        };
        let https = uri.scheme() == Some(&http::uri::Scheme::HTTPS);
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        if !host_allowed(&self.settings.http.allow, host, port) {
            tracing::warn!(
                script = %script,
                uuid = %uuid,
                method = %request.method(),
                %uri,
                "HTTP request denied: {host}:{port} is not in the script's HTTP allowlist"
            );
            return Box::new(async { Err(HttpError::HttpRequestDenied) });
        }
        tracing::info!(script = %script, uuid = %uuid, method = %request.method(), %uri, "HTTP request");
        let options = self.effective_options(options);
        let deadline = Instant::now() + self.settings.http.total_timeout;
        let cap = self.settings.http.max_response_bytes;
        Box::new(async move {
            let sent = tokio::time::timeout_at(
                deadline,
                wasmtime_wasi_http::default_send_request(request, Some(options)),
            )
            .await;
            let (response, io) = match sent {
                Ok(result) => result?,
                Err(_elapsed) => return Err(HttpError::HttpResponseTimeout),
            };
            let declared = response
                .headers()
                .get(http::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            if declared.is_some_and(|len| len > cap) {
                tracing::warn!(script = %script, uuid = %uuid, %uri, "HTTP response larger than {cap} bytes refused");
                return Err(HttpError::HttpResponseBodySize(declared));
            }
            let response = response.map(|body| CappedBody::new(body, cap, deadline).boxed_unsync());
            Ok((response, Box::new(io) as Box<dyn Future<Output = _> + Send>))
        })
    }
}

/// A response body that fails past `cap` bytes or after `deadline`.
struct CappedBody<B> {
    inner: B,
    received: u64,
    cap: u64,
    deadline: Pin<Box<Sleep>>,
}

impl<B> CappedBody<B> {
    fn new(inner: B, cap: u64, deadline: Instant) -> Self {
        CappedBody {
            inner,
            received: 0,
            cap,
            deadline: Box::pin(tokio::time::sleep_until(deadline)),
        }
    }
}

impl<B> Body for CappedBody<B>
where
    B: Body<Data = Bytes, Error = HttpError> + Unpin,
{
    type Data = Bytes;
    type Error = HttpError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, HttpError>>> {
        if self.deadline.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(HttpError::HttpResponseTimeout)));
        }
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled
            && let Some(data) = frame.data_ref()
        {
            let len = u64::try_from(data.len()).unwrap_or(u64::MAX);
            self.received = self.received.saturating_add(len);
            if self.received > self.cap {
                return Poll::Ready(Some(Err(HttpError::HttpResponseBodySize(Some(self.cap)))));
            }
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::HttpSettings;

    fn list(entries: &[&str]) -> Vec<String> {
        entries.iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn empty_allowlist_denies_everything() {
        assert!(!host_allowed(&[], "example.com", 80));
    }

    #[test]
    fn host_entries_match_any_port_and_ignore_case() {
        let allow = list(&["Api.Example.com"]);
        assert!(host_allowed(&allow, "api.example.com", 80));
        assert!(host_allowed(&allow, "API.EXAMPLE.COM", 8443));
        assert!(!host_allowed(&allow, "example.com", 80));
        assert!(!host_allowed(&allow, "evil-api.example.com", 80));
    }

    #[test]
    fn host_port_entries_match_only_that_port() {
        let allow = list(&["127.0.0.1:8080", "[::1]:9000"]);
        assert!(host_allowed(&allow, "127.0.0.1", 8080));
        assert!(!host_allowed(&allow, "127.0.0.1", 8081));
        assert!(host_allowed(&allow, "[::1]", 9000));
        assert!(!host_allowed(&allow, "[::1]", 9001));
    }

    #[test]
    fn wildcard_entries_match_subdomains_only() {
        let allow = list(&["*.example.com"]);
        assert!(host_allowed(&allow, "a.example.com", 443));
        assert!(host_allowed(&allow, "b.a.EXAMPLE.com", 443));
        assert!(!host_allowed(&allow, "example.com", 443));
        assert!(!host_allowed(&allow, "badexample.com", 443));
        assert!(host_allowed(&list(&["*"]), "anything", 1));
    }

    #[test]
    fn guest_timeouts_are_capped_by_the_settings() {
        let settings = HttpSettings {
            connect_timeout: std::time::Duration::from_millis(100),
            total_timeout: std::time::Duration::from_millis(300),
            ..HttpSettings::default()
        };
        let settings = ScriptSettings {
            http: settings,
            ..ScriptSettings::default()
        };
        let policy = HttpPolicy::new("s".into(), "u".into(), Arc::new(settings));
        let asked = RequestOptions {
            connect_timeout: Some(std::time::Duration::from_secs(60)),
            first_byte_timeout: Some(std::time::Duration::from_millis(50)),
            between_bytes_timeout: None,
        };
        let got = policy.effective_options(Some(asked));
        assert_eq!(
            got.connect_timeout,
            Some(std::time::Duration::from_millis(100))
        );
        assert_eq!(
            got.first_byte_timeout,
            Some(std::time::Duration::from_millis(50))
        );
        assert_eq!(
            got.between_bytes_timeout,
            Some(std::time::Duration::from_millis(300))
        );
    }
}
