//! The `curl` dialplan application's requests (FreeSWITCH's mod_curl),
//! performed for the engine ([`witswitch_core::Effect::Http`]): plain HTTP/1.1
//! over TCP with the `[http]` limits of `scripts.toml` (connect timeout, total
//! timeout, response size cap) and one log line per request. `https://` URLs
//! are refused with a clear error: the switch has no TLS client of its own
//! (scripts reach HTTPS backends through `wasi:http`).

use std::time::{Duration, Instant};

use thiserror::Error;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use witswitch_config::HttpSettings;
use witswitch_core::{HttpReply, HttpRequest};

/// Why a request produced no answer.
#[derive(Debug, Error)]
pub enum CurlError {
    /// The URL is not `http://host[:port]/path`.
    #[error("bad URL {0}")]
    BadUrl(String),
    /// `https://`.
    #[error("https is not supported by curl (use a script with wasi:http)")]
    Https,
    /// No TCP connection within the connect timeout.
    #[error("connect timeout after {0:?}")]
    ConnectTimeout(Duration),
    /// The whole request took longer than the timeout.
    #[error("timeout after {0:?}")]
    Timeout(Duration),
    /// The answer exceeded the size cap.
    #[error("response larger than {0} bytes")]
    TooLarge(u64),
    /// Socket errors.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// Not an HTTP/1.x response.
    #[error("malformed response: {0}")]
    Malformed(&'static str),
}

/// Host, port and path of an `http://` URL.
fn split_url(url: &str) -> Result<(String, u16, String), CurlError> {
    if url.starts_with("https://") {
        return Err(CurlError::Https);
    }
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| CurlError::BadUrl(url.to_owned()))?;
    let (authority, path) = match rest.find('/') {
        Some(at) => rest.split_at(at),
        None => (rest, "/"),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || authority.starts_with('[') => {
            let port = port
                .parse()
                .map_err(|_| CurlError::BadUrl(url.to_owned()))?;
            (host.trim_matches(['[', ']']), port)
        }
        _ => (authority.trim_matches(['[', ']']), 80),
    };
    if host.is_empty() {
        return Err(CurlError::BadUrl(url.to_owned()));
    }
    Ok((host.to_owned(), port, path.to_owned()))
}

/// The request as bytes (`Connection: close`: the answer ends at EOF).
fn request_bytes(request: &HttpRequest, host: &str, port: u16, path: &str) -> Vec<u8> {
    let mut head = format!(
        "{} {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: witswitch-curl\r\nAccept: */*\r\nConnection: close\r\n",
        request.method.as_str()
    );
    let body = request.body.as_deref().unwrap_or("");
    if request.body.is_some() {
        head.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    bytes
}

/// Performs `request` within `limits`.
pub async fn perform(request: &HttpRequest, limits: &HttpSettings) -> Result<HttpReply, CurlError> {
    let (host, port, path) = split_url(&request.url)?;
    let connect = TcpStream::connect((host.as_str(), port));
    let mut stream = tokio::time::timeout(limits.connect_timeout, connect)
        .await
        .map_err(|_| CurlError::ConnectTimeout(limits.connect_timeout))??;
    let exchange = async {
        stream
            .write_all(&request_bytes(request, &host, port, &path))
            .await?;
        read_capped(&mut stream, limits.max_response_bytes).await
    };
    let raw = tokio::time::timeout(limits.timeout, exchange)
        .await
        .map_err(|_| CurlError::Timeout(limits.timeout))??;
    parse_response(&raw)
}

/// Reads to EOF, failing past `cap` bytes of body (plus a head allowance).
async fn read_capped(stream: &mut TcpStream, cap: u64) -> Result<Vec<u8>, CurlError> {
    const HEAD_ALLOWANCE: u64 = 16 * 1024;
    let limit = cap.saturating_add(HEAD_ALLOWANCE);
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(raw);
        }
        raw.extend_from_slice(&buf[..n]);
        if raw.len() as u64 > limit {
            return Err(CurlError::TooLarge(cap));
        }
    }
}

/// Status line, headers and body (de-chunked) of a complete response.
fn parse_response(raw: &[u8]) -> Result<HttpReply, CurlError> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or(CurlError::Malformed("no end of headers"))?;
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().ok_or(CurlError::Malformed("empty"))?;
    let mut parts = status_line.split(' ');
    let version = parts.next().unwrap_or("");
    if !version.starts_with("HTTP/1.") {
        return Err(CurlError::Malformed("not HTTP/1.x"));
    }
    let status: u16 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or(CurlError::Malformed("no status code"))?;
    let headers: Vec<&str> = lines.collect();
    let chunked = headers.iter().any(|h| {
        h.split_once(':').is_some_and(|(name, value)| {
            name.trim().eq_ignore_ascii_case("transfer-encoding")
                && value.to_ascii_lowercase().contains("chunked")
        })
    });
    let body = &raw[end + 4..];
    let body = if chunked {
        dechunk(body)?
    } else {
        body.to_vec()
    };
    Ok(HttpReply {
        status,
        headers: headers.join("\n"),
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn dechunk(mut data: &[u8]) -> Result<Vec<u8>, CurlError> {
    let mut out = Vec::new();
    loop {
        let line_end = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or(CurlError::Malformed("chunk size"))?;
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size_hex = size_text.split(';').next().unwrap_or("").trim();
        let size =
            usize::from_str_radix(size_hex, 16).map_err(|_| CurlError::Malformed("chunk size"))?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        let chunk = data
            .get(..size)
            .ok_or(CurlError::Malformed("short chunk"))?;
        out.extend_from_slice(chunk);
        data = data.get(size + 2..).unwrap_or(&[]);
    }
}

/// Performs the request and logs one line about it (uuid, method, URL,
/// outcome, time taken).
pub async fn perform_logged(
    uuid: &str,
    request: &HttpRequest,
    limits: &HttpSettings,
) -> Result<HttpReply, String> {
    let started = Instant::now();
    let result = perform(request, limits).await;
    let took = started.elapsed().as_millis();
    let method = request.method.as_str();
    let url = &request.url;
    match &result {
        Ok(reply) => tracing::info!(
            "{uuid} curl {method} {url}: {} ({} bytes, {took} ms)",
            reply.status,
            reply.body.len()
        ),
        Err(error) => tracing::warn!("{uuid} curl {method} {url} failed: {error} ({took} ms)"),
    }
    result.map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_with_default_port() {
        let (host, port, path) = split_url("http://127.0.0.1:8080/a?b=1").expect("url");
        assert_eq!(
            (host.as_str(), port, path.as_str()),
            ("127.0.0.1", 8080, "/a?b=1")
        );
        let (host, port, path) = split_url("http://example.com").expect("url");
        assert_eq!(
            (host.as_str(), port, path.as_str()),
            ("example.com", 80, "/")
        );
        assert!(matches!(split_url("https://x/"), Err(CurlError::Https)));
        assert!(split_url("http://:80/").is_err());
        assert!(split_url("http://h:port/").is_err());
    }

    #[test]
    fn responses_parse_plain_and_chunked() {
        let plain =
            parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello").expect("ok");
        assert_eq!((plain.status, plain.body.as_str()), (200, "hello"));
        assert_eq!(plain.headers, "Content-Length: 5");
        let chunked = parse_response(
            b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
        )
        .expect("ok");
        assert_eq!((chunked.status, chunked.body.as_str()), (404, "abcde"));
        assert!(parse_response(b"garbage").is_err());
        assert!(parse_response(b"SIP/2.0 200 OK\r\n\r\n").is_err());
    }
}
