//! Streaming sample-rate conversion for transcoding and recording (8, 16
//! and 48 kHz legs in one call), 20 ms at a time with no allocation after
//! the first frame. `witswitch_media::wav::resample` converts whole files;
//! a call needs a converter that keeps its filter state across frames, or
//! every frame boundary clicks.
//!
//! Rational L/M conversion with a polyphase windowed-sinc low-pass: the
//! input is conceptually zero-stuffed by L, filtered at the lower of the two
//! Nyquist frequencies, and every M-th sample kept. Only the taps that meet
//! real (non-stuffed) samples are computed.

use std::f64::consts::PI;

/// Taps per unit of the larger of L and M: about 70 dB stopband with a
/// Blackman window, plenty for telephone audio.
const TAPS_PER_RATIO: usize = 16;
/// Cut-off as a fraction of the lower Nyquist frequency (leaves a transition band).
const CUTOFF: f64 = 0.9;

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// Converts a mono 16-bit stream from one rate to another, frame by frame.
#[derive(Debug, Clone)]
pub struct StreamResampler {
    up: usize,
    down: usize,
    taps_per_phase: usize,
    /// `phases[p]` holds the taps h[p], h[p+L], h[p+2L], ... for phase p.
    phases: Vec<Vec<f32>>,
    /// The last `taps_per_phase` inputs, twice (so a window is one slice).
    history: Vec<f32>,
    write: usize,
    /// Upsampled position of the next output relative to the newest input.
    position: usize,
}

impl StreamResampler {
    /// A converter from `from` Hz to `to` Hz (both non-zero).
    pub fn new(from: u32, to: u32) -> Self {
        let (from, to) = (from.max(1), to.max(1));
        let divisor = gcd(from, to);
        let up = (to / divisor) as usize;
        let down = (from / divisor) as usize;
        let ratio = up.max(down);
        let taps_per_phase = TAPS_PER_RATIO * ratio / up + 1;
        let length = taps_per_phase * up;
        // Cut-off in cycles per upsampled sample.
        let cutoff = CUTOFF * 0.5 / ratio as f64;
        let centre = (length - 1) as f64 / 2.0;
        let taps: Vec<f64> = (0..length)
            .map(|n| {
                let x = n as f64 - centre;
                let sinc = match x == 0.0 {
                    true => 2.0 * cutoff,
                    false => (2.0 * PI * cutoff * x).sin() / (PI * x),
                };
                let w = 2.0 * PI * n as f64 / (length - 1).max(1) as f64;
                let blackman = 0.42 - 0.5 * w.cos() + 0.08 * (2.0 * w).cos();
                // × L restores the level lost to zero-stuffing.
                sinc * blackman * up as f64
            })
            .collect();
        let phases = (0..up)
            .map(|p| {
                (0..taps_per_phase)
                    .map(|k| taps.get(p + k * up).copied().unwrap_or(0.0) as f32)
                    .collect()
            })
            .collect();
        Self {
            up,
            down,
            taps_per_phase,
            phases,
            history: vec![0.0; 2 * taps_per_phase],
            write: 0,
            position: up,
        }
    }

    /// Whether this converter changes nothing (same rates).
    pub fn is_identity(&self) -> bool {
        self.up == 1 && self.down == 1
    }

    /// Converts `input`, appending to `out` (cleared first).
    pub fn process(&mut self, input: &[i16], out: &mut Vec<i16>) {
        out.clear();
        if self.is_identity() {
            out.extend_from_slice(input);
            return;
        }
        let k = self.taps_per_phase;
        for sample in input {
            // Newest input at `write`, and again at `write + k`, so that the
            // window newest..oldest is `history[write..write + k]` reversed
            // in time: index 0 is the newest sample.
            self.write = (self.write + k - 1) % k;
            let value = f32::from(*sample);
            self.history[self.write] = value;
            self.history[self.write + k] = value;
            self.position -= self.up;
            while self.position < self.up {
                let window = &self.history[self.write..self.write + k];
                let taps = &self.phases[self.position];
                let y: f32 = window.iter().zip(taps).map(|(x, h)| x * h).sum();
                out.push(y.round().clamp(-32768.0, 32767.0) as i16);
                self.position += self.down;
            }
        }
    }
}

/// A queue of PCM samples: decoded frames go in, frames of the target
/// codec's size come out (the legs' packet times may differ). Bounded:
/// beyond `limit` samples the oldest are dropped.
#[derive(Debug, Clone)]
pub struct PcmFifo {
    samples: Vec<i16>,
    start: usize,
    limit: usize,
}

impl PcmFifo {
    /// A FIFO holding at most `limit` samples.
    pub fn new(limit: usize) -> Self {
        Self {
            samples: Vec::new(),
            start: 0,
            limit,
        }
    }

    /// Samples waiting.
    pub fn len(&self) -> usize {
        self.samples.len() - self.start
    }

    /// Appends samples, dropping the oldest beyond the limit.
    pub fn push(&mut self, input: &[i16]) {
        if self.start > 0 {
            // Compact: at most one frame is moved per push.
            self.samples.drain(..self.start);
            self.start = 0;
        }
        self.samples.extend_from_slice(input);
        let excess = self.samples.len().saturating_sub(self.limit);
        self.start = excess;
    }

    /// Moves `out.len()` samples into `out` if that many are waiting.
    pub fn pop_into(&mut self, out: &mut [i16]) -> bool {
        let end = self.start + out.len();
        let Some(frame) = self.samples.get(self.start..end) else {
            return false;
        };
        out.copy_from_slice(frame);
        self.start = end;
        true
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.samples.clear();
        self.start = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use witswitch_media::goertzel::{dominant_frequency, goertzel_power};
    use witswitch_media::tone::sine;

    fn convert(from: u32, to: u32, input: &[i16], frame: usize) -> Vec<i16> {
        let mut resampler = StreamResampler::new(from, to);
        let mut all = Vec::new();
        let mut out = Vec::new();
        for chunk in input.chunks(frame) {
            resampler.process(chunk, &mut out);
            all.extend_from_slice(&out);
        }
        all
    }

    #[test]
    fn output_length_follows_the_ratio_across_frames() {
        for (from, to) in [
            (8000, 16000),
            (16000, 8000),
            (8000, 48000),
            (48000, 8000),
            (16000, 48000),
        ] {
            let frame = from as usize / 50;
            let input = vec![0i16; frame * 10];
            let out = convert(from, to, &input, frame);
            assert_eq!(out.len(), to as usize / 50 * 10, "{from}->{to}");
        }
    }

    #[test]
    fn a_tone_keeps_its_frequency_and_level_with_no_frame_clicks() {
        for (from, to) in [(8000, 16000), (16000, 8000), (8000, 48000), (48000, 8000)] {
            let input = sine(from, 700.0, 10000.0, from as usize / 2);
            let out = convert(from, to, &input, from as usize / 50);
            // Skip the filter's start-up.
            let tail = &out[out.len() / 4..];
            assert_eq!(
                dominant_frequency(tail, to, &[400.0, 700.0, 1000.0, 2000.0]),
                Some(700.0),
                "{from}->{to}"
            );
            let peak = tail.iter().map(|s| i32::from(*s).abs()).max().unwrap_or(0);
            assert!((9000..=11000).contains(&peak), "{from}->{to}: peak {peak}");
            // Compare with a clean sine at the output rate: the residue is small.
            let reference = sine(to, 700.0, 10000.0, out.len() + 400);
            let best = (0..400)
                .map(|lag| {
                    tail.iter()
                        .zip(&reference[out.len() / 4 + lag..])
                        .map(|(a, b)| (f64::from(*a) - f64::from(*b)).powi(2))
                        .sum::<f64>()
                })
                .fold(f64::MAX, f64::min);
            let energy: f64 = tail.iter().map(|s| f64::from(*s).powi(2)).sum();
            assert!(
                energy / best > 1000.0,
                "{from}->{to}: SNR {}",
                energy / best
            );
        }
    }

    #[test]
    fn downsampling_removes_what_the_lower_rate_cannot_carry() {
        // 6 kHz at 16 kHz would alias to 2 kHz at 8 kHz.
        let input = sine(16000, 6000.0, 10000.0, 8000);
        let out = convert(16000, 8000, &input, 320);
        let tail = &out[400..];
        let aliased = goertzel_power(tail, 8000, 2000.0);
        let reference = goertzel_power(&sine(8000, 2000.0, 10000.0, tail.len()), 8000, 2000.0);
        assert!(aliased * 1000.0 < reference, "{aliased} vs {reference}");
    }

    #[test]
    fn same_rate_passes_samples_through() {
        let input = sine(8000, 440.0, 5000.0, 320);
        assert_eq!(convert(8000, 8000, &input, 160), input);
    }

    #[test]
    fn fifo_reframes_and_stays_bounded() {
        let mut fifo = PcmFifo::new(500);
        let mut out = [0i16; 240];
        fifo.push(&[1; 160]);
        assert!(!fifo.pop_into(&mut out));
        fifo.push(&[2; 160]);
        assert!(fifo.pop_into(&mut out));
        assert_eq!(&out[..160], &[1; 160]);
        assert_eq!(&out[160..], &[2; 80]);
        assert_eq!(fifo.len(), 80);
        for _ in 0..10 {
            fifo.push(&[3; 160]);
        }
        assert_eq!(fifo.len(), 500);
        fifo.clear();
        assert_eq!(fifo.len(), 0);
    }
}
