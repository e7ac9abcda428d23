//! Recognising the switch's prompts in the audio a phone received: each prompt
//! is known by the loudest 100 ms of its first second (from the WAV under `conf/sounds/`), found in
//! the decoded stream by normalised cross-correlation. The switch plays the file's
//! samples through G.711 unchanged, so a match correlates near 1.0, and other
//! speech stays far below.

use super::RtpPacket;
use super::audio::{read_wav, ulaw_decode};
use crate::common::repo_root;

/// Template length: 100 ms at 8 kHz.
const TEMPLATE: usize = 800;
/// Correlation that counts as "this prompt".
const MATCH: f64 = 0.9;

/// A prompt to look for.
#[derive(Debug, Clone)]
pub struct Prompt {
    /// Its file name under `conf/sounds/`.
    pub name: String,
    template: Vec<i16>,
    energy: f64,
}

impl Prompt {
    /// Loads `conf/sounds/<name>` and picks the loudest 100 ms of its first second
    /// as the template (early, so a prompt cut short by a digit is still known).
    pub fn load(name: &str) -> Prompt {
        let path = repo_root().join("conf/sounds").join(name);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let (_, rate, samples) = read_wav(&bytes).expect("a 16-bit PCM WAV");
        assert_eq!(rate, 8000, "{name}: prompts are 8 kHz");
        Prompt::from_samples(name, &samples)
    }

    fn from_samples(name: &str, samples: &[i16]) -> Prompt {
        assert!(samples.len() >= TEMPLATE, "{name} is too short");
        let head = samples.len().min(8000);
        let start = (0..=head - TEMPLATE)
            .step_by(TEMPLATE / 4)
            .max_by_key(|&at| energy_i64(&samples[at..at + TEMPLATE]))
            .unwrap_or(0);
        let template = samples[start..start + TEMPLATE].to_vec();
        let energy = energy(&template);
        Prompt {
            name: name.to_owned(),
            template,
            energy,
        }
    }

    /// Sample offsets (template positions) where the prompt was heard in `audio`
    /// from `from` on, one per occurrence.
    pub fn find(&self, audio: &[i16], from: usize) -> Vec<usize> {
        let mut found: Vec<usize> = Vec::new();
        let mut lag = from;
        while lag + TEMPLATE <= audio.len() {
            if self.correlation(&audio[lag..lag + TEMPLATE]) > MATCH {
                found.push(lag);
                // The next occurrence is at least a template later.
                lag += TEMPLATE;
            } else {
                lag += 1;
            }
        }
        found
    }

    fn correlation(&self, window: &[i16]) -> f64 {
        let dot: i64 = self
            .template
            .iter()
            .zip(window)
            .map(|(&a, &b)| i64::from(a) * i64::from(b))
            .sum();
        let denominator = (self.energy * energy(window)).sqrt();
        if denominator == 0.0 {
            0.0
        } else {
            dot as f64 / denominator
        }
    }
}

fn energy_i64(samples: &[i16]) -> i64 {
    samples.iter().map(|&s| i64::from(s) * i64::from(s)).sum()
}

fn energy(samples: &[i16]) -> f64 {
    energy_i64(samples) as f64
}

/// The μ-law audio (payload type 0) of `packets`, decoded, in arrival order.
pub fn decode_pcmu(packets: &[RtpPacket]) -> Vec<i16> {
    packets
        .iter()
        .filter(|p| p.pt == 0)
        .flat_map(|p| p.payload.iter().map(|&b| ulaw_decode(b)))
        .collect()
}

/// Root mean square of `samples` (speech: hundreds to thousands; G.711 silence: ~0).
pub fn rms(samples: &[i16]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    (energy(samples) / samples.len() as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prompt_is_found_where_it_was_played_and_nowhere_else() {
        let welcome = Prompt::load("ivr-welcome.wav");
        let invalid = Prompt::load("ivr-invalid.wav");
        let path = repo_root().join("conf/sounds/ivr-invalid.wav");
        let (_, _, samples) = read_wav(&std::fs::read(path).expect("wav")).expect("wav");
        // Through μ-law, after 1234 samples of silence, twice.
        let through_g711: Vec<i16> = samples
            .iter()
            .map(|&s| ulaw_decode(super::super::audio::ulaw_encode(s)))
            .collect();
        let mut audio = vec![0i16; 1234];
        audio.extend(&through_g711);
        audio.extend(&through_g711);
        assert_eq!(invalid.find(&audio, 0).len(), 2);
        assert!(welcome.find(&audio, 0).is_empty());
    }
}
