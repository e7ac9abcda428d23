//! One `record_session` on a leg: the sans-IO [`Recorder`] writing a WAV,
//! fed with what the leg's peer says (party A) and what it hears (party
//! B), each converted to the file's rate when it arrives at another.
//!
//! Writes go through the recorder's `BufWriter` from the leg's task: at
//! 16 KB/s for 8 kHz mono that is two small page-cache writes a second,
//! cheaper than a hop to a blocking thread. The header is fixed up every
//! few seconds so a crash leaves a playable file.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use witswitch_media::recorder::RecordError;
use witswitch_media::{Party, RecordLayout, Recorder, SilenceDetector};

use super::resample::StreamResampler;

/// How far one party may run ahead of the other before the other is
/// recorded as silence: 500 ms (one side on hold, one-way audio).
const MAX_LAG_MS: u32 = 500;
/// Frames between header fix-ups (about 5 s of 20 ms frames).
const FLUSH_EVERY: u32 = 250;

/// An open recording.
pub struct Recording {
    path: PathBuf,
    recorder: Recorder<BufWriter<File>>,
    rate: u32,
    converters: [Option<(u32, StreamResampler)>; 2],
    scratch: Vec<i16>,
    frames_since_flush: u32,
    /// `record`'s silence detection on party A (the caller).
    silence: Option<SilenceDetector>,
    /// `uuid_record mask`: both parties are written as silence meanwhile (the
    /// file keeps its timing; what was said is not in it).
    masked: bool,
    /// The silent frame written while masked.
    blank: Vec<i16>,
}

impl std::fmt::Debug for Recording {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recording")
            .field("path", &self.path)
            .field("rate", &self.rate)
            .finish_non_exhaustive()
    }
}

impl Recording {
    /// Creates the WAV at `path`, recording at `rate` Hz.
    pub fn create(path: &Path, rate: u32, layout: RecordLayout) -> Result<Self, RecordError> {
        let max_lag = (rate / 1000 * MAX_LAG_MS) as usize;
        Ok(Self {
            path: path.to_owned(),
            recorder: Recorder::create(path, rate, layout, max_lag)?,
            rate,
            converters: [None, None],
            scratch: Vec::new(),
            frames_since_flush: 0,
            silence: None,
            masked: false,
            blank: Vec::new(),
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Blanks the audio from now on (`true`) or records it again (`false`).
    pub fn set_masked(&mut self, masked: bool) {
        self.masked = masked;
    }

    /// Watches party A for silence from now on (replaces an earlier watch).
    pub fn watch_silence(&mut self, detector: SilenceDetector) {
        self.silence = Some(detector);
    }

    /// Adds a frame of `party`'s audio at `rate` Hz. `Ok(true)` when this
    /// frame completed the run of silence being watched for (once).
    pub fn push(&mut self, party: Party, pcm: &[i16], rate: u32) -> Result<bool, RecordError> {
        // Silence detection hears the caller even while the file is masked.
        let silent = party == Party::A
            && self
                .silence
                .as_mut()
                .is_some_and(|detector| detector.push(pcm, rate));
        let pcm = if self.masked {
            self.blank.clear();
            self.blank.resize(pcm.len(), 0);
            &self.blank[..]
        } else {
            pcm
        };
        if rate == self.rate {
            self.recorder.push(party, pcm)?;
        } else {
            let slot = &mut self.converters[match party {
                Party::A => 0,
                Party::B => 1,
            }];
            // A codec change (re-INVITE) mid-recording gets a fresh converter.
            if slot.as_ref().is_none_or(|(from, _)| *from != rate) {
                *slot = Some((rate, StreamResampler::new(rate, self.rate)));
            }
            if let Some((_, converter)) = slot {
                converter.process(pcm, &mut self.scratch);
                self.recorder.push(party, &self.scratch)?;
            }
        }
        if party == Party::A {
            self.frames_since_flush += 1;
            if self.frames_since_flush >= FLUSH_EVERY {
                self.frames_since_flush = 0;
                self.recorder.flush()?;
            }
        }
        Ok(silent)
    }

    /// Completes the file; returns its path and length in milliseconds.
    pub fn finish(self) -> Result<(PathBuf, u64), (PathBuf, RecordError)> {
        let rate = u64::from(self.rate.max(1));
        match self.recorder.finish() {
            Ok(frames) => Ok((self.path, frames * 1000 / rate)),
            Err(e) => Err((self.path, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use witswitch_media::goertzel::dominant_frequency;
    use witswitch_media::tone::sine;
    use witswitch_media::wav::read_wav;

    #[test]
    fn parties_at_other_rates_are_converted_to_the_file_rate() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.wav");
        let mut recording = Recording::create(&path, 8000, RecordLayout::Stereo).unwrap();
        let a = sine(8000, 697.0, 8000.0, 8000);
        let b = sine(16000, 1209.0, 8000.0, 16000);
        for (fa, fb) in a.chunks(160).zip(b.chunks(320)) {
            recording.push(Party::A, fa, 8000).unwrap();
            recording.push(Party::B, fb, 16000).unwrap();
        }
        let (done, ms) = recording.finish().unwrap();
        assert_eq!(done, path);
        assert_eq!(ms, 1000);
        let audio = read_wav(File::open(&path).unwrap()).unwrap();
        assert_eq!((audio.channels, audio.sample_rate), (2, 8000));
        let left: Vec<i16> = audio.samples.iter().step_by(2).copied().collect();
        let right: Vec<i16> = audio.samples.iter().skip(1).step_by(2).copied().collect();
        assert_eq!(left, a);
        assert_eq!(
            dominant_frequency(&right[800..], 8000, &[697.0, 1209.0]),
            Some(1209.0)
        );
    }

    #[test]
    fn a_watched_recording_reports_the_callers_silence_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("msg.wav");
        let mut recording = Recording::create(&path, 8000, RecordLayout::Mono).unwrap();
        recording.watch_silence(SilenceDetector::new(200, 1000));
        let speech = sine(8000, 440.0, 8000.0, 8000);
        let mut fired = Vec::new();
        let frames = speech.chunks(160).map(<[i16]>::to_vec);
        let silence = std::iter::repeat_n(vec![0i16; 160], 100);
        for (k, frame) in frames.chain(silence).enumerate() {
            // The far end talking (party B) never counts as the caller.
            assert!(!recording.push(Party::B, &speech[..160], 8000).unwrap());
            if recording.push(Party::A, &frame, 8000).unwrap() {
                fired.push(k);
            }
        }
        // 50 frames of speech, then the 50th silent frame completes 1 s.
        assert_eq!(fired, vec![99]);
        let (_, ms) = recording.finish().unwrap();
        assert_eq!(ms, 3000);
    }

    #[test]
    fn a_masked_stretch_is_silence_of_the_same_length() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pci.wav");
        let mut recording = Recording::create(&path, 8000, RecordLayout::Stereo).unwrap();
        let a = sine(8000, 697.0, 8000.0, 24000);
        let b = sine(8000, 1209.0, 8000.0, 24000);
        for (k, (fa, fb)) in a.chunks(160).zip(b.chunks(160)).enumerate() {
            // The second of three seconds: the caller reads out a card number.
            match k {
                50 => recording.set_masked(true),
                100 => recording.set_masked(false),
                _ => {}
            }
            recording.push(Party::A, fa, 8000).unwrap();
            recording.push(Party::B, fb, 8000).unwrap();
        }
        let (_, ms) = recording.finish().unwrap();
        assert_eq!(ms, 3000, "the file keeps its timing");
        let audio = read_wav(File::open(&path).unwrap()).unwrap();
        let left: Vec<i16> = audio.samples.iter().step_by(2).copied().collect();
        let right: Vec<i16> = audio.samples.iter().skip(1).step_by(2).copied().collect();
        assert_eq!(left[..8000], a[..8000], "before the mask: audio");
        assert!(left[8000..16000].iter().all(|s| *s == 0), "masked: silence");
        assert!(right[8000..16000].iter().all(|s| *s == 0), "both parties");
        assert_eq!(left[16000..], a[16000..], "after unmask: audio again");
        assert_eq!(right[16000..], b[16000..]);
    }
}
