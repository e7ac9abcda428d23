//! Dispatch of media engine events.

use std::time::Instant;

use witswitch_types::HangupCause;

use crate::action::LogLevel;
use crate::channel::LegStatus;
use crate::media_io::MediaEvent;

use super::Engine;

impl Engine {
    pub(crate) fn media_event(&mut self, now: Instant, event: MediaEvent) {
        match event {
            MediaEvent::LegReady { leg, local } => {
                let id = leg.channel();
                let Some(ch) = self.channels.get_mut(&id) else {
                    return;
                };
                if ch.media.leg != LegStatus::Creating {
                    return;
                }
                ch.media.leg = LegStatus::Ready(local);
                let outgoing = ch.pending_invite.is_some();
                if outgoing {
                    self.send_invite(now, id);
                }
                self.wake_deferred(now, id);
            }
            MediaEvent::LegFailed { leg, what } => {
                let id = leg.channel();
                self.log(id, LogLevel::Err, format!("no media leg: {what}"));
                if let Some(ch) = self.channels.get_mut(&id) {
                    // Nothing to destroy on the media side.
                    ch.media.leg = LegStatus::None;
                }
                self.hangup_local(now, id, HangupCause::NormalTemporaryFailure);
            }
            MediaEvent::Dtmf {
                leg,
                digit,
                duration_ms,
            } => self.on_dtmf(now, leg.channel(), digit, duration_ms),
            MediaEvent::PlaybackDone {
                leg,
                play_id,
                interrupted_by,
            } => {
                self.on_playback_done(now, leg.channel(), play_id, interrupted_by);
            }
            MediaEvent::PlaybackFailed {
                leg,
                play_id,
                error,
            } => {
                self.on_playback_failed(now, leg.channel(), play_id, error);
            }
            MediaEvent::RecordDone { leg, path, ms } => {
                self.on_record_done(now, leg.channel(), path, ms)
            }
            MediaEvent::Silence { leg, path } => self.on_silence(leg.channel(), &path),
            MediaEvent::RtpTimeout { leg } => {
                let id = leg.channel();
                self.log(
                    id,
                    LogLevel::Warning,
                    "no RTP received, hanging up (MEDIA_TIMEOUT)".to_owned(),
                );
                self.hangup_local(now, id, HangupCause::MediaTimeout);
            }
            MediaEvent::Error { leg, what } => self.on_media_error(now, leg.channel(), what),
        }
        self.drain(now);
    }
}
