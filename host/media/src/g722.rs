//! G.722 wideband (64 kbit/s sub-band ADPCM) through the pure-Rust coder of
//! the `audio-codec` crate. PCM is 16 kHz; the RTP clock is 8 kHz
//! (RFC 3551 §4.5.2), one byte per two samples.

use audio_codec::{Decoder as _, Encoder as _};
use witswitch_sdp::CodecName;

use crate::codec::{Codec, CodecError, frame_samples};

/// A G.722 encoder/decoder pair (mode 1, 64 kbit/s).
pub struct G722Codec {
    encoder: audio_codec::g722::G722Encoder,
    decoder: audio_codec::g722::G722Decoder,
    frame: usize,
}

impl std::fmt::Debug for G722Codec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("G722Codec")
            .field("frame", &self.frame)
            .finish_non_exhaustive()
    }
}

impl G722Codec {
    /// A G.722 codec framing `ptime` ms (10..=60, multiples of 10).
    pub fn new(ptime: u32) -> Result<Self, CodecError> {
        if !CodecName::G722.supports_ptime(ptime) {
            return Err(CodecError::UnsupportedPtime(ptime));
        }
        Ok(Self {
            encoder: audio_codec::g722::G722Encoder::new(),
            decoder: audio_codec::g722::G722Decoder::new(),
            frame: frame_samples(16000, ptime),
        })
    }
}

impl Codec for G722Codec {
    fn name(&self) -> CodecName {
        CodecName::G722
    }

    fn sample_rate(&self) -> u32 {
        16000
    }

    fn samples_per_frame(&self) -> usize {
        self.frame
    }

    fn encode_into(&mut self, pcm: &[i16], out: &mut [u8]) -> Result<usize, CodecError> {
        let needed = pcm.len().div_ceil(2);
        if out.len() < needed {
            return Err(CodecError::BufferTooSmall {
                needed,
                available: out.len(),
            });
        }
        self.encoder
            .encode_into(pcm, out)
            .map_err(|_| CodecError::G722)
    }

    fn decode_into(&mut self, payload: &[u8], out: &mut [i16]) -> Result<usize, CodecError> {
        let needed = payload.len() * 2;
        if out.len() < needed {
            return Err(CodecError::BufferTooSmall {
                needed,
                available: out.len(),
            });
        }
        self.decoder
            .decode_into(payload, out)
            .map_err(|_| CodecError::G722)
    }
}
