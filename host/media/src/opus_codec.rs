//! Opus (RFC 6716, RTP payload RFC 7587) through libopus via the `opus` crate.

use witswitch_sdp::CodecName;

use crate::codec::{Codec, CodecError, frame_samples};

fn opus_error(err: opus::Error) -> CodecError {
    CodecError::Opus(err.to_string())
}

/// A mono Opus encoder/decoder pair. The RTP clock is always 48 kHz
/// (RFC 7587 §4.1) whatever PCM rate the codec runs at, so a narrowband call
/// can run Opus at 8 kHz and skip resampling.
#[derive(Debug)]
pub struct OpusCodec {
    encoder: opus::Encoder,
    decoder: opus::Decoder,
    sample_rate: u32,
    frame: usize,
}

impl OpusCodec {
    /// An Opus codec at `sample_rate` (8000, 12000, 16000, 24000 or 48000)
    /// framing `ptime` ms (10, 20, 40 or 60).
    pub fn new(sample_rate: u32, ptime: u32) -> Result<Self, CodecError> {
        if !matches!(sample_rate, 8000 | 12000 | 16000 | 24000 | 48000) {
            return Err(CodecError::UnsupportedSampleRate(sample_rate));
        }
        if !CodecName::Opus.supports_ptime(ptime) {
            return Err(CodecError::UnsupportedPtime(ptime));
        }
        let mut encoder =
            opus::Encoder::new(sample_rate, opus::Channels::Mono, opus::Application::Voip)
                .map_err(opus_error)?;
        // In-band FEC matches the `useinbandfec=1` we advertise (RFC 7587 §6.1).
        encoder.set_inband_fec(true).map_err(opus_error)?;
        let decoder = opus::Decoder::new(sample_rate, opus::Channels::Mono).map_err(opus_error)?;
        Ok(Self {
            encoder,
            decoder,
            sample_rate,
            frame: frame_samples(sample_rate, ptime),
        })
    }
}

impl Codec for OpusCodec {
    fn name(&self) -> CodecName {
        CodecName::Opus
    }

    fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    fn samples_per_frame(&self) -> usize {
        self.frame
    }

    fn encode_into(&mut self, pcm: &[i16], out: &mut [u8]) -> Result<usize, CodecError> {
        self.encoder.encode(pcm, out).map_err(opus_error)
    }

    fn decode_into(&mut self, payload: &[u8], out: &mut [i16]) -> Result<usize, CodecError> {
        if payload.is_empty() {
            // An empty slice would ask libopus for concealment; a zero-length
            // RTP payload is not a lost packet, so refuse it explicitly.
            return Err(CodecError::Opus("empty payload".to_owned()));
        }
        self.decoder.decode(payload, out, false).map_err(opus_error)
    }

    fn conceal_into(&mut self, out: &mut [i16]) -> Result<usize, CodecError> {
        let n = self.frame.min(out.len());
        self.decoder
            .decode(&[], &mut out[..n], false)
            .map_err(opus_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_rates_ptimes_and_packets() {
        assert_eq!(
            OpusCodec::new(44100, 20).unwrap_err(),
            CodecError::UnsupportedSampleRate(44100)
        );
        assert_eq!(
            OpusCodec::new(48000, 30).unwrap_err(),
            CodecError::UnsupportedPtime(30)
        );
        let mut codec = OpusCodec::new(16000, 20).unwrap();
        let mut out = [0i16; 320];
        assert!(codec.decode_into(&[], &mut out).is_err());
        // A TOC byte announcing a longer frame than `out` holds is an error, not a panic.
        assert!(
            codec
                .decode_into(&[0xFF, 0xFF, 0xFF], &mut out[..10])
                .is_err()
        );
    }

    #[test]
    fn concealment_fills_one_frame() {
        let mut codec = OpusCodec::new(8000, 20).unwrap();
        let tone = crate::tone::sine(8000, 440.0, 8000.0, 160);
        let payload = codec.encode(&tone).unwrap();
        let mut out = [0i16; 160];
        assert_eq!(codec.decode_into(&payload, &mut out).unwrap(), 160);
        assert_eq!(codec.conceal_into(&mut out).unwrap(), 160);
    }
}
