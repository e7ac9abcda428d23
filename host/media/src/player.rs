//! Playback: a [`Player`] yields fixed-size frames (20 ms by default) from a
//! WAV file, a `tone_stream://` or a `silence_stream://`, at the call's rate.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::tone::{ToneError, ToneGenerator, ToneSpec, parse_silence};
use crate::wav::{WavError, load_for_call};

/// Default packet time of a frame.
pub const DEFAULT_PTIME_MS: u32 = 20;

/// Why something could not be played.
#[derive(Debug, thiserror::Error)]
pub enum PlayError {
    /// A malformed tone or silence stream.
    #[error(transparent)]
    Tone(#[from] ToneError),
    /// An unusable WAV.
    #[error(transparent)]
    Wav(#[from] WavError),
    /// The file could not be opened.
    #[error("cannot open {path}: {source}")]
    Open {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A call rate other than 8, 16 or 48 kHz, or a zero ptime.
    #[error("unsupported frame format: {rate} Hz, {ptime} ms")]
    BadFormat {
        /// Sample rate asked for.
        rate: u32,
        /// Packet time asked for.
        ptime: u32,
    },
}

/// What a `playback` argument names, FreeSWITCH style.
#[derive(Debug, Clone, PartialEq)]
pub enum PlaySource {
    /// A WAV file path.
    File(PathBuf),
    /// `tone_stream://...`.
    Tone(ToneSpec),
    /// `silence_stream://ms` (`None`: forever).
    Silence(Option<u32>),
}

impl PlaySource {
    /// Parses `tone_stream://…`, `silence_stream://…`, `file://path` or a plain path.
    pub fn parse(text: &str) -> Result<Self, PlayError> {
        let text = text.trim();
        if let Some(tone) = text.strip_prefix("tone_stream://") {
            return Ok(Self::Tone(ToneSpec::parse(tone)?));
        }
        if let Some(silence) = text.strip_prefix("silence_stream://") {
            return Ok(Self::Silence(parse_silence(silence)?));
        }
        let path = text.strip_prefix("file://").unwrap_or(text);
        Ok(Self::File(PathBuf::from(path)))
    }
}

#[derive(Debug)]
enum Source {
    Pcm { samples: Vec<i16>, position: usize },
    Tone(ToneGenerator),
    Silence { remaining: Option<usize> },
}

/// Yields frames of `ptime` ms at `sample_rate` until the source ends.
#[derive(Debug)]
pub struct Player {
    source: Source,
    frame: usize,
}

fn frame_len(rate: u32, ptime: u32) -> Result<usize, PlayError> {
    if !matches!(rate, 8000 | 16000 | 48000) || ptime == 0 || ptime > 1000 {
        return Err(PlayError::BadFormat { rate, ptime });
    }
    Ok((rate / 1000 * ptime) as usize)
}

impl Player {
    /// Plays PCM already at the call rate.
    pub fn from_pcm(samples: Vec<i16>, rate: u32, ptime: u32) -> Result<Self, PlayError> {
        Ok(Self {
            frame: frame_len(rate, ptime)?,
            source: Source::Pcm {
                samples,
                position: 0,
            },
        })
    }

    /// Plays a WAV (any rate, mono or stereo), converted to `rate`.
    pub fn from_wav<R: Read>(reader: R, rate: u32, ptime: u32) -> Result<Self, PlayError> {
        let frame = frame_len(rate, ptime)?;
        let samples = load_for_call(reader, rate)?;
        Ok(Self {
            frame,
            source: Source::Pcm {
                samples,
                position: 0,
            },
        })
    }

    /// Opens and plays a WAV file.
    pub fn from_file(path: &Path, rate: u32, ptime: u32) -> Result<Self, PlayError> {
        let file = std::fs::File::open(path).map_err(|source| PlayError::Open {
            path: path.to_owned(),
            source,
        })?;
        Self::from_wav(std::io::BufReader::new(file), rate, ptime)
    }

    /// Plays a tone stream.
    pub fn tone(spec: ToneSpec, rate: u32, ptime: u32) -> Result<Self, PlayError> {
        Ok(Self {
            frame: frame_len(rate, ptime)?,
            source: Source::Tone(ToneGenerator::new(spec, rate)?),
        })
    }

    /// Plays `ms` of silence (`None`: until stopped).
    pub fn silence(ms: Option<u32>, rate: u32, ptime: u32) -> Result<Self, PlayError> {
        Ok(Self {
            frame: frame_len(rate, ptime)?,
            source: Source::Silence {
                remaining: ms.map(|ms| (u64::from(ms) * u64::from(rate) / 1000) as usize),
            },
        })
    }

    /// A player for a parsed `playback` argument (files are read from disk).
    pub fn open(source: &PlaySource, rate: u32, ptime: u32) -> Result<Self, PlayError> {
        match source {
            PlaySource::File(path) => Self::from_file(path, rate, ptime),
            PlaySource::Tone(spec) => Self::tone(spec.clone(), rate, ptime),
            PlaySource::Silence(ms) => Self::silence(*ms, rate, ptime),
        }
    }

    /// Samples per frame.
    pub fn frame_len(&self) -> usize {
        self.frame
    }

    /// Writes the next frame into `out[..frame_len()]` (the last one padded
    /// with silence); `None` when the source has ended.
    pub fn next_frame(&mut self, out: &mut [i16]) -> Option<usize> {
        let frame = self.frame.min(out.len());
        let out = &mut out[..frame];
        let produced = match &mut self.source {
            Source::Pcm { samples, position } => {
                let rest = samples.get(*position..).unwrap_or_default();
                let n = rest.len().min(frame);
                out[..n].copy_from_slice(&rest[..n]);
                out[n..].fill(0);
                *position += n;
                n
            }
            Source::Tone(generator) => generator.fill(out),
            Source::Silence { remaining } => {
                out.fill(0);
                match remaining {
                    None => frame,
                    Some(left) => {
                        let n = (*left).min(frame);
                        *left -= n;
                        n
                    }
                }
            }
        };
        (produced > 0).then_some(frame)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::goertzel::dominant_frequency;
    use crate::tone::sine;
    use crate::wav::wav_bytes;

    fn drain(player: &mut Player, limit: usize) -> Vec<Vec<i16>> {
        let mut frames = Vec::new();
        let mut buf = vec![0i16; player.frame_len()];
        while frames.len() < limit {
            match player.next_frame(&mut buf) {
                Some(n) => frames.push(buf[..n].to_vec()),
                None => break,
            }
        }
        frames
    }

    #[test]
    fn parses_playback_arguments() {
        assert!(matches!(
            PlaySource::parse("tone_stream://%(200,0,440);loops=2").unwrap(),
            PlaySource::Tone(spec) if spec.loops == Some(2)
        ));
        assert_eq!(
            PlaySource::parse("silence_stream://500").unwrap(),
            PlaySource::Silence(Some(500))
        );
        assert_eq!(
            PlaySource::parse("file:///tmp/x.wav").unwrap(),
            PlaySource::File("/tmp/x.wav".into())
        );
        assert_eq!(
            PlaySource::parse("/sounds/welcome.wav").unwrap(),
            PlaySource::File("/sounds/welcome.wav".into())
        );
        assert!(PlaySource::parse("tone_stream://%(x)").is_err());
    }

    #[test]
    fn tone_stream_gives_20ms_frames_at_each_rate() {
        for rate in [8000, 16000, 48000] {
            let source = PlaySource::parse("tone_stream://%(300,0,697)").unwrap();
            let mut player = Player::open(&source, rate, DEFAULT_PTIME_MS).unwrap();
            let frames = drain(&mut player, 100);
            assert_eq!(frames.len(), 15, "{rate}");
            assert!(frames.iter().all(|f| f.len() == rate as usize / 50));
            let all: Vec<i16> = frames.concat();
            assert_eq!(
                dominant_frequency(&all, rate, &[697.0, 770.0, 1209.0]),
                Some(697.0)
            );
        }
    }

    #[test]
    fn wav_file_plays_resampled_and_padded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prompt.wav");
        // 110 ms of 1 kHz at 16 kHz: 5.5 frames at 8 kHz
        std::fs::write(
            &path,
            wav_bytes(16000, 1, &sine(16000, 1000.0, 9000.0, 1760)).unwrap(),
        )
        .unwrap();
        let mut player = Player::open(&PlaySource::File(path), 8000, 20).unwrap();
        let frames = drain(&mut player, 100);
        assert_eq!(frames.len(), 6);
        assert!(
            frames[5][80..].iter().all(|s| *s == 0),
            "last frame is padded"
        );
        let all = frames.concat();
        assert_eq!(
            dominant_frequency(&all[100..800], 8000, &[500.0, 1000.0, 2000.0]),
            Some(1000.0)
        );
        assert!(matches!(
            Player::open(&PlaySource::File(dir.path().join("missing.wav")), 8000, 20),
            Err(PlayError::Open { .. })
        ));
    }

    #[test]
    fn silence_lasts_its_length_or_forever() {
        let mut player = Player::silence(Some(50), 8000, 20).unwrap();
        let frames = drain(&mut player, 100);
        assert_eq!(frames.len(), 3);
        assert!(frames.concat().iter().all(|s| *s == 0));
        let mut endless = Player::silence(None, 8000, 20).unwrap();
        assert_eq!(drain(&mut endless, 500).len(), 500);
        assert!(Player::silence(None, 44100, 20).is_err());
        assert!(Player::from_pcm(vec![], 8000, 0).is_err());
    }
}
