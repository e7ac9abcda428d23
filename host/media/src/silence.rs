//! Silence detection for `record` (FreeSWITCH's `record <path> <limit>
//! <silence_thresh> <silence_hits>`): a frame whose mean absolute sample
//! value is below the threshold is silent; once the caller has been silent
//! for the configured time without a break, the detector fires, once.
//!
//! Time is the audio itself: every frame advances the detector by its
//! length in samples at its rate, so the decision does not depend on when
//! frames are processed (and tests drive it with synthetic frames).

/// FreeSWITCH's usual `silence_thresh` for `record` (the docs' example):
/// a mean absolute amplitude of 200 out of 32767 (about -44 dBFS).
pub const DEFAULT_THRESHOLD: u32 = 200;

/// Watches one party's audio for a run of silence.
#[derive(Debug, Clone)]
pub struct SilenceDetector {
    threshold: u32,
    limit_us: u64,
    silent_us: u64,
    fired: bool,
}

impl SilenceDetector {
    /// Fires after `silence_ms` of frames below `threshold` (mean absolute
    /// sample value of 16-bit PCM).
    pub fn new(threshold: u32, silence_ms: u32) -> Self {
        Self {
            threshold,
            limit_us: u64::from(silence_ms) * 1000,
            silent_us: 0,
            fired: false,
        }
    }

    /// The mean absolute sample value of `pcm` (FreeSWITCH's energy score).
    pub fn energy(pcm: &[i16]) -> u32 {
        if pcm.is_empty() {
            return 0;
        }
        let sum: u64 = pcm.iter().map(|s| u64::from(s.unsigned_abs())).sum();
        u32::try_from(sum / pcm.len() as u64).unwrap_or(u32::MAX)
    }

    /// Adds a frame at `rate` Hz; true exactly once, on the frame that
    /// completes the run of silence.
    pub fn push(&mut self, pcm: &[i16], rate: u32) -> bool {
        if self.fired || pcm.is_empty() || rate == 0 {
            return false;
        }
        if Self::energy(pcm) >= self.threshold {
            self.silent_us = 0;
            return false;
        }
        self.silent_us += pcm.len() as u64 * 1_000_000 / u64::from(rate);
        if self.silent_us >= self.limit_us {
            self.fired = true;
        }
        self.fired
    }

    /// Whether it has fired.
    pub fn fired(&self) -> bool {
        self.fired
    }

    /// How long the current run of silence is, in milliseconds.
    pub fn silent_ms(&self) -> u64 {
        self.silent_us / 1000
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tone::sine;

    /// Feeds `pcm` in 20 ms frames; returns the frame index that fired.
    fn feed(detector: &mut SilenceDetector, pcm: &[i16], rate: u32) -> Option<usize> {
        let frame = (rate / 50) as usize;
        let mut fired = None;
        for (k, chunk) in pcm.chunks(frame).enumerate() {
            if detector.push(chunk, rate) && fired.is_none() {
                fired = Some(k);
            }
        }
        fired
    }

    #[test]
    fn fires_once_after_the_configured_run_of_silence() {
        let mut detector = SilenceDetector::new(DEFAULT_THRESHOLD, 3000);
        let speech = sine(8000, 440.0, 8000.0, 8000);
        assert_eq!(feed(&mut detector, &speech, 8000), None);
        // 2.98 s of silence: not yet.
        assert_eq!(feed(&mut detector, &vec![0; 149 * 160], 8000), None);
        assert_eq!(detector.silent_ms(), 2980);
        // The 150th silent frame completes 3 s.
        assert!(detector.push(&[0; 160], 8000));
        assert!(detector.fired());
        // Only once.
        assert!(!detector.push(&[0; 160], 8000));
    }

    #[test]
    fn speech_restarts_the_count() {
        let mut detector = SilenceDetector::new(DEFAULT_THRESHOLD, 1000);
        let word = sine(8000, 300.0, 3000.0, 1600);
        for _ in 0..5 {
            // 800 ms pauses between words never add up to the 1 s limit.
            assert_eq!(feed(&mut detector, &vec![0; 6400], 8000), None);
            assert_eq!(feed(&mut detector, &word, 8000), None);
        }
        assert_eq!(feed(&mut detector, &vec![0; 8000], 8000), Some(49));
    }

    #[test]
    fn the_threshold_separates_noise_from_speech() {
        // Low background noise (mean |x| about 100) counts as silence...
        let noise = sine(8000, 1000.0, 157.0, 8000);
        assert!(SilenceDetector::energy(&noise) < DEFAULT_THRESHOLD);
        let mut detector = SilenceDetector::new(DEFAULT_THRESHOLD, 1000);
        assert_eq!(feed(&mut detector, &noise, 8000), Some(49));
        // ...quiet speech (mean |x| about 640) does not.
        let quiet = sine(8000, 1000.0, 1000.0, 8000);
        assert!(SilenceDetector::energy(&quiet) > DEFAULT_THRESHOLD);
        let mut detector = SilenceDetector::new(DEFAULT_THRESHOLD, 1000);
        assert_eq!(feed(&mut detector, &quiet, 8000), None);
        // A higher threshold makes it silence.
        let mut detector = SilenceDetector::new(1000, 1000);
        assert_eq!(feed(&mut detector, &quiet, 8000), Some(49));
    }

    #[test]
    fn time_follows_the_sample_rate() {
        // 16 kHz frames are 320 samples per 20 ms: 500 ms is 25 of them.
        let mut detector = SilenceDetector::new(DEFAULT_THRESHOLD, 500);
        assert_eq!(feed(&mut detector, &vec![0; 16000], 16000), Some(24));
        // 48 kHz Opus frames of 960.
        let mut detector = SilenceDetector::new(DEFAULT_THRESHOLD, 500);
        assert_eq!(feed(&mut detector, &vec![0; 48000], 48000), Some(24));
    }

    #[test]
    fn empty_frames_and_a_zero_rate_are_ignored() {
        let mut detector = SilenceDetector::new(DEFAULT_THRESHOLD, 20);
        assert!(!detector.push(&[], 8000));
        assert!(!detector.push(&[0; 160], 0));
        assert!(detector.push(&[0; 160], 8000));
    }
}
