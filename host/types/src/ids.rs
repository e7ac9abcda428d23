//! Identifiers shared by the call engine, the media engine and the binary.

use std::fmt;

/// A channel (one SIP leg) in the call engine. Allocated by the engine from a
/// counter; never reused while the engine lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChannelId(pub u64);

impl ChannelId {
    /// The media leg of this channel (one RTP stream per channel).
    pub fn leg(self) -> LegId {
        LegId(self.0)
    }
}

impl fmt::Display for ChannelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ch{}", self.0)
    }
}

/// A media leg (one RTP/RTCP socket pair) in the media engine. The call
/// engine uses its channel's number, so `ChannelId(n).leg() == LegId(n)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LegId(pub u64);

impl LegId {
    /// The channel this leg belongs to.
    pub fn channel(self) -> ChannelId {
        ChannelId(self.0)
    }
}

impl fmt::Display for LegId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "leg{}", self.0)
    }
}

/// A random (version 4) UUID as FreeSWITCH prints channel uuids:
/// `8bd920e6-6436-1240-1cb0-ba2a4dc25e74` style, lowercase hex.
///
/// The bytes come from an injected random source; this type only fixes the
/// version and variant bits (RFC 9562 §5.4) and formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uuid([u8; 16]);

impl Uuid {
    /// A version 4 UUID from 16 random bytes.
    pub fn from_random_bytes(mut bytes: [u8; 16]) -> Self {
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        Self(bytes)
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, byte) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_prints_version_4_layout() {
        let uuid = Uuid::from_random_bytes([0xff; 16]);
        let text = uuid.to_string();
        assert_eq!(text, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        let zero = Uuid::from_random_bytes([0; 16]).to_string();
        assert_eq!(zero, "00000000-0000-4000-8000-000000000000");
    }

    #[test]
    fn channel_and_leg_share_numbers() {
        assert_eq!(ChannelId(7).leg(), LegId(7));
        assert_eq!(LegId(7).channel(), ChannelId(7));
    }
}
