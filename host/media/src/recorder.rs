//! Call recording to WAV (`record_session`): frames from the two parties
//! arrive independently; the recorder pairs them up sample by sample and
//! writes either one mixed mono channel or stereo with party A on the left
//! and party B on the right. `finish` fixes the RIFF/data sizes so the file
//! is complete.

use std::collections::VecDeque;
use std::io::{Seek, Write};

/// Why recording failed.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// Writing the WAV failed.
    #[error("WAV write: {0}")]
    Wav(#[from] hound::Error),
}

/// How the two parties are laid out in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordLayout {
    /// Both parties summed into one channel (FreeSWITCH's default).
    Mono,
    /// Party A left, party B right (`RECORD_STEREO=true`).
    Stereo,
}

/// Which side of the call a frame belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// The leg being recorded (what it sends; the left channel in stereo).
    A,
    /// The other side (what the leg hears; the right channel in stereo).
    B,
}

impl Party {
    fn index(self) -> usize {
        match self {
            Self::A => 0,
            Self::B => 1,
        }
    }
}

/// Records two parties at one sample rate into a WAV writer.
pub struct Recorder<W: Write + Seek> {
    writer: hound::WavWriter<W>,
    layout: RecordLayout,
    queues: [VecDeque<i16>; 2],
    max_lag: usize,
    samples_written: u64,
}

impl<W: Write + Seek> std::fmt::Debug for Recorder<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("layout", &self.layout)
            .field("samples_written", &self.samples_written)
            .finish_non_exhaustive()
    }
}

impl Recorder<std::io::BufWriter<std::fs::File>> {
    /// Creates (or truncates) the WAV file at `path`, buffered.
    pub fn create(
        path: &std::path::Path,
        sample_rate: u32,
        layout: RecordLayout,
        max_lag: usize,
    ) -> Result<Self, RecordError> {
        let file = std::fs::File::create(path).map_err(hound::Error::IoError)?;
        Self::new(std::io::BufWriter::new(file), sample_rate, layout, max_lag)
    }
}

impl<W: Write + Seek> Recorder<W> {
    /// Starts a 16-bit WAV at `sample_rate` in `layout`. A party whose
    /// audio stops (hold, one-way media) is recorded as silence once the
    /// other runs more than `max_lag` samples ahead (e.g. 200 ms).
    pub fn new(
        writer: W,
        sample_rate: u32,
        layout: RecordLayout,
        max_lag: usize,
    ) -> Result<Self, RecordError> {
        let spec = hound::WavSpec {
            channels: match layout {
                RecordLayout::Mono => 1,
                RecordLayout::Stereo => 2,
            },
            sample_rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        Ok(Self {
            writer: hound::WavWriter::new(writer, spec)?,
            layout,
            queues: [VecDeque::new(), VecDeque::new()],
            max_lag,
            samples_written: 0,
        })
    }

    /// Makes the file valid as it stands (header sizes updated), so a crash
    /// loses at most what came after; call it every few seconds.
    pub fn flush(&mut self) -> Result<(), RecordError> {
        self.writer.flush()?;
        Ok(())
    }

    /// Sample frames (one per channel set) written so far.
    pub fn samples_written(&self) -> u64 {
        self.samples_written
    }

    fn write_pair(&mut self, a: i16, b: i16) -> Result<(), RecordError> {
        match self.layout {
            RecordLayout::Mono => {
                let mixed =
                    (i32::from(a) + i32::from(b)).clamp(i32::from(i16::MIN), i32::from(i16::MAX));
                self.writer.write_sample(mixed as i16)?;
            }
            RecordLayout::Stereo => {
                self.writer.write_sample(a)?;
                self.writer.write_sample(b)?;
            }
        }
        self.samples_written += 1;
        Ok(())
    }

    /// Writes paired samples, padding the lagging party with silence beyond
    /// `keep` samples of lag.
    fn drain(&mut self, keep: usize) -> Result<(), RecordError> {
        loop {
            let [a, b] = &mut self.queues;
            let (sa, sb) = match (a.front().copied(), b.front().copied()) {
                (Some(x), Some(y)) => (x, y),
                (Some(x), None) if a.len() > keep => (x, 0),
                (None, Some(y)) if b.len() > keep => (0, y),
                _ => return Ok(()),
            };
            a.pop_front();
            b.pop_front();
            self.write_pair(sa, sb)?;
        }
    }

    /// Adds audio from one party.
    pub fn push(&mut self, party: Party, samples: &[i16]) -> Result<(), RecordError> {
        self.queues[party.index()].extend(samples.iter().copied());
        self.drain(self.max_lag)
    }

    /// Writes what is left (the shorter party padded with silence) and
    /// completes the file header. Returns the sample frames written.
    pub fn finish(mut self) -> Result<u64, RecordError> {
        self.drain(0)?;
        let written = self.samples_written;
        self.writer.finalize()?;
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::goertzel::goertzel_power;
    use crate::tone::sine;
    use crate::wav::read_wav;
    use std::io::Cursor;

    #[test]
    fn stereo_keeps_each_party_on_its_channel() {
        let a = sine(8000, 440.0, 8000.0, 1600);
        let b = sine(8000, 1000.0, 8000.0, 1600);
        let mut file = Cursor::new(Vec::new());
        let mut recorder = Recorder::new(&mut file, 8000, RecordLayout::Stereo, 1600).unwrap();
        // frames arrive interleaved and uneven, as from two legs
        for i in 0..10 {
            recorder.push(Party::A, &a[i * 160..(i + 1) * 160]).unwrap();
            if i % 2 == 1 {
                recorder
                    .push(Party::B, &b[(i - 1) * 160..(i + 1) * 160])
                    .unwrap();
            }
        }
        assert_eq!(recorder.finish().unwrap(), 1600);
        let audio = read_wav(&file.get_ref()[..]).unwrap();
        assert_eq!((audio.channels, audio.sample_rate), (2, 8000));
        let left: Vec<i16> = audio.samples.iter().step_by(2).copied().collect();
        let right: Vec<i16> = audio.samples.iter().skip(1).step_by(2).copied().collect();
        assert_eq!(left, a);
        assert_eq!(right, b);
    }

    #[test]
    fn mono_mixes_both_parties() {
        let a = sine(16000, 440.0, 6000.0, 3200);
        let b = sine(16000, 1000.0, 6000.0, 3200);
        let mut file = Cursor::new(Vec::new());
        let mut recorder = Recorder::new(&mut file, 16000, RecordLayout::Mono, 3200).unwrap();
        recorder.push(Party::B, &b).unwrap();
        recorder.push(Party::A, &a).unwrap();
        recorder.finish().unwrap();
        let audio = read_wav(&file.get_ref()[..]).unwrap();
        assert_eq!(audio.channels, 1);
        let expected: Vec<i16> = a.iter().zip(&b).map(|(x, y)| x + y).collect();
        assert_eq!(audio.samples, expected);
        // both parties are audible in the mix
        let power = |f| goertzel_power(&audio.samples, 16000, f);
        assert!(power(440.0) > 1000.0 * power(2000.0));
        assert!(power(1000.0) > 1000.0 * power(2000.0));
    }

    #[test]
    fn records_to_a_file_that_is_valid_after_flush_and_after_finish() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("call.wav");
        let tone = sine(8000, 440.0, 8000.0, 800);
        let mut recorder = Recorder::create(&path, 8000, RecordLayout::Mono, 1600).unwrap();
        recorder.push(Party::A, &tone).unwrap();
        recorder.push(Party::B, &[0; 800]).unwrap();
        recorder.flush().unwrap();
        let mid_call = read_wav(std::fs::File::open(&path).unwrap()).unwrap();
        assert_eq!(mid_call.samples, tone);
        recorder.push(Party::A, &tone).unwrap();
        assert_eq!(recorder.finish().unwrap(), 1600);
        let done = read_wav(std::fs::File::open(&path).unwrap()).unwrap();
        assert_eq!(done.samples.len(), 1600);
        assert_eq!(&done.samples[800..], &tone[..]);
    }

    #[test]
    fn a_silent_party_is_padded_and_the_file_is_complete_on_finish() {
        let a = sine(8000, 440.0, 8000.0, 4000);
        let mut file = Cursor::new(Vec::new());
        let mut recorder = Recorder::new(&mut file, 8000, RecordLayout::Stereo, 1600).unwrap();
        for frame in a.chunks(160) {
            recorder.push(Party::A, frame).unwrap();
        }
        // B never spoke: everything beyond the lag is already written
        assert_eq!(recorder.samples_written(), 4000 - 1600);
        assert_eq!(recorder.finish().unwrap(), 4000);
        let bytes = file.into_inner();
        // RIFF size and data size are fixed up: header says exactly what is there.
        let riff = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
        assert_eq!(riff + 8, bytes.len());
        let audio = read_wav(&bytes[..]).unwrap();
        assert_eq!(audio.samples.len(), 8000);
        assert!(audio.samples.iter().skip(1).step_by(2).all(|s| *s == 0));
    }
}
