//! The `Codec` trait: PCM ⇄ RTP payload for one direction pair of a leg,
//! and its implementations for G.711 (in-house), G.722 and Opus.

use witswitch_sdp::CodecName;

use crate::g711::G711Law;
use crate::g722::G722Codec;
use crate::opus_codec::OpusCodec;

/// Why a codec could not be built or could not code a frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// The output buffer cannot hold the result.
    #[error("output buffer too small: need {needed}, have {available}")]
    BufferTooSmall {
        /// Units (bytes or samples) needed.
        needed: usize,
        /// Units available.
        available: usize,
    },
    /// A packet time the codec cannot frame.
    #[error("unsupported ptime {0} ms")]
    UnsupportedPtime(u32),
    /// A PCM rate the codec cannot run at.
    #[error("unsupported sample rate {0} Hz")]
    UnsupportedSampleRate(u32),
    /// libopus refused (bad packet, bad state); the text is libopus' own.
    #[error("opus: {0}")]
    Opus(String),
    /// The G.722 coder refused the input.
    #[error("G.722 coding failed")]
    G722,
}

/// A voice codec: encodes 16-bit mono PCM frames into RTP payloads and back.
///
/// Implementations keep their state between calls (Opus and G.722 are
/// predictive), so one instance serves one direction of one leg.
pub trait Codec: Send + std::fmt::Debug {
    /// Which codec this is.
    fn name(&self) -> CodecName;

    /// The PCM sample rate `encode` takes and `decode` produces.
    fn sample_rate(&self) -> u32;

    /// The RTP timestamp clock rate (8000 for G.722 although it samples at 16 kHz).
    fn clock_rate(&self) -> u32 {
        self.name().rtp_clock_rate()
    }

    /// PCM samples in one packet (160 for 20 ms at 8 kHz).
    fn samples_per_frame(&self) -> usize;

    /// How far the RTP timestamp moves per packet.
    fn timestamp_increment(&self) -> u32 {
        let samples = self.samples_per_frame() as u64;
        (samples * u64::from(self.clock_rate()) / u64::from(self.sample_rate())) as u32
    }

    /// Encodes one frame of PCM into `out`; returns the payload length.
    fn encode_into(&mut self, pcm: &[i16], out: &mut [u8]) -> Result<usize, CodecError>;

    /// Decodes one payload into `out`; returns the sample count.
    fn decode_into(&mut self, payload: &[u8], out: &mut [i16]) -> Result<usize, CodecError>;

    /// Fills `out` for a lost packet. The default is silence (no PLC);
    /// Opus overrides it with its own concealment.
    fn conceal_into(&mut self, out: &mut [i16]) -> Result<usize, CodecError> {
        let n = self.samples_per_frame().min(out.len());
        out[..n].fill(0);
        Ok(n)
    }

    /// Encodes one frame into a new buffer.
    fn encode(&mut self, pcm: &[i16]) -> Result<Vec<u8>, CodecError> {
        // Enough for every codec here: G.711 1 byte/sample, G.722 1/2, Opus ≤ 1275/frame.
        let mut out = vec![0u8; pcm.len().max(1500)];
        let n = self.encode_into(pcm, &mut out)?;
        out.truncate(n);
        Ok(out)
    }

    /// Decodes one payload into a new buffer.
    fn decode(&mut self, payload: &[u8]) -> Result<Vec<i16>, CodecError> {
        // 120 ms at 48 kHz is the largest Opus packet; G.711/G.722 need ≤ 2 per byte.
        let mut out = vec![0i16; (payload.len() * 2).max(5760)];
        let n = self.decode_into(payload, &mut out)?;
        out.truncate(n);
        Ok(out)
    }
}

/// Samples in `ptime` ms at `rate`.
pub(crate) fn frame_samples(rate: u32, ptime: u32) -> usize {
    (rate / 1000 * ptime) as usize
}

/// G.711 as a [`Codec`]: stateless, one byte per sample at 8 kHz.
#[derive(Debug, Clone)]
pub struct G711Codec {
    law: G711Law,
    frame: usize,
}

impl G711Codec {
    /// A G.711 codec packetising `ptime` ms (10..=60, multiples of 10).
    pub fn new(law: G711Law, ptime: u32) -> Result<Self, CodecError> {
        let name = match law {
            G711Law::Ulaw => CodecName::Pcmu,
            G711Law::Alaw => CodecName::Pcma,
        };
        if !name.supports_ptime(ptime) {
            return Err(CodecError::UnsupportedPtime(ptime));
        }
        Ok(Self {
            law,
            frame: frame_samples(8000, ptime),
        })
    }
}

impl Codec for G711Codec {
    fn name(&self) -> CodecName {
        match self.law {
            G711Law::Ulaw => CodecName::Pcmu,
            G711Law::Alaw => CodecName::Pcma,
        }
    }

    fn sample_rate(&self) -> u32 {
        8000
    }

    fn samples_per_frame(&self) -> usize {
        self.frame
    }

    fn encode_into(&mut self, pcm: &[i16], out: &mut [u8]) -> Result<usize, CodecError> {
        if out.len() < pcm.len() {
            return Err(CodecError::BufferTooSmall {
                needed: pcm.len(),
                available: out.len(),
            });
        }
        Ok(self.law.encode(pcm, out))
    }

    fn decode_into(&mut self, payload: &[u8], out: &mut [i16]) -> Result<usize, CodecError> {
        if out.len() < payload.len() {
            return Err(CodecError::BufferTooSmall {
                needed: payload.len(),
                available: out.len(),
            });
        }
        Ok(self.law.decode(payload, out))
    }
}

/// Builds the codec for a negotiated `name` and `ptime`, at its native PCM
/// rate (8 kHz G.711, 16 kHz G.722, 48 kHz Opus). Use [`OpusCodec::new`]
/// directly to run Opus at 8 or 16 kHz and skip resampling.
pub fn new_codec(name: CodecName, ptime: u32) -> Result<Box<dyn Codec>, CodecError> {
    Ok(match name {
        CodecName::Pcmu => Box::new(G711Codec::new(G711Law::Ulaw, ptime)?),
        CodecName::Pcma => Box::new(G711Codec::new(G711Law::Alaw, ptime)?),
        CodecName::G722 => Box::new(G722Codec::new(ptime)?),
        CodecName::Opus => Box::new(OpusCodec::new(48000, ptime)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::goertzel::goertzel_power;
    use crate::tone::sine;

    /// Signal-to-noise ratio in dB of `decoded` against `original`, after
    /// aligning by the lag that maximises correlation (predictive codecs delay).
    pub(crate) fn snr_db(original: &[i16], decoded: &[i16], max_lag: usize) -> f64 {
        let mut best = f64::MIN;
        for lag in 0..=max_lag {
            let n = original.len().min(decoded.len().saturating_sub(lag));
            let (mut signal, mut noise) = (0f64, 0f64);
            for i in 0..n {
                let s = f64::from(original[i]);
                let e = f64::from(decoded[i + lag]) - s;
                signal += s * s;
                noise += e * e;
            }
            best = best.max(10.0 * (signal / noise.max(1.0)).log10());
        }
        best
    }

    #[test]
    fn every_codec_round_trips_a_tone() {
        for name in [
            CodecName::Pcmu,
            CodecName::Pcma,
            CodecName::G722,
            CodecName::Opus,
        ] {
            let mut codec = new_codec(name, 20).unwrap();
            let rate = codec.sample_rate();
            let frame = codec.samples_per_frame();
            assert_eq!(frame, frame_samples(rate, 20), "{name}");
            let input = sine(rate, 1000.0, 8000.0, frame * 25);
            let mut output = Vec::new();
            for chunk in input.chunks(frame) {
                let payload = codec.encode(chunk).unwrap();
                output.extend(codec.decode(&payload).unwrap());
            }
            assert_eq!(output.len(), input.len(), "{name}");
            // After the codec's start-up, the 1 kHz tone dominates a 3 kHz probe.
            let tail = &output[output.len() / 2..];
            let at_tone = goertzel_power(tail, rate, 1000.0);
            let off_tone = goertzel_power(tail, rate, 3000.0);
            assert!(
                at_tone > 100.0 * off_tone,
                "{name}: {at_tone} vs {off_tone}"
            );
            // Waveform coders track the input closely (measured: μ 43 dB,
            // A 37 dB, G.722 47 dB); Opus is perceptual (measured 16 dB).
            let min_snr = match name {
                CodecName::Opus => 10.0,
                _ => 30.0,
            };
            let snr = snr_db(&input[frame * 5..], &output[frame * 5..], 400);
            assert!(snr > min_snr, "{name}: SNR {snr:.1} dB");
        }
    }

    #[test]
    fn timestamp_increments_follow_the_rtp_clock() {
        let pcmu = new_codec(CodecName::Pcmu, 20).unwrap();
        assert_eq!(
            (pcmu.samples_per_frame(), pcmu.timestamp_increment()),
            (160, 160)
        );
        let g722 = new_codec(CodecName::G722, 20).unwrap();
        // 320 samples at 16 kHz, but the RTP clock says 8000 (RFC 3551 §4.5.2).
        assert_eq!(
            (g722.samples_per_frame(), g722.timestamp_increment()),
            (320, 160)
        );
        let opus = new_codec(CodecName::Opus, 20).unwrap();
        assert_eq!(
            (opus.samples_per_frame(), opus.timestamp_increment()),
            (960, 960)
        );
        let narrow = OpusCodec::new(8000, 20).unwrap();
        assert_eq!(
            (narrow.samples_per_frame(), narrow.timestamp_increment()),
            (160, 960)
        );
    }

    #[test]
    fn g711_checks_buffers_and_ptime() {
        assert_eq!(
            G711Codec::new(G711Law::Ulaw, 25).unwrap_err(),
            CodecError::UnsupportedPtime(25)
        );
        let mut codec = G711Codec::new(G711Law::Alaw, 20).unwrap();
        let mut small = [0u8; 10];
        assert!(matches!(
            codec.encode_into(&[0; 160], &mut small),
            Err(CodecError::BufferTooSmall {
                needed: 160,
                available: 10
            })
        ));
        let mut out = [1i16; 160];
        assert_eq!(codec.conceal_into(&mut out).unwrap(), 160);
        assert!(out.iter().all(|s| *s == 0));
    }
}
