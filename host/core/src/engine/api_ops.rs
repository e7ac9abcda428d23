//! What the event socket's API commands do to a live channel (`uuid_transfer`,
//! `uuid_break`, `uuid_send_dtmf`): the engine side, so the driver only names the
//! channel. Each returns whether it applied, for the `+OK` / `-ERR` reply.

use std::time::Instant;

use witswitch_types::ChannelId;

use crate::media_io::MediaCommand;

use super::Engine;
use super::ops::OpKind;

/// Why an API operation did not apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiOpError {
    /// No such channel, or it is hanging up.
    NoChannel,
    /// The channel is in an operation the command cannot interrupt yet (a bridge,
    /// an app component).
    Busy,
    /// The channel records no such file (`uuid_record mask|unmask`).
    NotRecording,
}

impl Engine {
    /// `uuid_transfer <uuid> <exten> [<dialplan>] [<context>]`: stops what the
    /// channel's dialplan is doing (echo, park, playback, sleep, digit collection)
    /// and routes it again with the new destination, as the `transfer` app does.
    pub fn transfer_channel(
        &mut self,
        now: Instant,
        id: ChannelId,
        extension: &str,
        context: Option<&str>,
    ) -> Result<(), ApiOpError> {
        let ch = self.channels.get(&id).ok_or(ApiOpError::NoChannel)?;
        if ch.is_hungup() {
            return Err(ApiOpError::NoChannel);
        }
        if ch.app.is_some() {
            return Err(ApiOpError::Busy);
        }
        let busy = matches!(
            ch.op.as_ref().map(|op| &op.kind),
            Some(OpKind::Bridged(_) | OpKind::Originate(_) | OpKind::Record(_))
        );
        if busy {
            return Err(ApiOpError::Busy);
        }
        if let Some(op) = self.take_op(id) {
            let leg = id.leg();
            match op.kind {
                OpKind::Echo | OpKind::Park => self.push_media(MediaCommand::Idle { leg }),
                OpKind::Play { .. } | OpKind::PlayAndGet(_) => {
                    self.push_media(MediaCommand::StopPlay { leg });
                }
                _ => {}
            }
        }
        self.transfer(now, id, extension.to_owned(), context.map(str::to_owned));
        Ok(())
    }

    /// `uuid_break`: stops the playback in progress (its owner sees it stopped).
    pub fn break_channel(&mut self, id: ChannelId) -> Result<(), ApiOpError> {
        let ch = self.channels.get(&id).ok_or(ApiOpError::NoChannel)?;
        let playing = matches!(
            ch.op.as_ref().map(|op| &op.kind),
            Some(OpKind::Play { .. } | OpKind::PlayAndGet(_))
        );
        if playing {
            self.push_media(MediaCommand::StopPlay { leg: id.leg() });
        }
        Ok(())
    }

    /// `uuid_send_dtmf`: sends RFC 4733 digits on the channel's leg.
    pub fn send_dtmf(&mut self, id: ChannelId, digits: &str) -> Result<(), ApiOpError> {
        let ch = self.channels.get(&id).ok_or(ApiOpError::NoChannel)?;
        if ch.is_hungup() {
            return Err(ApiOpError::NoChannel);
        }
        let digits: String = digits
            .chars()
            .filter(|c| c.is_ascii_digit() || "*#ABCDabcd".contains(*c))
            .collect();
        self.push_media(MediaCommand::SendDtmf {
            leg: id.leg(),
            digits,
        });
        Ok(())
    }
}
