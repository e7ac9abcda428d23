//! Tone generation with FreeSWITCH's `tone_stream://` syntax (teletone):
//! `%(on_ms,off_ms,freq[,freq2...])` segments separated by `;`, with
//! `loops=N` / `L=N` (whole sequence N times, -1 forever), `l=N` (repeat the
//! next segment N times) and `v=dB` (level, default -7 dB, as teletone).
//! Also `silence_stream://ms[,noise]`.

use std::f64::consts::PI;

/// Why a tone or silence description was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ToneError {
    /// Not a `tone_stream://` / `silence_stream://` URI.
    #[error("not a tone or silence stream: {0:?}")]
    NotAStream(String),
    /// A `%(...)` segment that is not `on,off,freq[,freq...]`.
    #[error("bad tone segment {0:?}")]
    BadSegment(String),
    /// A `name=value` directive we do not know or whose value is invalid.
    #[error("bad directive {0:?}")]
    BadDirective(String),
    /// A description with no segment.
    #[error("tone stream has no %(...) segment")]
    Empty,
    /// A sample rate the generator does not support.
    #[error("unsupported sample rate {0}")]
    UnsupportedRate(u32),
}

/// One `%(on,off,freqs)` cadence element.
#[derive(Debug, Clone, PartialEq)]
pub struct ToneSegment {
    /// Milliseconds of tone.
    pub on_ms: u32,
    /// Milliseconds of silence after it.
    pub off_ms: u32,
    /// Frequencies summed during the on part (Hz); empty or 0 means silence.
    pub frequencies: Vec<f64>,
    /// How many times this segment plays in a row (`l=N` before it; default 1).
    pub repeat: u32,
}

/// A parsed tone stream.
#[derive(Debug, Clone, PartialEq)]
pub struct ToneSpec {
    /// Cadence elements in order.
    pub segments: Vec<ToneSegment>,
    /// Times the whole sequence plays; `None` forever.
    pub loops: Option<u32>,
    /// Level of the summed tone relative to full scale, in dB.
    pub volume_db: f64,
}

/// Default teletone level.
const DEFAULT_VOLUME_DB: f64 = -7.0;

fn parse_segment(body: &str, repeat: u32) -> Result<ToneSegment, ToneError> {
    let bad = || ToneError::BadSegment(body.to_owned());
    let fields: Vec<&str> = body.split(',').map(str::trim).collect();
    if fields.len() < 2 {
        return Err(bad());
    }
    let on_ms = fields[0].parse().map_err(|_| bad())?;
    let off_ms = fields[1].parse().map_err(|_| bad())?;
    let frequencies = fields[2..]
        .iter()
        .map(|f| f.parse::<f64>().ok().filter(|f| f.is_finite() && *f >= 0.0))
        .collect::<Option<Vec<f64>>>()
        .ok_or_else(bad)?;
    Ok(ToneSegment {
        on_ms,
        off_ms,
        frequencies,
        repeat,
    })
}

fn parse_loops(text: &str, item: &str) -> Result<Option<u32>, ToneError> {
    match text.trim().parse::<i64>() {
        Ok(-1) => Ok(None),
        Ok(n) if n >= 1 => Ok(Some(u32::try_from(n).unwrap_or(u32::MAX))),
        _ => Err(ToneError::BadDirective(item.to_owned())),
    }
}

impl ToneSpec {
    /// Parses the part after `tone_stream://`.
    pub fn parse(text: &str) -> Result<Self, ToneError> {
        let mut spec = ToneSpec {
            segments: Vec::new(),
            loops: Some(1),
            volume_db: DEFAULT_VOLUME_DB,
        };
        let mut next_repeat = 1;
        for item in text.split(';').map(str::trim).filter(|i| !i.is_empty()) {
            if let Some(body) = item.strip_prefix("%(").and_then(|b| b.strip_suffix(')')) {
                spec.segments.push(parse_segment(body, next_repeat)?);
                next_repeat = 1;
                continue;
            }
            let bad = || ToneError::BadDirective(item.to_owned());
            let (name, value) = item.split_once('=').ok_or_else(bad)?;
            match name.trim() {
                "loops" | "L" => spec.loops = parse_loops(value, item)?,
                "l" => next_repeat = parse_loops(value, item)?.ok_or_else(bad)?,
                "v" => {
                    let db: f64 = value.trim().parse().map_err(|_| bad())?;
                    spec.volume_db = db.clamp(-63.0, 0.0);
                }
                _ => return Err(bad()),
            }
        }
        if spec.segments.is_empty() {
            return Err(ToneError::Empty);
        }
        Ok(spec)
    }

    /// Total length in milliseconds, `None` when it loops forever.
    pub fn duration_ms(&self) -> Option<u64> {
        let once: u64 = self
            .segments
            .iter()
            .map(|s| u64::from(s.on_ms + s.off_ms) * u64::from(s.repeat))
            .sum();
        self.loops.map(|n| once * u64::from(n))
    }
}

/// Produces a [`ToneSpec`] as PCM at 8, 16 or 48 kHz, sample-exact and
/// phase-continuous inside each on period.
#[derive(Debug, Clone)]
pub struct ToneGenerator {
    spec: ToneSpec,
    sample_rate: u32,
    amplitude: f64,
    segment: usize,
    repeat_done: u32,
    loops_done: u32,
    position: u64,
    finished: bool,
}

impl ToneGenerator {
    /// A generator for `spec` at `sample_rate`.
    pub fn new(spec: ToneSpec, sample_rate: u32) -> Result<Self, ToneError> {
        if !matches!(sample_rate, 8000 | 16000 | 48000) {
            return Err(ToneError::UnsupportedRate(sample_rate));
        }
        let amplitude = f64::from(i16::MAX) * 10f64.powf(spec.volume_db / 20.0);
        Ok(Self {
            spec,
            sample_rate,
            amplitude,
            segment: 0,
            repeat_done: 0,
            loops_done: 0,
            position: 0,
            finished: false,
        })
    }

    /// Whether every sample has been produced.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    fn samples(&self, ms: u32) -> u64 {
        u64::from(ms) * u64::from(self.sample_rate) / 1000
    }

    fn advance_segment(&mut self) {
        self.position = 0;
        self.repeat_done += 1;
        let Some(current) = self.spec.segments.get(self.segment) else {
            self.finished = true;
            return;
        };
        if self.repeat_done < current.repeat {
            return;
        }
        self.repeat_done = 0;
        self.segment += 1;
        if self.segment < self.spec.segments.len() {
            return;
        }
        self.segment = 0;
        self.loops_done += 1;
        if self.spec.loops.is_some_and(|n| self.loops_done >= n) {
            self.finished = true;
        }
    }

    fn sample_at(&self, segment: &ToneSegment, position: u64) -> i16 {
        let active = || segment.frequencies.iter().filter(|f| **f > 0.0);
        let count = active().count();
        if count == 0 {
            return 0;
        }
        let t = position as f64 / f64::from(self.sample_rate);
        // Split the level between the tones so their sum never clips.
        let per_tone = self.amplitude / count as f64;
        let value: f64 = active().map(|f| per_tone * (2.0 * PI * f * t).sin()).sum();
        value.round() as i16
    }

    /// Fills `out` with the next samples; returns how many were produced
    /// (fewer than `out.len()` only at the end, and the rest is zeroed).
    pub fn fill(&mut self, out: &mut [i16]) -> usize {
        let mut written = 0;
        while written < out.len() && !self.finished {
            let Some(segment) = self.spec.segments.get(self.segment) else {
                self.finished = true;
                break;
            };
            let on = self.samples(segment.on_ms);
            let total = on + self.samples(segment.off_ms);
            if self.position >= total {
                self.advance_segment();
                continue;
            }
            let take = ((total - self.position) as usize).min(out.len() - written);
            for slot in &mut out[written..written + take] {
                *slot = if self.position < on {
                    self.sample_at(segment, self.position)
                } else {
                    0
                };
                self.position += 1;
            }
            written += take;
        }
        out[written..].fill(0);
        written
    }
}

/// A parsed `silence_stream://ms[,noise]`: `None` is forever (`-1`). The
/// comfort-noise argument is accepted for compatibility and ignored: the
/// output is digital silence.
pub fn parse_silence(text: &str) -> Result<Option<u32>, ToneError> {
    let ms = text.split(',').next().unwrap_or_default().trim();
    match ms.parse::<i64>() {
        Ok(-1) => Ok(None),
        Ok(n) if n >= 0 => Ok(Some(u32::try_from(n).unwrap_or(u32::MAX))),
        _ => Err(ToneError::BadDirective(text.to_owned())),
    }
}

/// `n` samples of a sine at `frequency` Hz and peak `amplitude`, at `sample_rate`.
pub fn sine(sample_rate: u32, frequency: f64, amplitude: f64, n: usize) -> Vec<i16> {
    (0..n)
        .map(|i| {
            let t = i as f64 / f64::from(sample_rate);
            (amplitude * (2.0 * PI * frequency * t).sin()).round() as i16
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::goertzel::{detect_dtmf, dominant_frequency, energy};

    fn render(text: &str, rate: u32, max: usize) -> Vec<i16> {
        let mut generator = ToneGenerator::new(ToneSpec::parse(text).unwrap(), rate).unwrap();
        let mut out = Vec::new();
        let mut frame = vec![0i16; rate as usize / 50];
        while !generator.is_finished() && out.len() < max {
            let n = generator.fill(&mut frame);
            out.extend_from_slice(&frame[..n]);
        }
        out
    }

    #[test]
    fn parses_freeswitch_examples() {
        let ring = ToneSpec::parse("%(2000,4000,440,480);loops=-1").unwrap();
        assert_eq!(ring.loops, None);
        assert_eq!(ring.segments[0].frequencies, vec![440.0, 480.0]);
        assert_eq!(ring.duration_ms(), None);
        let multi = ToneSpec::parse("v=-10;%(100,100,350);l=3;%(200,0,440,620);L=2").unwrap();
        assert_eq!(multi.volume_db, -10.0);
        assert_eq!(multi.segments[1].repeat, 3);
        assert_eq!(multi.loops, Some(2));
        assert_eq!(multi.duration_ms(), Some((200 + 600) * 2));
        assert_eq!(
            ToneSpec::parse("%(500,0,440)").unwrap().duration_ms(),
            Some(500)
        );
    }

    #[test]
    fn rejects_malformed_descriptions() {
        for bad in [
            "",
            "loops=2",
            "%(1,2",
            "%(a,0,440)",
            "%(100)",
            "%(100,0,-5)",
            "x=1",
            "loops=0",
            "%(10,0,nan)",
        ] {
            assert!(ToneSpec::parse(bad).is_err(), "{bad}");
        }
        assert!(ToneGenerator::new(ToneSpec::parse("%(1,0,1)").unwrap(), 44100).is_err());
    }

    #[test]
    fn tone_has_the_right_length_frequency_and_cadence() {
        for rate in [8000, 16000, 48000] {
            let pcm = render("%(200,100,440);loops=2", rate, usize::MAX);
            let per_ms = rate as usize / 1000;
            assert_eq!(pcm.len(), 600 * per_ms, "{rate}");
            let on = &pcm[..200 * per_ms];
            let off = &pcm[200 * per_ms..300 * per_ms];
            let candidates = [350.0, 400.0, 440.0, 480.0, 620.0];
            assert_eq!(dominant_frequency(on, rate, &candidates), Some(440.0));
            assert_eq!(energy(off), 0.0);
            // -7 dB of full scale peak
            let peak = on.iter().map(|s| i32::from(*s).abs()).max().unwrap();
            assert!((14500..=14700).contains(&peak), "{peak}");
            // second loop equals the first
            assert_eq!(&pcm[..300 * per_ms], &pcm[300 * per_ms..]);
        }
    }

    #[test]
    fn two_tone_segments_are_dtmf_detectable_and_repeat() {
        let pcm = render(
            "%(100,50,697,1209);l=2;%(100,50,941,1477)",
            8000,
            usize::MAX,
        );
        assert_eq!(pcm.len(), (150 + 300) * 8);
        assert_eq!(detect_dtmf(&pcm[..800], 8000), Some('1'));
        assert_eq!(detect_dtmf(&pcm[1200..2000], 8000), Some('#'));
        assert_eq!(detect_dtmf(&pcm[2400..3200], 8000), Some('#'));
    }

    #[test]
    fn endless_tones_keep_going() {
        let pcm = render("%(20,0,1000);loops=-1", 8000, 8000 * 5);
        assert_eq!(pcm.len(), 8000 * 5);
        assert!(energy(&pcm[39000..]) > 1e6);
    }

    #[test]
    fn silence_streams() {
        assert_eq!(parse_silence("1000"), Ok(Some(1000)));
        assert_eq!(parse_silence("-1"), Ok(None));
        assert_eq!(parse_silence("500,1400"), Ok(Some(500)));
        assert!(parse_silence("abc").is_err());
    }
}
