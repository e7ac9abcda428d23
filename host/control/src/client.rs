//! The client side of ESL without I/O: what `witswitch cli` sends for each thing the
//! user types, and how it shows what comes back (fs_cli's habits: a bare line is an
//! `api` command, `/event`, `/log`, `/exit` and friends are slash commands).

use crate::event::{EventFormat, names};
use crate::wire::Frame;

/// What one input line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CliAction {
    /// Nothing (blank line).
    Nothing,
    /// `api <line>`.
    Api(String),
    /// `/event [fmt] <names>`.
    Event(String),
    /// `/noevents`.
    NoEvents,
    /// `/nixevent <names>`.
    NixEvent(String),
    /// `/filter <header> <value>` (and `/filter delete ...`).
    Filter(String),
    /// `/log [level]`.
    Log(String),
    /// `/nolog`.
    NoLog,
    /// `/history`: list the history.
    History,
    /// Re-run a history entry (`!!` = last, `!N` = entry N, 1-based).
    Recall(usize),
    /// `/help`.
    Help,
    /// `/exit`, `/quit`, `/bye`, `...`.
    Exit,
    /// A slash command that does not exist.
    Unknown(String),
}

/// The help text for interactive use.
pub const HELP: &str = "\
Commands:
  <api command>           run an API command (status, show channels, originate ...)
  /event <fmt> <names>    subscribe to events (plain|json|xml; ALL, CUSTOM <subclass>)
  /nixevent <names>       unsubscribe from some events
  /noevents               stop all events
  /filter <hdr> <value>   filter events (/filter delete <hdr> [value] | all)
  /log <level>            receive log lines (0-7 or console..debug)
  /nolog                  stop log lines
  /history                list previous commands; !! or !N runs one again
  /help                   this text
  /exit /quit /bye ...    leave
";

impl CliAction {
    /// Interprets one line typed at the prompt.
    pub fn parse(line: &str, history_len: usize) -> Self {
        let line = line.trim();
        if line.is_empty() {
            return Self::Nothing;
        }
        if line == "..." {
            return Self::Exit;
        }
        if line == "!!" {
            return if history_len > 0 {
                Self::Recall(history_len)
            } else {
                Self::Nothing
            };
        }
        if let Some(number) = line.strip_prefix('!').and_then(|n| n.parse::<usize>().ok()) {
            return Self::Recall(number);
        }
        let Some(slash) = line.strip_prefix('/') else {
            return Self::Api(line.to_string());
        };
        let (word, rest) = slash
            .split_once(' ')
            .map_or((slash, ""), |(w, r)| (w, r.trim()));
        match word.to_ascii_lowercase().as_str() {
            "exit" | "quit" | "bye" => Self::Exit,
            "event" => Self::Event(rest.to_string()),
            "noevents" => Self::NoEvents,
            "nixevent" => Self::NixEvent(rest.to_string()),
            "filter" => Self::Filter(rest.to_string()),
            "log" => Self::Log(rest.to_string()),
            "nolog" => Self::NoLog,
            "history" => Self::History,
            "help" => Self::Help,
            _ => Self::Unknown(word.to_string()),
        }
    }

    /// The ESL command bytes to send, for actions that talk to the server.
    pub fn command(&self) -> Option<Vec<u8>> {
        let text = match self {
            Self::Api(line) => format!("api {line}"),
            Self::Event(args) if args.is_empty() => "event plain ALL".to_string(),
            Self::Event(args) => format!("event {args}"),
            Self::NoEvents => "noevents".to_string(),
            Self::NixEvent(args) => format!("nixevent {args}"),
            Self::Filter(args) => format!("filter {args}"),
            Self::Log(level) if level.is_empty() => "log".to_string(),
            Self::Log(level) => format!("log {level}"),
            Self::NoLog => "nolog".to_string(),
            _ => return None,
        };
        Some(command_bytes(&text))
    }
}

/// A one-line command with its terminating blank line. CR and LF inside are replaced
/// so that user text cannot smuggle extra commands or headers.
pub fn command_bytes(line: &str) -> Vec<u8> {
    let mut bytes = line.replace(['\r', '\n'], " ").into_bytes();
    bytes.extend_from_slice(b"\n\n");
    bytes
}

/// `auth <password>`.
pub fn auth_command(password: &str) -> Vec<u8> {
    command_bytes(&format!("auth {password}"))
}

/// `userauth <user@domain>:<password>`.
pub fn userauth_command(user: &str, password: &str) -> Vec<u8> {
    command_bytes(&format!("userauth {user}:{password}"))
}

/// How a received frame is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rendered {
    /// Text to print.
    Text(String),
    /// The server said goodbye; print the text and stop.
    Disconnected(String),
    /// Nothing to show.
    Silent,
}

/// Text with exactly one trailing LF (empty stays empty).
pub fn with_newline(mut text: String) -> String {
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// Formats a received frame for the terminal.
pub fn render(frame: &Frame) -> Rendered {
    match frame.content_type() {
        Some("api/response") => Rendered::Text(with_newline(frame.body_text())),
        Some("command/reply") => match frame.header("Reply-Text") {
            Some(text) => Rendered::Text(with_newline(text.to_string())),
            None => Rendered::Silent,
        },
        Some("log/data") => Rendered::Text(with_newline(frame.body_text())),
        Some("text/disconnect-notice") | Some("text/rude-rejection") => {
            Rendered::Disconnected(with_newline(frame.body_text()))
        }
        Some("auth/request") => Rendered::Silent,
        _ => match (frame.event_format(), frame.event()) {
            (Some(EventFormat::Plain), Ok(event)) => {
                let loss = event.subclass() == Some(names::EVENT_LOSS_SUBCLASS);
                let title = if loss { "EVENTS LOST" } else { "RECV EVENT" };
                Rendered::Text(with_newline(format!("{title}\n{event}")))
            }
            (Some(_), _) => {
                Rendered::Text(with_newline(format!("RECV EVENT\n{}", frame.body_text())))
            }
            (None, _) => Rendered::Silent,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{Decoder, Frame};

    fn frame(bytes: &[u8]) -> Frame {
        let mut decoder = Decoder::default();
        decoder.push(bytes);
        Frame::from_packet(decoder.next_packet().ok().flatten().unwrap_or_default())
    }

    #[test]
    fn lines_become_actions() {
        assert_eq!(
            CliAction::parse("show channels", 0),
            CliAction::Api("show channels".into())
        );
        assert_eq!(
            CliAction::parse("/event plain ALL", 0),
            CliAction::Event("plain ALL".into())
        );
        assert_eq!(CliAction::parse("/log 7", 0), CliAction::Log("7".into()));
        assert_eq!(CliAction::parse("/EXIT", 0), CliAction::Exit);
        assert_eq!(CliAction::parse("...", 0), CliAction::Exit);
        assert_eq!(CliAction::parse("!!", 3), CliAction::Recall(3));
        assert_eq!(CliAction::parse("!!", 0), CliAction::Nothing);
        assert_eq!(CliAction::parse("!2", 3), CliAction::Recall(2));
        assert_eq!(
            CliAction::parse("/frob", 0),
            CliAction::Unknown("frob".into())
        );
        assert_eq!(CliAction::parse("   ", 0), CliAction::Nothing);
    }

    #[test]
    fn commands_cannot_smuggle_lines() {
        let action = CliAction::Api("status\n\nexit".into());
        assert_eq!(action.command(), Some(b"api status  exit\n\n".to_vec()));
        assert_eq!(
            CliAction::Event(String::new()).command(),
            Some(b"event plain ALL\n\n".to_vec())
        );
        assert_eq!(CliAction::Help.command(), None);
    }

    #[test]
    fn frames_render_like_fs_cli() {
        assert_eq!(
            render(&frame(
                b"Content-Type: api/response\nContent-Length: 4\n\ntrue"
            )),
            Rendered::Text("true\n".into())
        );
        assert_eq!(
            render(&frame(
                b"Content-Type: command/reply\nReply-Text: +OK accepted\n\n"
            )),
            Rendered::Text("+OK accepted\n".into())
        );
        let event = b"Content-Length: 36\nContent-Type: text/event-plain\n\nEvent-Name: API\nAPI-Command: a%20b\n\n";
        assert_eq!(
            render(&frame(event)),
            Rendered::Text("RECV EVENT\nEvent-Name: API\nAPI-Command: a b\n".into())
        );
        assert!(matches!(
            render(&frame(
                b"Content-Type: text/disconnect-notice\nContent-Length: 3\n\nbye"
            )),
            Rendered::Disconnected(_)
        ));
    }
}
