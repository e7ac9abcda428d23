//! ITU-T G.711 μ-law and A-law companding, written in-house.
//!
//! Both laws quantise a sample into a sign bit, a 3-bit segment (chord) and a
//! 4-bit step inside the segment (G.711 §2, Tables 1 and 2). Decoding is a
//! 256-entry table; encoding uses tables indexed by the 14-bit (μ-law) or
//! 13-bit (A-law) linear value that G.711 actually quantises, so both
//! directions are a single load per sample. All tables are built by `const fn`
//! at compile time: no build script, no lazy initialisation, no global state.
//!
//! Linear samples are 16-bit: G.711's 14-bit (μ) and 13-bit (A) values are
//! left-justified, i.e. multiplied by 4 and 8.

/// μ-law bias in the 16-bit scale: 33 in G.711's 14-bit scale, times 4.
const ULAW_BIAS: i32 = 0x84;
/// Largest magnitude μ-law represents (8159 in the 14-bit scale, as 16-bit minus bias).
const ULAW_CLIP: i32 = 32635;

/// Decodes one μ-law code by its segment/step definition (G.711 Table 2).
const fn ulaw_decode_one(code: u8) -> i16 {
    // Codes are sent with all bits inverted (G.711 §2, Table 2 note).
    let u = !code;
    let segment = ((u >> 4) & 0x07) as i32;
    let step = (u & 0x0F) as i32;
    let magnitude = (((step << 3) + ULAW_BIAS) << segment) - ULAW_BIAS;
    if u & 0x80 != 0 {
        -magnitude as i16
    } else {
        magnitude as i16
    }
}

/// Decodes one A-law code by its segment/step definition (G.711 Table 1).
const fn alaw_decode_one(code: u8) -> i16 {
    // Even bits are inverted on the line (G.711 §2, Table 1 note).
    let a = code ^ 0x55;
    let segment = ((a >> 4) & 0x07) as i32;
    let step = (a & 0x0F) as i32;
    // Reconstruction value is the middle of the quantisation interval.
    let magnitude = if segment == 0 {
        (step << 4) + 8
    } else {
        ((step << 4) + 0x108) << (segment - 1)
    };
    // Polarity bit 1 means positive for A-law.
    if a & 0x80 != 0 {
        magnitude as i16
    } else {
        -magnitude as i16
    }
}

/// Encodes one 16-bit sample to μ-law (sign, segment, 4 step bits, inverted).
const fn ulaw_encode_one(sample: i16) -> u8 {
    let mut value = sample as i32;
    let sign: u8 = if value < 0 {
        value = -value;
        0x80
    } else {
        0
    };
    if value > ULAW_CLIP {
        value = ULAW_CLIP;
    }
    value += ULAW_BIAS;
    // The segment is the position of the highest set bit above bit 7.
    let segment = 24 - (value as u32).leading_zeros() as i32;
    let segment = if segment < 0 { 0 } else { segment };
    let step = ((value >> (segment + 3)) & 0x0F) as u8;
    !(sign | ((segment as u8) << 4) | step)
}

/// Encodes one 16-bit sample to A-law.
const fn alaw_encode_one(sample: i16) -> u8 {
    let mut value = sample as i32;
    let polarity: u8 = if value >= 0 {
        0x80
    } else {
        // One's-complement style: -1..-8 share the first interval with 0..7.
        value = -value - 1;
        0
    };
    if value > 0x7FFF {
        value = 0x7FFF;
    }
    let code = if value < 256 {
        (value >> 4) as u8
    } else {
        let segment = 24 - (value as u32).leading_zeros() as i32;
        let step = ((value >> (segment + 3)) & 0x0F) as u8;
        ((segment as u8) << 4) | step
    };
    (polarity | code) ^ 0x55
}

const fn build_decode(law_is_mu: bool) -> [i16; 256] {
    let mut table = [0i16; 256];
    let mut code = 0;
    while code < 256 {
        table[code] = if law_is_mu {
            ulaw_decode_one(code as u8)
        } else {
            alaw_decode_one(code as u8)
        };
        code += 1;
    }
    table
}

/// μ-law encode table indexed by the 14-bit two's-complement value (`sample >> 2`).
const fn build_ulaw_encode() -> [u8; 1 << 14] {
    let mut table = [0u8; 1 << 14];
    let mut index = 0;
    while index < (1 << 14) {
        // Sign-extend the 14-bit index and take the low end of its 4-wide bucket.
        let value14 = ((index as i32) << 18) >> 18;
        table[index] = ulaw_encode_one((value14 << 2) as i16);
        index += 1;
    }
    table
}

/// A-law encode table indexed by the 13-bit two's-complement value (`sample >> 3`).
const fn build_alaw_encode() -> [u8; 1 << 13] {
    let mut table = [0u8; 1 << 13];
    let mut index = 0;
    while index < (1 << 13) {
        let value13 = ((index as i32) << 19) >> 19;
        table[index] = alaw_encode_one((value13 << 3) as i16);
        index += 1;
    }
    table
}

static ULAW_DECODE: [i16; 256] = build_decode(true);
static ALAW_DECODE: [i16; 256] = build_decode(false);
static ULAW_ENCODE: [u8; 1 << 14] = build_ulaw_encode();
static ALAW_ENCODE: [u8; 1 << 13] = build_alaw_encode();

/// The two G.711 companding laws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum G711Law {
    /// μ-law, RTP payload type 0 "PCMU" (North America, Japan).
    Ulaw,
    /// A-law, RTP payload type 8 "PCMA" (Europe and most of the world).
    Alaw,
}

/// Decodes one μ-law code to a 16-bit linear sample.
#[inline]
pub fn ulaw_to_linear(code: u8) -> i16 {
    ULAW_DECODE[usize::from(code)]
}

/// Decodes one A-law code to a 16-bit linear sample.
#[inline]
pub fn alaw_to_linear(code: u8) -> i16 {
    ALAW_DECODE[usize::from(code)]
}

/// Encodes one 16-bit linear sample to μ-law.
#[inline]
pub fn linear_to_ulaw(sample: i16) -> u8 {
    // `>> 2` keeps the 14 bits μ-law quantises; the mask makes it an index.
    ULAW_ENCODE[((sample >> 2) as u16 & 0x3FFF) as usize]
}

/// Encodes one 16-bit linear sample to A-law.
#[inline]
pub fn linear_to_alaw(sample: i16) -> u8 {
    ALAW_ENCODE[((sample >> 3) as u16 & 0x1FFF) as usize]
}

impl G711Law {
    /// Encodes `pcm` into `out`, one byte per sample; returns the bytes written
    /// (the shorter of the two lengths).
    pub fn encode(self, pcm: &[i16], out: &mut [u8]) -> usize {
        let n = pcm.len().min(out.len());
        let pairs = pcm.iter().zip(out.iter_mut());
        match self {
            Self::Ulaw => pairs.for_each(|(s, o)| *o = linear_to_ulaw(*s)),
            Self::Alaw => pairs.for_each(|(s, o)| *o = linear_to_alaw(*s)),
        }
        n
    }

    /// Decodes `codes` into `out`; returns the samples written.
    pub fn decode(self, codes: &[u8], out: &mut [i16]) -> usize {
        let n = codes.len().min(out.len());
        let table = match self {
            Self::Ulaw => &ULAW_DECODE,
            Self::Alaw => &ALAW_DECODE,
        };
        codes
            .iter()
            .zip(out.iter_mut())
            .for_each(|(c, o)| *o = table[usize::from(*c)]);
        n
    }

    /// The code that decodes to silence (0 for μ-law 0xFF, ±8 for A-law 0xD5).
    pub fn silence_code(self) -> u8 {
        match self {
            Self::Ulaw => 0xFF,
            Self::Alaw => 0xD5,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// μ-law reconstruction value in G.711's 14-bit scale, derived from the
    /// segment end points of Table 2: x_k = 2^(k+5) - 33 (k = 0..8), each
    /// segment split into 16 equal intervals, the value at an interval's middle.
    fn ulaw_table_value(code: u8) -> i32 {
        let positive = code & 0x80 != 0; // polarity bit 1 = positive
        let segment = 7 - i32::from((code >> 4) & 0x07); // bits are inverted on the line
        let interval = 15 - i32::from(code & 0x0F);
        let start = (1 << (segment + 5)) - 33;
        let end = (1 << (segment + 6)) - 33;
        let width = (end - start) / 16;
        let magnitude = start + width * interval + width / 2;
        if positive { magnitude } else { -magnitude }
    }

    /// A-law reconstruction value in G.711's 13-bit scale (Table 1): segments
    /// 0 and 1 cover 0..32 and 32..64 in steps of 2, segment k ≥ 1 covers
    /// 2^(k+4)..2^(k+5) in 16 steps; value at the middle of the interval.
    fn alaw_table_value(code: u8) -> i32 {
        let line = code ^ 0x55; // even bits inverted on the line
        let positive = line & 0x80 != 0;
        let segment = i32::from((line >> 4) & 0x07);
        let interval = i32::from(line & 0x0F);
        let (start, end) = if segment == 0 {
            (0, 32)
        } else {
            (1 << (segment + 4), 1 << (segment + 5))
        };
        let width = (end - start) / 16;
        let magnitude = start + width * interval + width / 2;
        if positive { magnitude } else { -magnitude }
    }

    #[test]
    fn ulaw_decode_matches_g711_table_for_all_codes() {
        for code in 0..=255u8 {
            let expected = ulaw_table_value(code) * 4; // 14-bit -> 16-bit
            assert_eq!(
                i32::from(ulaw_to_linear(code)),
                expected,
                "code {code:#04x}"
            );
        }
    }

    #[test]
    fn alaw_decode_matches_g711_table_for_all_codes() {
        for code in 0..=255u8 {
            let expected = alaw_table_value(code) * 8; // 13-bit -> 16-bit
            assert_eq!(
                i32::from(alaw_to_linear(code)),
                expected,
                "code {code:#04x}"
            );
        }
    }

    #[test]
    fn known_points() {
        assert_eq!(ulaw_to_linear(0xFF), 0);
        assert_eq!(ulaw_to_linear(0x7F), 0);
        assert_eq!(ulaw_to_linear(0x00), -32124);
        assert_eq!(ulaw_to_linear(0x80), 32124);
        assert_eq!(alaw_to_linear(0xD5), 8);
        assert_eq!(alaw_to_linear(0x55), -8);
        assert_eq!(alaw_to_linear(0xAA), 32256);
        assert_eq!(alaw_to_linear(0x2A), -32256);
        assert_eq!(linear_to_ulaw(0), 0xFF);
        assert_eq!(linear_to_alaw(0), 0xD5);
        assert_eq!(linear_to_alaw(-1), 0x55);
        assert_eq!(linear_to_ulaw(i16::MAX), 0x80);
        assert_eq!(linear_to_ulaw(i16::MIN), 0x00);
        assert_eq!(linear_to_alaw(i16::MAX), 0xAA);
        assert_eq!(linear_to_alaw(i16::MIN), 0x2A);
    }

    #[test]
    fn encoding_a_decoded_code_gives_the_code_back() {
        for code in 0..=255u8 {
            // μ-law has two zeros (0xFF = +0, 0x7F = -0); both decode to 0.
            if code != 0x7F {
                assert_eq!(linear_to_ulaw(ulaw_to_linear(code)), code, "μ {code:#04x}");
            }
            assert_eq!(linear_to_alaw(alaw_to_linear(code)), code, "A {code:#04x}");
        }
    }

    /// Half the quantisation interval width around `decoded`, in 16-bit units.
    fn half_interval(law: G711Law, decoded: i16) -> i32 {
        let m = i32::from(decoded).abs();
        let mut width = match law {
            G711Law::Ulaw => 8,
            G711Law::Alaw => 16,
        };
        let mut top = match law {
            G711Law::Ulaw => 31 * 4,
            G711Law::Alaw => 64 * 8,
        };
        while m > top {
            width *= 2;
            top = top * 2 + if law == G711Law::Ulaw { 33 * 4 } else { 0 };
        }
        width / 2
    }

    #[test]
    fn round_trip_error_is_within_half_an_interval_for_every_sample() {
        for law in [G711Law::Ulaw, G711Law::Alaw] {
            let (clip, lsb) = match law {
                G711Law::Ulaw => (32124, 4),
                G711Law::Alaw => (32256, 8),
            };
            for s in i16::MIN..=i16::MAX {
                let mut code = [0u8];
                let mut back = [0i16];
                law.encode(&[s], &mut code);
                law.decode(&code, &mut back);
                let err = (i32::from(back[0]) - i32::from(s)).abs();
                let beyond_clip = (i32::from(s).abs() - clip).max(0);
                // half an interval, plus the bits below G.711's resolution
                let bound = half_interval(law, back[0]) + lsb + beyond_clip;
                assert!(
                    err <= bound,
                    "{law:?} {s} -> {} err {err} > {bound}",
                    back[0]
                );
            }
        }
    }

    #[test]
    fn slice_helpers_stop_at_the_shorter_buffer() {
        let pcm = [0i16, 1000, -1000, 20000];
        let mut codes = [0u8; 3];
        assert_eq!(G711Law::Ulaw.encode(&pcm, &mut codes), 3);
        let mut back = [0i16; 8];
        assert_eq!(G711Law::Ulaw.decode(&codes, &mut back), 3);
        assert_eq!(back[0], 0);
        assert!((i32::from(back[1]) - 1000).abs() <= 32);
        assert!((i32::from(back[2]) + 1000).abs() <= 32);
        assert_eq!(G711Law::Alaw.silence_code(), linear_to_alaw(0));
    }
}
