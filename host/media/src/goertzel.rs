//! Goertzel single-frequency detector: tone and DTMF checks for tests and
//! for in-band DTMF detection on terminating paths.

/// DTMF row frequencies (Hz), ITU-T Q.23.
pub const DTMF_ROWS: [f64; 4] = [697.0, 770.0, 852.0, 941.0];
/// DTMF column frequencies (Hz), ITU-T Q.23.
pub const DTMF_COLUMNS: [f64; 4] = [1209.0, 1336.0, 1477.0, 1633.0];
/// DTMF keypad: `DTMF_KEYS[row][column]`.
pub const DTMF_KEYS: [[char; 4]; 4] = [
    ['1', '2', '3', 'A'],
    ['4', '5', '6', 'B'],
    ['7', '8', '9', 'C'],
    ['*', '0', '#', 'D'],
];

/// Power of `samples` at `frequency` (Goertzel; squared magnitude of that DFT bin,
/// normalised by the block length so blocks of different sizes compare).
pub fn goertzel_power(samples: &[i16], sample_rate: u32, frequency: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let omega = 2.0 * std::f64::consts::PI * frequency / f64::from(sample_rate);
    let coefficient = 2.0 * omega.cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for sample in samples {
        let s0 = f64::from(*sample) + coefficient * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    let power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
    power / samples.len() as f64
}

/// The candidate frequency with the most power in `samples`.
pub fn dominant_frequency(samples: &[i16], sample_rate: u32, candidates: &[f64]) -> Option<f64> {
    candidates
        .iter()
        .map(|f| (*f, goertzel_power(samples, sample_rate, *f)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(f, _)| f)
}

/// Mean energy per sample (same scale as [`goertzel_power`] for a pure tone:
/// a sine of amplitude A gives A²/2 here and about N·A²/4 from Goertzel).
pub fn energy(samples: &[i16]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    samples.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / samples.len() as f64
}

fn strongest(samples: &[i16], sample_rate: u32, group: &[f64; 4]) -> (usize, f64, f64) {
    let powers = group.map(|f| goertzel_power(samples, sample_rate, f));
    let mut best = 0;
    for i in 1..4 {
        if powers[i] > powers[best] {
            best = i;
        }
    }
    let runner_up = (0..4)
        .filter(|i| *i != best)
        .map(|i| powers[i])
        .fold(0.0, f64::max);
    (best, powers[best], runner_up)
}

/// The DTMF key in `samples` (a block of at least ~20 ms), if one is present:
/// one row and one column tone each clearly above the others of their group
/// and together carrying most of the block's energy.
pub fn detect_dtmf(samples: &[i16], sample_rate: u32) -> Option<char> {
    let (row, row_power, row_next) = strongest(samples, sample_rate, &DTMF_ROWS);
    let (column, column_power, column_next) = strongest(samples, sample_rate, &DTMF_COLUMNS);
    let total = energy(samples) * samples.len() as f64;
    if total <= 0.0 {
        return None;
    }
    // For a pure tone, 2 × Goertzel power equals its energy in the block.
    let row_share = 2.0 * row_power / total;
    let column_share = 2.0 * column_power / total;
    let clear = row_power > 10.0 * row_next && column_power > 10.0 * column_next;
    let both_present = row_share > 0.15 && column_share > 0.15;
    (clear && both_present && row_share + column_share > 0.6).then(|| DTMF_KEYS[row][column])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tone::sine;

    #[test]
    fn finds_the_tone_frequency() {
        let tone = sine(8000, 440.0, 10000.0, 1600);
        let found = dominant_frequency(&tone, 8000, &[350.0, 440.0, 480.0, 620.0]);
        assert_eq!(found, Some(440.0));
        assert!(goertzel_power(&tone, 8000, 440.0) > 1000.0 * goertzel_power(&tone, 8000, 620.0));
    }

    #[test]
    fn detects_every_dtmf_key_and_rejects_single_tones_and_silence() {
        for (r, row) in DTMF_ROWS.iter().enumerate() {
            for (c, column) in DTMF_COLUMNS.iter().enumerate() {
                let a = sine(8000, *row, 6000.0, 400);
                let b = sine(8000, *column, 6000.0, 400);
                let mixed: Vec<i16> = a.iter().zip(&b).map(|(x, y)| x + y).collect();
                assert_eq!(detect_dtmf(&mixed, 8000), Some(DTMF_KEYS[r][c]));
            }
        }
        assert_eq!(detect_dtmf(&sine(8000, 697.0, 8000.0, 400), 8000), None);
        assert_eq!(detect_dtmf(&[0; 400], 8000), None);
        assert_eq!(detect_dtmf(&sine(8000, 1000.0, 8000.0, 400), 8000), None);
    }
}
