//! Server-to-client frames other than events, byte for byte as FreeSWITCH sends them.

use crate::api::LogLevel;

/// The greeting on accept.
pub const AUTH_REQUEST: &[u8] = b"Content-Type: auth/request\n\n";

/// The goodbye body of a disconnect notice (67 bytes).
pub const GOODBYE: &str = "Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n";

/// The body of an ACL rejection.
pub const RUDE_REJECTION_BODY: &str = "Access Denied, go away.\n";

/// A header value must stay on one line: CR and LF become spaces, so text from a
/// client or a channel variable cannot inject headers or end the frame.
fn one_line(value: &str) -> std::borrow::Cow<'_, str> {
    if value.contains(['\r', '\n']) {
        value.replace(['\r', '\n'], " ").into()
    } else {
        value.into()
    }
}

/// `Content-Type: command/reply\nReply-Text: <text>\n\n`.
pub fn command_reply(text: &str) -> Vec<u8> {
    command_reply_with(text, &[])
}

/// A command reply with extra headers after `Reply-Text` (bgapi's `Job-UUID`).
pub fn command_reply_with(text: &str, extra: &[(&str, &str)]) -> Vec<u8> {
    let mut out = format!(
        "Content-Type: command/reply\nReply-Text: {}\n",
        one_line(text)
    );
    for (name, value) in extra {
        out.push_str(&format!("{}: {}\n", one_line(name), one_line(value)));
    }
    out.push('\n');
    out.into_bytes()
}

/// `Content-Type: api/response\nContent-Length: N\n\n<body>`.
pub fn api_response(body: &str) -> Vec<u8> {
    let mut out = format!(
        "Content-Type: api/response\nContent-Length: {}\n\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

/// The plain disconnect notice (after `exit` or a failed `auth`).
pub fn disconnect_notice() -> Vec<u8> {
    let mut out = format!(
        "Content-Type: text/disconnect-notice\nContent-Length: {}\n\n",
        GOODBYE.len()
    )
    .into_bytes();
    out.extend_from_slice(GOODBYE.as_bytes());
    out
}

/// The notice when the controlled channel hung up and the socket does not linger.
pub fn session_disconnect_notice(session_uuid: &str) -> Vec<u8> {
    let mut out = format!(
        "Content-Type: text/disconnect-notice\nControlled-Session-UUID: {}\nContent-Disposition: disconnect\nContent-Length: {}\n\n",
        one_line(session_uuid),
        GOODBYE.len()
    )
    .into_bytes();
    out.extend_from_slice(GOODBYE.as_bytes());
    out
}

/// The notice when the controlled channel hung up and the socket lingers
/// (`Linger-Time: -1` = until the client closes).
pub fn linger_notice(session_uuid: &str, channel_name: &str, linger_secs: Option<u32>) -> Vec<u8> {
    let linger = linger_secs.map_or_else(|| "-1".to_string(), |secs| secs.to_string());
    format!(
        "Content-Type: text/disconnect-notice\nControlled-Session-UUID: {}\nContent-Disposition: linger\nChannel-Name: {}\nLinger-Time: {}\nContent-Length: 0\n\n",
        one_line(session_uuid),
        one_line(channel_name),
        linger
    )
    .into_bytes()
}

/// The ACL rejection, sent before closing an unwanted connection.
pub fn rude_rejection() -> Vec<u8> {
    let mut out = format!(
        "Content-Type: text/rude-rejection\nContent-Length: {}\n\n",
        RUDE_REJECTION_BODY.len()
    )
    .into_bytes();
    out.extend_from_slice(RUDE_REJECTION_BODY.as_bytes());
    out
}

/// One log line for `log/data` subscribers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRecord {
    /// Severity.
    pub level: LogLevel,
    /// `Text-Channel` (FreeSWITCH: 0 = log, 3 = session).
    pub text_channel: u8,
    /// Source file.
    pub file: String,
    /// Function.
    pub function: String,
    /// Line.
    pub line: u32,
    /// The channel uuid the line is about, if any (`User-Data`).
    pub user_data: Option<String>,
    /// The formatted line (`2026-11-26 12:18:56.963285 98.63% [NOTICE] file:line text\n`).
    pub body: String,
}

/// `Content-Type: log/data` with Content-Length second, then the log headers.
pub fn log_data(record: &LogRecord) -> Vec<u8> {
    let mut out = format!(
        "Content-Type: log/data\nContent-Length: {}\nLog-Level: {}\nText-Channel: {}\nLog-File: {}\nLog-Func: {}\nLog-Line: {}\n",
        record.body.len(),
        record.level.number(),
        record.text_channel,
        one_line(&record.file),
        one_line(&record.function),
        record.line
    );
    if let Some(user_data) = &record.user_data {
        out.push_str(&format!("User-Data: {}\n", one_line(user_data)));
    }
    out.push('\n');
    let mut out = out.into_bytes();
    out.extend_from_slice(record.body.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_frames() {
        assert_eq!(
            command_reply("+OK accepted"),
            b"Content-Type: command/reply\nReply-Text: +OK accepted\n\n"
        );
        assert_eq!(GOODBYE.len(), 67);
        assert_eq!(
            api_response("true"),
            b"Content-Type: api/response\nContent-Length: 4\n\ntrue"
        );
        assert_eq!(
            command_reply_with("+OK Job-UUID: j", &[("Job-UUID", "j")]),
            b"Content-Type: command/reply\nReply-Text: +OK Job-UUID: j\nJob-UUID: j\n\n"
        );
        assert_eq!(
            linger_notice("u", "sofia/internal/1000@127.0.0.1", None),
            b"Content-Type: text/disconnect-notice\nControlled-Session-UUID: u\nContent-Disposition: linger\nChannel-Name: sofia/internal/1000@127.0.0.1\nLinger-Time: -1\nContent-Length: 0\n\n"
        );
    }

    #[test]
    fn header_values_cannot_break_frames() {
        assert_eq!(
            command_reply("a\r\nContent-Length: 9"),
            b"Content-Type: command/reply\nReply-Text: a  Content-Length: 9\n\n"
        );
    }

    #[test]
    fn log_frame_layout() {
        let record = LogRecord {
            level: LogLevel::Notice,
            text_channel: 3,
            file: "switch_channel.c".into(),
            function: "switch_channel_set_name".into(),
            line: 1142,
            user_data: Some("b68f".into()),
            body: "x\n".into(),
        };
        assert_eq!(
            String::from_utf8(log_data(&record)).unwrap_or_default(),
            "Content-Type: log/data\nContent-Length: 2\nLog-Level: 5\nText-Channel: 3\nLog-File: switch_channel.c\nLog-Func: switch_channel_set_name\nLog-Line: 1142\nUser-Data: b68f\n\nx\n"
        );
    }
}
