//! The call engine's media vocabulary (`witswitch_core::MediaCommand` /
//! `MediaEvent`) over the binary's async [`MediaEngine`]: relative file
//! paths resolved (prompts under the sounds folder, recordings under the
//! recordings folder), playback sources parsed before they are sent, and the
//! engine's events turned back into the core's.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use witswitch_core::{MediaCommand as CoreCommand, MediaEvent as CoreEvent, PlaybackError};
use witswitch_media::PlaySource;
use witswitch_types::LegId;

use crate::media::{
    Interrupt, MediaCommand, MediaEngine, MediaError, MediaEvent, MediaFailure, NegotiatedCodec,
    PlayRequest, PlaybackEnd,
};

/// The adapter; owned by the call task.
#[derive(Debug)]
pub struct MediaLink {
    engine: MediaEngine,
    sounds: PathBuf,
    recordings: PathBuf,
    /// The last playback error of a leg, for the `PlaybackDone(Failed)` that follows it.
    play_errors: HashMap<LegId, PlaybackError>,
    /// Resolved recording path → the path as the engine named it.
    record_names: HashMap<(LegId, PathBuf), String>,
}

/// Relative `path` under `base`.
fn under(base: &Path, path: &str) -> PathBuf {
    let path = Path::new(path);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    }
}

/// A prompt name relative to the sounds folder. Scripts name prompts either
/// relative to that folder (`ivr-welcome.wav`) or relative to `conf/` as the
/// SDK and `conf/sounds/README.md` do (`sounds/ivr-welcome.wav`); both mean
/// the same file.
fn prompt_path(source: &str) -> &str {
    source.strip_prefix("sounds/").unwrap_or(source)
}

/// The file a relative or absolute `source` names: a prompt under `sounds`,
/// else a recording under `recordings` (a script plays back what `record`
/// returned, named as it was recorded), else a clear `NotFound` naming the
/// prompt path.
fn playable_file(sounds: &Path, recordings: &Path, source: &str) -> Result<PathBuf, PlaybackError> {
    let prompt = under(sounds, prompt_path(source));
    if prompt.is_file() {
        return Ok(prompt);
    }
    let recording = under(recordings, source);
    if recording.is_file() {
        return Ok(recording);
    }
    Err(PlaybackError::NotFound(prompt.display().to_string()))
}

impl MediaLink {
    /// Logs the media engine's totals (at shutdown: what `scripts/bench`
    /// reads to tell RTP the switch received from what it sent).
    pub fn log_totals(&self) {
        let s = self.engine.stats();
        tracing::info!(
            "media totals: {} legs created, {} closed; RTP packets received {}, sent {}, dropped {}",
            s.legs_created,
            s.legs_destroyed,
            s.packets_received,
            s.packets_sent,
            s.packets_dropped
        );
    }

    /// An adapter over `engine`; relative prompts are looked up in `sounds`,
    /// relative recordings written under `recordings`.
    pub fn new(engine: MediaEngine, sounds: PathBuf, recordings: PathBuf) -> Self {
        MediaLink {
            engine,
            sounds,
            recordings,
            play_errors: HashMap::new(),
            record_names: HashMap::new(),
        }
    }

    /// Carries out `command`. Returns an event for the engine when the
    /// command fails before reaching the media engine (unplayable source).
    pub async fn execute(&mut self, command: CoreCommand) -> Result<Option<CoreEvent>, MediaError> {
        let converted = match command {
            CoreCommand::CreateLeg { leg, local_ip } => MediaCommand::CreateLeg {
                leg,
                local_ip: Some(local_ip),
            },
            CoreCommand::Configure { leg, remote, codec } => MediaCommand::Configure {
                leg,
                // `c=0.0.0.0` (old-style hold): nowhere to send until the peer
                // sends to us (symmetric RTP latches then).
                remote: remote
                    .unwrap_or_else(|| SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0)),
                codec: NegotiatedCodec {
                    payload_type: codec.payload_type,
                    name: codec.codec,
                    clock_rate: codec.clock_rate,
                    ptime_ms: codec.ptime,
                    telephone_event_pt: codec.telephone_event_pt,
                    direction: codec.direction,
                },
            },
            CoreCommand::Play {
                leg,
                source,
                play_id,
            } => match self.play_source(&source) {
                Ok(source) => MediaCommand::Play {
                    leg,
                    request: PlayRequest {
                        source,
                        play_id: play_id.0,
                        // The call engine decides on barge-in digits itself.
                        interrupt: Interrupt::Never,
                    },
                },
                Err(error) => {
                    return Ok(Some(CoreEvent::PlaybackFailed {
                        leg,
                        play_id,
                        error,
                    }));
                }
            },
            CoreCommand::StopPlay { leg } => MediaCommand::StopPlay { leg },
            CoreCommand::Echo { leg } => MediaCommand::Echo { leg },
            CoreCommand::Idle { leg } => MediaCommand::Idle { leg },
            CoreCommand::Bridge { a, b } => MediaCommand::Bridge { a, b },
            CoreCommand::Unbridge { a } => MediaCommand::Unbridge { leg: a },
            CoreCommand::RecordStart { leg, path, layout } => {
                let resolved = under(&self.recordings, &path);
                if let Some(parent) = resolved.parent() {
                    // A failure shows up as the recording's own error event.
                    let _ = std::fs::create_dir_all(parent);
                }
                self.record_names.insert((leg, resolved.clone()), path);
                MediaCommand::RecordStart {
                    leg,
                    path: resolved,
                    layout: match layout {
                        witswitch_core::RecordLayout::Mono => witswitch_media::RecordLayout::Mono,
                        witswitch_core::RecordLayout::Stereo => {
                            witswitch_media::RecordLayout::Stereo
                        }
                    },
                }
            }
            CoreCommand::RecordStop { leg, path } => MediaCommand::RecordStop {
                leg,
                path: if path == "all" {
                    PathBuf::from(path)
                } else {
                    under(&self.recordings, &path)
                },
            },
            CoreCommand::WatchSilence {
                leg,
                path,
                threshold,
                silence_ms,
            } => MediaCommand::WatchSilence {
                leg,
                path: under(&self.recordings, &path),
                threshold,
                silence_ms,
            },
            CoreCommand::MaskRecording { leg, path, masked } => MediaCommand::MaskRecording {
                leg,
                path: under(&self.recordings, &path),
                masked,
            },
            CoreCommand::SendDtmf { leg, digits } => MediaCommand::SendDtmf { leg, digits },
            CoreCommand::DestroyLeg { leg } => {
                self.play_errors.remove(&leg);
                // Recording names stay: the leg's end finishes its recordings,
                // and their RecordDone (or error) comes after this and
                // removes them.
                MediaCommand::DestroyLeg { leg }
            }
        };
        self.engine.execute(converted).await?;
        Ok(None)
    }

    /// Parses a source; relative files are under the sounds folder and must exist.
    fn play_source(&self, source: &str) -> Result<PlaySource, PlaybackError> {
        let is_stream = source.contains("://");
        let text = if is_stream {
            source.to_owned()
        } else {
            playable_file(&self.sounds, &self.recordings, source)?
                .display()
                .to_string()
        };
        PlaySource::parse(&text).map_err(|e| PlaybackError::Invalid(e.to_string()))
    }

    /// The engine's event as the core's, or `None` when the core has no use for it.
    pub fn event(&mut self, event: MediaEvent) -> Option<CoreEvent> {
        Some(match event {
            MediaEvent::LegReady { leg, local } => CoreEvent::LegReady { leg, local },
            MediaEvent::Dtmf {
                leg,
                digit,
                duration_ms,
            } => CoreEvent::Dtmf {
                leg,
                digit,
                duration_ms,
            },
            MediaEvent::PlaybackDone { leg, play_id, end } => {
                let play_id = witswitch_core::PlayId(play_id);
                if end == PlaybackEnd::Failed {
                    let error = self
                        .play_errors
                        .remove(&leg)
                        .unwrap_or_else(|| PlaybackError::Invalid("playback failed".into()));
                    CoreEvent::PlaybackFailed {
                        leg,
                        play_id,
                        error,
                    }
                } else {
                    CoreEvent::PlaybackDone {
                        leg,
                        play_id,
                        interrupted_by: end.interrupted_by(),
                    }
                }
            }
            MediaEvent::RecordDone { leg, path, ms } => {
                let name = self
                    .record_names
                    .remove(&(leg, path.clone()))
                    .unwrap_or_else(|| path.display().to_string());
                CoreEvent::RecordDone {
                    leg,
                    path: name,
                    ms,
                }
            }
            MediaEvent::Silence { leg, path } => {
                let name = self
                    .record_names
                    .get(&(leg, path.clone()))
                    .cloned()
                    .unwrap_or_else(|| path.display().to_string());
                CoreEvent::Silence { leg, path: name }
            }
            MediaEvent::RtpTimeout { leg } => CoreEvent::RtpTimeout { leg },
            MediaEvent::Error { leg, what } => match what {
                MediaFailure::Create(e) => CoreEvent::LegFailed {
                    leg,
                    what: e.to_string(),
                },
                MediaFailure::Play(e) => {
                    let error = match &e {
                        witswitch_media::player::PlayError::Open { path, .. } => {
                            PlaybackError::NotFound(path.display().to_string())
                        }
                        other => PlaybackError::Invalid(other.to_string()),
                    };
                    self.play_errors.insert(leg, error);
                    return None;
                }
                other => {
                    if let MediaFailure::Record { path, .. } = &other {
                        self.record_names.remove(&(leg, path.clone()));
                    }
                    CoreEvent::Error {
                        leg,
                        what: other.to_string(),
                    }
                }
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_go_under_their_folder() {
        assert_eq!(
            under(Path::new("/srv/sounds"), "ivr/welcome.wav"),
            PathBuf::from("/srv/sounds/ivr/welcome.wav")
        );
        assert_eq!(
            under(Path::new("/srv/sounds"), "/tmp/x.wav"),
            PathBuf::from("/tmp/x.wav")
        );
    }

    #[test]
    fn recordings_play_back_by_the_name_they_were_recorded_under() {
        let dir = tempfile::tempdir().unwrap();
        let sounds = dir.path().join("sounds");
        let recordings = dir.path().join("recordings");
        std::fs::create_dir_all(sounds.join("ivr")).unwrap();
        std::fs::create_dir_all(recordings.join("msgs")).unwrap();
        std::fs::write(sounds.join("ivr/hello.wav"), b"x").unwrap();
        std::fs::write(recordings.join("msgs/a.wav"), b"x").unwrap();
        // A prompt wins; a recording is found next.
        assert_eq!(
            playable_file(&sounds, &recordings, "ivr/hello.wav"),
            Ok(sounds.join("ivr/hello.wav"))
        );
        assert_eq!(
            playable_file(&sounds, &recordings, "msgs/a.wav"),
            Ok(recordings.join("msgs/a.wav"))
        );
        // Missing everywhere: the error names the prompt path.
        assert_eq!(
            playable_file(&sounds, &recordings, "nope.wav"),
            Err(PlaybackError::NotFound(
                sounds.join("nope.wav").display().to_string()
            ))
        );
    }

    #[test]
    fn prompts_may_be_named_relative_to_conf() {
        let sounds = Path::new("/srv/conf/sounds");
        assert_eq!(
            under(sounds, prompt_path("sounds/ivr-welcome.wav")),
            PathBuf::from("/srv/conf/sounds/ivr-welcome.wav")
        );
        assert_eq!(
            under(sounds, prompt_path("digits/1.wav")),
            PathBuf::from("/srv/conf/sounds/digits/1.wav")
        );
    }
}
