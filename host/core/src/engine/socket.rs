//! The `socket` application (outbound event socket): `socket host:port [async]
//! [full]`. The engine parks the channel (FreeSWITCH's async mode parks too) and
//! asks the driver to connect ([`Effect::Socket`]); the application server then
//! drives the channel through `sendmsg` (a parked channel runs each app and parks
//! again). When the socket ends: a failed connect ("Socket Error!") lets the
//! dialplan continue, as FreeSWITCH does; a closed socket hangs the channel up
//! with NORMAL_CLEARING unless the server sent `resume`.

use std::time::Instant;

use witswitch_types::{ChannelId, HangupCause};

use crate::action::LogLevel;
use crate::app_io::AppResponse;
use crate::channel::Owner;
use crate::effect::Effect;
use crate::events::{ChannelEvent, EventName};

use super::Engine;
use super::exec::Flow;
use super::ops::OpKind;

/// Where the `socket` application connects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketTarget {
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// `async`: events and commands flow while the channel runs apps.
    pub async_mode: bool,
    /// `full`: the whole command set (api, events, ...) instead of the channel subset.
    pub full: bool,
}

/// How an outbound socket ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SocketEnd {
    /// The connection could not be made.
    Refused,
    /// The socket closed; `resume` was requested or not.
    Closed {
        /// The server sent `resume`.
        resume: bool,
    },
}

impl SocketTarget {
    /// `host:port [async] [full]` (`[v6]:port` too).
    pub fn parse(data: &str) -> Option<SocketTarget> {
        let mut words = data.split_whitespace();
        let (host, port) = words.next()?.rsplit_once(':')?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let port = port.parse().ok().filter(|p| *p > 0)?;
        if host.is_empty() {
            return None;
        }
        let flags: Vec<&str> = words.collect();
        let has = |flag: &str| flags.iter().any(|f| f.eq_ignore_ascii_case(flag));
        Some(SocketTarget {
            host: host.to_owned(),
            port,
            async_mode: has("async"),
            full: has("full"),
        })
    }
}

impl Engine {
    /// Runs `socket <data>` on the channel.
    pub(crate) fn start_socket(&mut self, now: Instant, id: ChannelId, data: &str) -> Flow {
        let Some(target) = SocketTarget::parse(data) else {
            let message = format!("socket: expected host:port [async] [full], got [{data}]");
            self.log(id, LogLevel::Err, message);
            return Flow::Continue;
        };
        let Some(ch) = self.channels.get_mut(&id) else {
            return Flow::Stop;
        };
        ch.exec.socket = true;
        let Some(ch) = self.channels.get(&id) else {
            return Flow::Stop;
        };
        let data = ChannelEvent {
            name: EventName::ChannelData,
            timestamp_us: self.wall.epoch_us(now),
            channel: self.snapshot(ch),
            headers: Vec::new(),
            variables: Some(ch.vars.snapshot()),
        };
        self.effects.push_back(Effect::Socket {
            channel: id,
            target,
            data: Box::new(data),
        });
        self.start_park(now, id, Owner::Dialplan { var: None });
        Flow::Wait
    }

    /// The outbound socket of `id` ended (see the module docs for what follows).
    pub fn socket_ended(&mut self, now: Instant, id: ChannelId, end: SocketEnd) {
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        if !ch.exec.socket || ch.is_hungup() {
            return;
        }
        ch.exec.socket = false;
        match end {
            SocketEnd::Refused => {
                self.log(id, LogLevel::Err, "Socket Error!".to_owned());
                self.continue_after_socket(now, id);
            }
            SocketEnd::Closed { resume: true } => self.continue_after_socket(now, id),
            SocketEnd::Closed { resume: false } => {
                self.hangup_local(now, id, HangupCause::NormalClearing);
            }
        }
        self.drain(now);
    }

    /// The `socket` application returns: its park ends (or, while a `sendmsg`'d app
    /// runs, the park queued after it is dropped).
    fn continue_after_socket(&mut self, now: Instant, id: ChannelId) {
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        if matches!(ch.op.as_ref().map(|op| &op.kind), Some(OpKind::Park)) {
            self.finish_op(now, id, Ok(AppResponse::Done));
            return;
        }
        if let Some(pos) = ch
            .exec
            .queue
            .iter()
            .position(|a| matches!(a, crate::action::Action::Park))
            .filter(|pos| *pos < ch.exec.queued_uuids.len())
        {
            ch.exec.queue.remove(pos);
            ch.exec.queued_uuids.remove(pos);
            ch.exec.suspended = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_socket_application_data() {
        assert_eq!(
            SocketTarget::parse("127.0.0.1:8084 async full"),
            Some(SocketTarget {
                host: "127.0.0.1".into(),
                port: 8084,
                async_mode: true,
                full: true
            })
        );
        let plain = SocketTarget::parse("[::1]:9000").expect("v6");
        assert_eq!((plain.host.as_str(), plain.port), ("::1", 9000));
        assert!(!plain.async_mode && !plain.full);
        for bad in ["", "host", "host:0", ":80", "host:port"] {
            assert_eq!(SocketTarget::parse(bad), None, "{bad}");
        }
    }
}
