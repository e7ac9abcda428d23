//! Audio checks for the call tests: G.711 both laws (ITU-T G.711, written from the
//! standard's segment tables), test signals, normalised cross-correlation over a
//! range of lags, and reading a 16-bit PCM WAV.

use std::f64::consts::PI;

/// μ-law byte → linear 16-bit sample.
pub fn ulaw_decode(byte: u8) -> i16 {
    let u = !byte;
    let sign = u & 0x80;
    let exponent = (u >> 4) & 0x07;
    let mantissa = i32::from(u & 0x0f);
    let magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
    let value = if sign != 0 { -magnitude } else { magnitude };
    i16::try_from(value).unwrap_or(0)
}

/// Linear sample → μ-law byte.
pub fn ulaw_encode(sample: i16) -> u8 {
    let mut value = i32::from(sample);
    let sign = if value < 0 { 0x80 } else { 0 };
    if value < 0 {
        value = -value;
    }
    value = (value + 0x84).min(0x7fff);
    let exponent = (0..8).rev().find(|e| value & (0x80 << e) != 0).unwrap_or(0);
    let mantissa = (value >> (exponent + 3)) & 0x0f;
    !(sign | (exponent << 4) | mantissa) as u8
}

/// A-law byte → linear 16-bit sample.
pub fn alaw_decode(byte: u8) -> i16 {
    let a = byte ^ 0x55;
    let sign = a & 0x80;
    let exponent = (a >> 4) & 0x07;
    let mantissa = i32::from(a & 0x0f);
    let magnitude = if exponent == 0 {
        (mantissa << 4) + 8
    } else {
        ((mantissa << 4) + 0x108) << (exponent - 1)
    };
    let value = if sign != 0 { magnitude } else { -magnitude };
    i16::try_from(value).unwrap_or(0)
}

/// Linear sample → A-law byte.
pub fn alaw_encode(sample: i16) -> u8 {
    let mut value = i32::from(sample);
    let sign = if value >= 0 { 0x80 } else { 0 };
    if value < 0 {
        value = -value - 1;
    }
    let value = value.min(0x7fff);
    let byte = if value < 256 {
        (value >> 4) as u8
    } else {
        let exponent = (1..8).rev().find(|e| value & (0x80 << e) != 0).unwrap_or(1);
        ((exponent << 4) as u8) | (((value >> (exponent + 3)) & 0x0f) as u8)
    };
    (byte | sign) ^ 0x55
}

/// A linear sweep from `f0` to `f1` Hz over `samples` samples at 8 kHz: no two lags
/// of it look alike, so a correlation peak means the right alignment.
pub fn chirp(f0: f64, f1: f64, samples: usize, amplitude: f64) -> Vec<i16> {
    let duration = samples as f64 / 8000.0;
    (0..samples)
        .map(|n| {
            let t = n as f64 / 8000.0;
            let phase = 2.0 * PI * (f0 * t + (f1 - f0) * t * t / (2.0 * duration));
            (amplitude * phase.sin()) as i16
        })
        .collect()
}

/// The highest normalised cross-correlation of `sent` against any window of
/// `received` (1.0: identical up to gain).
pub fn best_correlation(sent: &[i16], received: &[i16]) -> f64 {
    if received.len() < sent.len() || sent.is_empty() {
        return 0.0;
    }
    let square = |x: i16| f64::from(x).powi(2);
    let sent_energy: f64 = sent.iter().map(|&x| square(x)).sum();
    // The window's energy slides with the lag (one sample in, one out) rather
    // than being summed again: half the work of a search through long audio.
    let mut window_energy: f64 = received[..sent.len()].iter().map(|&x| square(x)).sum();
    let mut best: f64 = 0.0;
    for lag in 0..=received.len() - sent.len() {
        if lag > 0 {
            window_energy += square(received[lag + sent.len() - 1]) - square(received[lag - 1]);
        }
        let window = &received[lag..lag + sent.len()];
        let dot: f64 = sent
            .iter()
            .zip(window)
            .map(|(&a, &b)| f64::from(a) * f64::from(b))
            .sum();
        // Rounding may leave a silent window a hair below zero.
        let denominator = (sent_energy * window_energy.max(0.0)).sqrt();
        if denominator > 1e-6 {
            best = best.max(dot / denominator);
        }
    }
    best
}

/// [`best_correlation`] of each 50 ms window of `sent` (lags searched independently:
/// a jitter buffer that stretches or drops a frame shifts later windows, and only the
/// window holding the seam loses).
pub fn window_correlations(sent: &[i16], received: &[i16]) -> Vec<f64> {
    sent.chunks_exact(400)
        .map(|window| best_correlation(window, received))
        .collect()
}

/// The samples and channel count of a 16-bit PCM WAV.
pub fn read_wav(bytes: &[u8]) -> Option<(u16, u32, Vec<i16>)> {
    if bytes.get(0..4)? != b"RIFF" || bytes.get(8..12)? != b"WAVE" {
        return None;
    }
    let mut at = 12;
    let mut format = None;
    while at + 8 <= bytes.len() {
        let id = bytes.get(at..at + 4)?;
        let size = u32::from_le_bytes(bytes.get(at + 4..at + 8)?.try_into().ok()?) as usize;
        let body = bytes.get(at + 8..(at + 8 + size).min(bytes.len()))?;
        if id == b"fmt " {
            let channels = u16::from_le_bytes(body.get(2..4)?.try_into().ok()?);
            let rate = u32::from_le_bytes(body.get(4..8)?.try_into().ok()?);
            format = Some((channels, rate));
        } else if id == b"data" {
            let (channels, rate) = format?;
            let samples = body
                .chunks_exact(2)
                .map(|c| i16::from_le_bytes([c[0], c[1]]))
                .collect();
            return Some((channels, rate, samples));
        }
        at += 8 + size + (size & 1);
    }
    None
}

/// Every `channels`-th sample starting at `channel`.
pub fn channel(samples: &[i16], channels: u16, channel: u16) -> Vec<i16> {
    samples
        .iter()
        .skip(usize::from(channel))
        .step_by(usize::from(channels.max(1)))
        .copied()
        .collect()
}

/// Resamples by picking every `factor`-th sample (for 16/48 kHz recordings of
/// 8 kHz audio; the correlation check tolerates the aliasing).
pub fn decimate(samples: &[i16], factor: usize) -> Vec<i16> {
    samples.iter().step_by(factor.max(1)).copied().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_correlation_finds_a_sweep_among_silence_and_noise() {
        let sweep = chirp(300.0, 3000.0, 800, 8000.0);
        let mut audio = vec![0i16; 5000];
        audio.extend(chirp(3000.0, 300.0, 3000, 8000.0));
        audio.extend(sweep.iter().map(|s| s / 2));
        audio.extend(vec![0i16; 3000]);
        let found = best_correlation(&sweep, &audio);
        assert!(found > 0.999, "{found}");
        let other = chirp(500.0, 700.0, 800, 8000.0);
        assert!(best_correlation(&other, &audio[..8000]) < 0.5);
        assert_eq!(best_correlation(&sweep, &[0i16; 4000]), 0.0);
    }

    #[test]
    fn g711_round_trips_within_quantisation() {
        for sample in [-32000i16, -1000, -8, 0, 7, 1000, 32000] {
            let u = ulaw_decode(ulaw_encode(sample));
            let a = alaw_decode(alaw_encode(sample));
            let tolerance = (i32::from(sample).abs() / 16).max(16);
            assert!(
                (i32::from(u) - i32::from(sample)).abs() <= tolerance,
                "{sample} μ {u}"
            );
            assert!(
                (i32::from(a) - i32::from(sample)).abs() <= tolerance,
                "{sample} A {a}"
            );
        }
    }
}
