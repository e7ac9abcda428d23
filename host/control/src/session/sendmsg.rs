//! `sendmsg [<uuid>]` messages: the `call-command` headers a client sends to drive a
//! channel (mod_event_socket's `parse_command` → `switch_ivr_parse_event`).

use thiserror::Error;

use crate::wire::Packet;

/// What a `sendmsg` asks the channel to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallCommand {
    /// `call-command: execute`: run a dialplan application.
    Execute {
        /// `execute-app-name`.
        app: String,
        /// `execute-app-arg`, or the body when `content-type: text/plain` carries it.
        arg: String,
        /// `loops` (default 1; -1 = forever).
        loops: i32,
        /// `event-lock: true`: run it now, before other queued messages.
        event_lock: bool,
        /// `event-uuid`: echoed as `Application-UUID` in the execute events.
        event_uuid: Option<String>,
    },
    /// `call-command: hangup` with `hangup-cause` (default NORMAL_CLEARING).
    Hangup {
        /// The Q.850 cause name.
        cause: String,
    },
    /// `call-command: unicast`: stream media to a socket (headers passed as given).
    Unicast {
        /// The message headers.
        headers: Vec<(String, String)>,
    },
    /// `call-command: nomedia`: take media off the switch (`nomedia-uuid`).
    NoMedia {
        /// The message headers.
        headers: Vec<(String, String)>,
    },
}

/// Why a `sendmsg` was not understood.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum SendMsgError {
    /// No `call-command` header.
    #[error("-ERR missing call-command")]
    MissingCommand,
    /// A `call-command` witswitch does not implement.
    #[error("-ERR unsupported call-command {0}")]
    Unsupported(String),
    /// `execute` without `execute-app-name`.
    #[error("-ERR missing execute-app-name")]
    MissingApp,
    /// `loops` that is not a number.
    #[error("-ERR invalid loops value")]
    BadLoops,
}

/// The headers of a command packet (lines after the command line).
pub fn packet_headers(packet: &Packet) -> Vec<(String, String)> {
    packet
        .lines
        .iter()
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_string(), value.trim_start().to_string()))
        .collect()
}

fn find<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

impl CallCommand {
    /// Reads the message from a `sendmsg` packet's headers and body.
    pub fn from_packet(packet: &Packet) -> Result<Self, SendMsgError> {
        let headers = packet_headers(packet);
        let command = find(&headers, "call-command").ok_or(SendMsgError::MissingCommand)?;
        match command.to_ascii_lowercase().as_str() {
            "execute" => {
                let app = find(&headers, "execute-app-name")
                    .ok_or(SendMsgError::MissingApp)?
                    .to_string();
                let body_arg = packet
                    .body
                    .as_deref()
                    .filter(|_| {
                        find(&headers, "content-type")
                            .is_some_and(|t| t.eq_ignore_ascii_case("text/plain"))
                    })
                    .map(|body| String::from_utf8_lossy(body).into_owned());
                let arg = find(&headers, "execute-app-arg")
                    .map(str::to_string)
                    .or(body_arg)
                    .unwrap_or_default();
                let loops = match find(&headers, "loops") {
                    Some(text) => text.trim().parse().map_err(|_| SendMsgError::BadLoops)?,
                    None => 1,
                };
                let event_lock =
                    find(&headers, "event-lock").is_some_and(|v| v.eq_ignore_ascii_case("true"));
                let event_uuid = find(&headers, "event-uuid").map(str::to_string);
                Ok(Self::Execute {
                    app,
                    arg,
                    loops,
                    event_lock,
                    event_uuid,
                })
            }
            "hangup" => {
                let cause = find(&headers, "hangup-cause")
                    .unwrap_or("NORMAL_CLEARING")
                    .to_string();
                Ok(Self::Hangup { cause })
            }
            "unicast" => Ok(Self::Unicast { headers }),
            "nomedia" => Ok(Self::NoMedia { headers }),
            other => Err(SendMsgError::Unsupported(other.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(lines: &[&str], body: Option<&[u8]>) -> Packet {
        Packet {
            lines: lines.iter().map(|l| l.to_string()).collect(),
            body: body.map(<[u8]>::to_vec),
        }
    }

    #[test]
    fn execute_as_recorded() {
        let packet = packet(
            &[
                "sendmsg u",
                "call-command: execute",
                "execute-app-name: playback",
                "execute-app-arg: tone_stream://%(200,0,440)",
            ],
            None,
        );
        assert_eq!(
            CallCommand::from_packet(&packet),
            Ok(CallCommand::Execute {
                app: "playback".into(),
                arg: "tone_stream://%(200,0,440)".into(),
                loops: 1,
                event_lock: false,
                event_uuid: None
            })
        );
    }

    #[test]
    fn body_argument_hangup_and_errors() {
        let with_body = packet(
            &[
                "sendmsg",
                "call-command: execute",
                "execute-app-name: speak",
                "content-type: text/plain",
                "loops: 2",
                "event-lock: true",
            ],
            Some(b"hello world"),
        );
        let Ok(CallCommand::Execute {
            arg,
            loops,
            event_lock,
            ..
        }) = CallCommand::from_packet(&with_body)
        else {
            panic!("execute with body did not parse");
        };
        assert_eq!((arg.as_str(), loops, event_lock), ("hello world", 2, true));
        let hangup = packet(
            &[
                "sendmsg u",
                "call-command: hangup",
                "hangup-cause: USER_BUSY",
            ],
            None,
        );
        assert_eq!(
            CallCommand::from_packet(&hangup),
            Ok(CallCommand::Hangup {
                cause: "USER_BUSY".into()
            })
        );
        let default_cause = packet(&["sendmsg u", "call-command: hangup"], None);
        assert_eq!(
            CallCommand::from_packet(&default_cause),
            Ok(CallCommand::Hangup {
                cause: "NORMAL_CLEARING".into()
            })
        );
        assert_eq!(
            CallCommand::from_packet(&packet(&["sendmsg u"], None)),
            Err(SendMsgError::MissingCommand)
        );
        assert_eq!(
            CallCommand::from_packet(&packet(&["sendmsg", "call-command: teleport"], None)),
            Err(SendMsgError::Unsupported("teleport".into()))
        );
        assert_eq!(
            CallCommand::from_packet(&packet(
                &[
                    "sendmsg",
                    "call-command: execute",
                    "execute-app-name: x",
                    "loops: many"
                ],
                None
            )),
            Err(SendMsgError::BadLoops)
        );
    }
}
