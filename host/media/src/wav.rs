//! WAV input for playback: read 16-bit PCM (mono or stereo, any rate —
//! prompts are usually 8, 16 or 48 kHz) with `hound`, mix down to mono and
//! resample to the call's rate with `rubato`'s FFT resampler (a fixed-ratio,
//! band-limited converter: right for whole prompts loaded at once).

use std::io::Read;

use rubato::Resampler as _;
use rubato::audioadapter_buffers::direct::InterleavedSlice;

/// Why a WAV file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum WavError {
    /// Not a readable WAV file (or an I/O error while reading it).
    #[error("WAV: {0}")]
    Wav(#[from] hound::Error),
    /// A WAV we do not play: only 16-bit integer PCM, mono or stereo.
    #[error("unsupported WAV format: {bits}-bit {format}, {channels} channels")]
    Unsupported {
        /// Bits per sample.
        bits: u16,
        /// `int` or `float`.
        format: &'static str,
        /// Channel count.
        channels: u16,
    },
    /// The resampler refused the rates or the data.
    #[error("resampling {from} Hz -> {to} Hz failed: {reason}")]
    Resample {
        /// Source rate.
        from: u32,
        /// Target rate.
        to: u32,
        /// The resampler's message.
        reason: String,
    },
}

/// Decoded PCM with its format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PcmAudio {
    /// Samples per second.
    pub sample_rate: u32,
    /// Channels (1 or 2).
    pub channels: u16,
    /// Interleaved samples.
    pub samples: Vec<i16>,
}

impl PcmAudio {
    /// The audio as one channel: stereo is averaged.
    pub fn to_mono(&self) -> Vec<i16> {
        match self.channels {
            2 => self
                .samples
                .chunks_exact(2)
                .map(|pair| ((i32::from(pair[0]) + i32::from(pair[1])) / 2) as i16)
                .collect(),
            _ => self.samples.clone(),
        }
    }
}

/// Reads a 16-bit PCM WAV.
pub fn read_wav<R: Read>(reader: R) -> Result<PcmAudio, WavError> {
    let reader = hound::WavReader::new(reader)?;
    let spec = reader.spec();
    if spec.bits_per_sample != 16
        || spec.sample_format != hound::SampleFormat::Int
        || !(1..=2).contains(&spec.channels)
    {
        return Err(WavError::Unsupported {
            bits: spec.bits_per_sample,
            format: match spec.sample_format {
                hound::SampleFormat::Int => "int",
                hound::SampleFormat::Float => "float",
            },
            channels: spec.channels,
        });
    }
    let samples = reader
        .into_samples::<i16>()
        .collect::<Result<Vec<i16>, _>>()?;
    Ok(PcmAudio {
        sample_rate: spec.sample_rate,
        channels: spec.channels,
        samples,
    })
}

/// Resamples mono `samples` from `from` Hz to `to` Hz. The output has
/// `len × to / from` samples (rounded up), without the filter's delay.
pub fn resample(samples: &[i16], from: u32, to: u32) -> Result<Vec<i16>, WavError> {
    if from == to || samples.is_empty() {
        return Ok(samples.to_vec());
    }
    let fail = |reason: String| WavError::Resample { from, to, reason };
    let input: Vec<f32> = samples.iter().map(|s| f32::from(*s) / 32768.0).collect();
    let mut resampler = rubato::Fft::<f32>::new(
        from as usize,
        to as usize,
        1024,
        1,
        rubato::FixedSync::Input,
    )
    .map_err(|e| fail(e.to_string()))?;
    let adapter =
        InterleavedSlice::new(&input[..], 1, input.len()).map_err(|e| fail(e.to_string()))?;
    let output = resampler
        .process_all(&adapter, input.len(), None)
        .map_err(|e| fail(e.to_string()))?;
    Ok(output
        .take_data()
        .into_iter()
        .map(|s| (s * 32768.0).round().clamp(-32768.0, 32767.0) as i16)
        .collect())
}

/// Reads a WAV and returns it as mono PCM at `call_rate`.
pub fn load_for_call<R: Read>(reader: R, call_rate: u32) -> Result<Vec<i16>, WavError> {
    let audio = read_wav(reader)?;
    resample(&audio.to_mono(), audio.sample_rate, call_rate)
}

/// Writes mono or interleaved stereo 16-bit PCM as a complete WAV into memory
/// (test fixtures, short prompts). Recording to files uses [`crate::Recorder`].
pub fn wav_bytes(sample_rate: u32, channels: u16, samples: &[i16]) -> Result<Vec<u8>, WavError> {
    let spec = hound::WavSpec {
        channels,
        sample_rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut cursor = std::io::Cursor::new(Vec::new());
    let mut writer = hound::WavWriter::new(&mut cursor, spec)?;
    for sample in samples {
        writer.write_sample(*sample)?;
    }
    writer.finalize()?;
    Ok(cursor.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::goertzel::{dominant_frequency, energy};
    use crate::tone::sine;

    #[test]
    fn reads_back_what_was_written() {
        let pcm = sine(16000, 500.0, 9000.0, 1600);
        let bytes = wav_bytes(16000, 1, &pcm).unwrap();
        let audio = read_wav(&bytes[..]).unwrap();
        assert_eq!((audio.sample_rate, audio.channels), (16000, 1));
        assert_eq!(audio.samples, pcm);
    }

    #[test]
    fn stereo_is_mixed_down() {
        let interleaved = [1000i16, 3000, -2000, -4000, 7, 9];
        let bytes = wav_bytes(8000, 2, &interleaved).unwrap();
        let audio = read_wav(&bytes[..]).unwrap();
        assert_eq!(audio.to_mono(), vec![2000, -3000, 8]);
    }

    #[test]
    fn resampling_keeps_length_ratio_and_frequency() {
        for (from, to) in [
            (48000, 8000),
            (16000, 8000),
            (8000, 16000),
            (8000, 48000),
            (48000, 16000),
        ] {
            let input = sine(from, 440.0, 10000.0, from as usize); // 1 s
            let output = resample(&input, from, to).unwrap();
            let expected = to as usize;
            assert!(
                output.len().abs_diff(expected) <= 1,
                "{from}->{to}: {}",
                output.len()
            );
            let middle = &output[expected / 4..expected * 3 / 4];
            let found = dominant_frequency(middle, to, &[300.0, 400.0, 440.0, 480.0, 600.0]);
            assert_eq!(found, Some(440.0), "{from}->{to}");
            // amplitude survives (A²/2 = 5e7 for a 10000 peak sine)
            let e = energy(middle);
            assert!((4.5e7..5.5e7).contains(&e), "{from}->{to}: {e}");
        }
    }

    #[test]
    fn downsampling_removes_what_the_new_rate_cannot_carry() {
        // 6 kHz at 48 kHz would alias to 2 kHz at 8 kHz without filtering.
        let input = sine(48000, 6000.0, 10000.0, 48000);
        let output = resample(&input, 48000, 8000).unwrap();
        assert!(energy(&output[2000..6000]) < 5e7 / 1000.0);
    }

    #[test]
    fn load_for_call_handles_a_stereo_48k_prompt() {
        let left = sine(48000, 1000.0, 8000.0, 9600);
        let interleaved: Vec<i16> = left.iter().flat_map(|s| [*s, *s]).collect();
        let bytes = wav_bytes(48000, 2, &interleaved).unwrap();
        let pcm = load_for_call(&bytes[..], 8000).unwrap();
        assert_eq!(pcm.len(), 1600);
        assert_eq!(
            dominant_frequency(&pcm[400..1200], 8000, &[500.0, 1000.0, 2000.0]),
            Some(1000.0)
        );
    }

    #[test]
    fn rejects_other_formats_and_garbage() {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 8000,
            bits_per_sample: 32,
            sample_format: hound::SampleFormat::Float,
        };
        let mut cursor = std::io::Cursor::new(Vec::new());
        let mut writer = hound::WavWriter::new(&mut cursor, spec).unwrap();
        writer.write_sample(0.5f32).unwrap();
        writer.finalize().unwrap();
        let bytes = cursor.into_inner();
        assert!(matches!(
            read_wav(&bytes[..]),
            Err(WavError::Unsupported { bits: 32, .. })
        ));
        assert!(matches!(
            read_wav(&b"RIFF garbage"[..]),
            Err(WavError::Wav(_))
        ));
        let good = wav_bytes(8000, 1, &[1, 2, 3, 4]).unwrap();
        assert!(read_wav(&good[..good.len() - 3]).is_err());
    }
}
