//! Event serialization in the three ESL formats, byte-compatible with FreeSWITCH 1.10.
//!
//! * plain: `Name: <url-encoded value>\n` per header; with a body
//!   `Content-Length: <n>\n\n<body>`, without one a blank line.
//! * json: one unformatted object, raw string values, a body as `Content-Length` and
//!   `_body` keys; no trailing LF.
//! * xml: `<event>\n  <headers>\n    <Name>url-encoded</Name>\n  </headers>\n</event>\n`;
//!   a body adds `  <Content-Length>n</Content-Length>\n  <body>escaped</body>\n`.
//!
//! On the wire each is framed `Content-Length: <len>\nContent-Type: text/event-<fmt>\n\n`
//! (Content-Length first, unlike command replies).

use super::Event;
use crate::{json, urlenc};

/// The three event encodings a subscriber may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum EventFormat {
    /// `text/event-plain`.
    #[default]
    Plain,
    /// `text/event-json`.
    Json,
    /// `text/event-xml`.
    Xml,
}

impl EventFormat {
    /// Parses `plain`, `json` or `xml` (case-insensitive).
    pub fn parse(word: &str) -> Option<Self> {
        [Self::Plain, Self::Json, Self::Xml]
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(word))
    }

    /// The keyword: `plain`, `json`, `xml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Plain => "plain",
            Self::Json => "json",
            Self::Xml => "xml",
        }
    }

    /// The frame's Content-Type.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Plain => "text/event-plain",
            Self::Json => "text/event-json",
            Self::Xml => "text/event-xml",
        }
    }

    pub(crate) fn index(self) -> usize {
        match self {
            Self::Plain => 0,
            Self::Json => 1,
            Self::Xml => 2,
        }
    }
}

/// The plain serialization (the frame body of `text/event-plain`).
pub fn to_plain(event: &Event) -> Vec<u8> {
    let mut out = Vec::with_capacity(estimate(event));
    for (name, value) in event.headers() {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        urlenc::encode_into(value, &mut out);
        out.push(b'\n');
    }
    match event.body() {
        Some(body) => {
            out.extend_from_slice(format!("Content-Length: {}\n\n", body.len()).as_bytes());
            out.extend_from_slice(body.as_bytes());
        }
        None => out.push(b'\n'),
    }
    out
}

/// The JSON serialization (no trailing LF).
pub fn to_json(event: &Event) -> Vec<u8> {
    let mut out = Vec::with_capacity(estimate(event));
    let body_length = event.body().map(|b| b.len().to_string());
    let headers = event
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()));
    let body = body_length
        .as_deref()
        .zip(event.body())
        .into_iter()
        .flat_map(|(length, body)| [("Content-Length", length), ("_body", body)]);
    json::write_object(headers.chain(body), &mut out);
    out
}

/// Escapes text for an XML element (the body; header values are URL-encoded instead).
fn xml_text_into(text: &str, out: &mut Vec<u8>) {
    for &byte in text.as_bytes() {
        match byte {
            b'&' => out.extend_from_slice(b"&amp;"),
            b'<' => out.extend_from_slice(b"&lt;"),
            b'>' => out.extend_from_slice(b"&gt;"),
            _ => out.push(byte),
        }
    }
}

/// The XML serialization.
pub fn to_xml(event: &Event) -> Vec<u8> {
    let mut out = Vec::with_capacity(estimate(event) * 2);
    out.extend_from_slice(b"<event>\n  <headers>\n");
    for (name, value) in event.headers() {
        out.extend_from_slice(b"    <");
        out.extend_from_slice(name.as_bytes());
        out.push(b'>');
        urlenc::encode_into(value, &mut out);
        out.extend_from_slice(b"</");
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b">\n");
    }
    out.extend_from_slice(b"  </headers>\n");
    if let Some(body) = event.body() {
        out.extend_from_slice(
            format!(
                "  <Content-Length>{}</Content-Length>\n  <body>",
                body.len()
            )
            .as_bytes(),
        );
        xml_text_into(body, &mut out);
        out.extend_from_slice(b"</body>\n");
    }
    out.extend_from_slice(b"</event>\n");
    out
}

/// The serialization in `format`.
pub fn serialize(event: &Event, format: EventFormat) -> Vec<u8> {
    match format {
        EventFormat::Plain => to_plain(event),
        EventFormat::Json => to_json(event),
        EventFormat::Xml => to_xml(event),
    }
}

/// The complete wire frame: `Content-Length`, `Content-Type`, blank line, serialization.
pub fn event_frame(event: &Event, format: EventFormat) -> Vec<u8> {
    let payload = serialize(event, format);
    let head = format!(
        "Content-Length: {}\nContent-Type: {}\n\n",
        payload.len(),
        format.content_type()
    );
    let mut frame = Vec::with_capacity(head.len() + payload.len());
    frame.extend_from_slice(head.as_bytes());
    frame.extend_from_slice(&payload);
    frame
}

fn estimate(event: &Event) -> usize {
    let headers: usize = event
        .headers()
        .iter()
        .map(|(n, v)| n.len() + v.len() + 8)
        .sum();
    headers + event.body().map_or(0, |b| b.len() + 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job_event() -> Event {
        let mut event = Event::named("BACKGROUND_JOB");
        event.add_header("Job-Command-Arg", "user/1005 &echo");
        event.set_body(Some("-ERR USER_NOT_REGISTERED\n".to_string()));
        event
    }

    #[test]
    fn plain_with_and_without_body() {
        let plain = String::from_utf8(to_plain(&job_event())).unwrap_or_default();
        assert_eq!(
            plain,
            "Event-Name: BACKGROUND_JOB\nJob-Command-Arg: user/1005%20%26echo\nContent-Length: 25\n\n-ERR USER_NOT_REGISTERED\n"
        );
        assert_eq!(
            to_plain(&Event::named("HEARTBEAT")),
            b"Event-Name: HEARTBEAT\n\n"
        );
    }

    #[test]
    fn json_puts_body_last_without_trailing_lf() {
        let json = String::from_utf8(to_json(&job_event())).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"Event-Name":"BACKGROUND_JOB","Job-Command-Arg":"user/1005 &echo","Content-Length":"25","_body":"-ERR USER_NOT_REGISTERED\n"}"#
        );
    }

    #[test]
    fn xml_url_encodes_values_and_escapes_body() {
        let mut event = Event::named("X");
        event.add_header("A", "a<b");
        event.set_body(Some("1 < 2 & 3".to_string()));
        let xml = String::from_utf8(to_xml(&event)).unwrap_or_default();
        assert_eq!(
            xml,
            "<event>\n  <headers>\n    <Event-Name>X</Event-Name>\n    <A>a%3Cb</A>\n  </headers>\n  <Content-Length>9</Content-Length>\n  <body>1 &lt; 2 &amp; 3</body>\n</event>\n"
        );
    }

    #[test]
    fn frame_length_counts_payload_bytes() {
        let frame = event_frame(&Event::named("HEARTBEAT"), EventFormat::Plain);
        assert_eq!(
            frame,
            b"Content-Length: 23\nContent-Type: text/event-plain\n\nEvent-Name: HEARTBEAT\n\n"
        );
        assert_eq!(EventFormat::parse("JSON"), Some(EventFormat::Json));
        assert_eq!(EventFormat::parse("yaml"), None);
    }
}
