//! The `curl` dialplan application (FreeSWITCH's mod_curl): the engine parses
//! it and waits; the binary performs the request ([`crate::Effect::Http`]) and
//! answers with [`crate::Engine::handle_http_result`], which sets
//! `curl_response_code` and `curl_response_data` and lets the dialplan go on.
//!
//! Syntax: `curl <url> [headers|json] [get|head|post|put|delete [<data>]]`.

use serde_json::json;

/// Identifies one request (unique per engine).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HttpId(pub u64);

/// Request methods `curl` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    /// `get` (the default).
    Get,
    /// `head`.
    Head,
    /// `post <data>` (form-encoded body, as mod_curl sends it).
    Post,
    /// `put <data>`.
    Put,
    /// `delete`.
    Delete,
}

impl HttpMethod {
    /// The method as it goes on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Head => "HEAD",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Delete => "DELETE",
        }
    }
}

/// What output `curl` stores in `curl_response_data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CurlOutput {
    /// The body.
    Body,
    /// The response headers (`headers`).
    Headers,
    /// `{"status_code": "...", "body": "..."}` (`json`).
    Json,
}

/// A parsed `curl` application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// Its id.
    pub id: HttpId,
    /// Method.
    pub method: HttpMethod,
    /// The URL (`http://` or `https://`).
    pub url: String,
    /// Body for POST/PUT.
    pub body: Option<String>,
    /// What to store.
    pub output: CurlOutput,
}

/// What came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpReply {
    /// HTTP status.
    pub status: u16,
    /// Response headers, one `Name: value` per line.
    pub headers: String,
    /// Body (lossy UTF-8, capped by the binary).
    pub body: String,
}

/// Parses `curl`'s data into a request with id `id`.
pub fn parse_curl(data: &str, id: HttpId) -> Result<HttpRequest, String> {
    let mut words = data.split_whitespace().peekable();
    let url = words.next().ok_or("curl needs a URL")?;
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(format!("curl: not an http(s) URL: {url}"));
    }
    let mut output = CurlOutput::Body;
    let mut method = HttpMethod::Get;
    let mut body = None;
    while let Some(word) = words.next() {
        match word.to_ascii_lowercase().as_str() {
            "json" => output = CurlOutput::Json,
            "headers" => output = CurlOutput::Headers,
            "get" => method = HttpMethod::Get,
            "head" => method = HttpMethod::Head,
            "delete" => method = HttpMethod::Delete,
            "post" | "put" => {
                method = if word.eq_ignore_ascii_case("post") {
                    HttpMethod::Post
                } else {
                    HttpMethod::Put
                };
                // The rest of the line is the data (it may hold spaces).
                let rest: Vec<&str> = words.by_ref().collect();
                body = Some(rest.join(" "));
            }
            other => return Err(format!("curl: unknown argument {other}")),
        }
    }
    Ok(HttpRequest {
        id,
        method,
        url: url.to_owned(),
        body,
        output,
    })
}

/// The `curl_response_code` and `curl_response_data` values for `result`
/// (a failed request: code `0` and the reason, as mod_curl leaves no code).
pub fn curl_variables(output: CurlOutput, result: &Result<HttpReply, String>) -> (String, String) {
    match result {
        Ok(reply) => {
            let data = match output {
                CurlOutput::Body => reply.body.clone(),
                CurlOutput::Headers => reply.headers.clone(),
                CurlOutput::Json => json!({
                    "status_code": reply.status.to_string(),
                    "body": reply.body,
                })
                .to_string(),
            };
            (reply.status.to_string(), data)
        }
        Err(error) => ("0".to_owned(), error.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curl_data_parses_like_mod_curl() {
        let get = parse_curl("http://127.0.0.1:9/lookup?n=1", HttpId(1)).expect("get");
        assert_eq!(get.method, HttpMethod::Get);
        assert_eq!(get.output, CurlOutput::Body);
        assert_eq!(get.body, None);
        let post = parse_curl("http://h/x json post a=1&b=two words", HttpId(2)).expect("post");
        assert_eq!(post.method, HttpMethod::Post);
        assert_eq!(post.output, CurlOutput::Json);
        assert_eq!(post.body.as_deref(), Some("a=1&b=two words"));
        assert!(parse_curl("", HttpId(3)).is_err());
        assert!(parse_curl("ftp://x", HttpId(3)).is_err());
        assert!(parse_curl("http://x bogus", HttpId(3)).is_err());
    }

    #[test]
    fn variables_hold_the_answer_or_the_failure() {
        let reply = Ok(HttpReply {
            status: 200,
            headers: "Content-Type: text/plain".into(),
            body: "hello".into(),
        });
        assert_eq!(
            curl_variables(CurlOutput::Body, &reply),
            ("200".into(), "hello".into())
        );
        let (_, json) = curl_variables(CurlOutput::Json, &reply);
        let value: serde_json::Value = serde_json::from_str(&json).expect("json");
        assert_eq!(value["status_code"], "200");
        assert_eq!(value["body"], "hello");
        let failed = Err("connection refused".to_owned());
        assert_eq!(
            curl_variables(CurlOutput::Body, &failed),
            ("0".into(), "connection refused".into())
        );
    }
}
