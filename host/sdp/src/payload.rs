//! RTP payload formats of an m-line: static assignments (RFC 3551 §6) and
//! dynamic ones described by `a=rtpmap`/`a=fmtp`.

use crate::codec::CodecName;

/// The `telephone-event` encoding name (RFC 4733 §7.1.1).
pub const TELEPHONE_EVENT: &str = "telephone-event";

/// The events we accept and advertise: DTMF 0-9, *, #, A-D (RFC 4733 §3.2).
pub const TELEPHONE_EVENT_FMTP: &str = "0-15";

/// One payload format offered or answered on an m-line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadFormat {
    /// The RTP payload type number (0-127).
    pub payload_type: u8,
    /// Encoding name from `a=rtpmap` or the static table; empty when a dynamic
    /// type has no `a=rtpmap` (such a format never matches a codec).
    pub encoding: String,
    /// RTP clock rate; 0 when unknown.
    pub clock_rate: u32,
    /// Channel count (the optional third rtpmap field, default 1).
    pub channels: u8,
    /// `a=fmtp` parameters, verbatim.
    pub fmtp: Option<String>,
}

impl PayloadFormat {
    /// A format with an explicit rtpmap.
    pub fn new(payload_type: u8, encoding: &str, clock_rate: u32, channels: u8) -> Self {
        Self {
            payload_type,
            encoding: encoding.to_owned(),
            clock_rate,
            channels,
            fmtp: None,
        }
    }

    /// The format for `codec` on payload type `payload_type`.
    pub fn for_codec(codec: CodecName, payload_type: u8) -> Self {
        Self {
            fmtp: codec.default_fmtp().map(str::to_owned),
            ..Self::new(
                payload_type,
                codec.encoding_name(),
                codec.rtp_clock_rate(),
                codec.sdp_channels(),
            )
        }
    }

    /// A `telephone-event` format at `clock_rate` advertising DTMF events 0-15.
    pub fn telephone_event(payload_type: u8, clock_rate: u32) -> Self {
        Self {
            fmtp: Some(TELEPHONE_EVENT_FMTP.to_owned()),
            ..Self::new(payload_type, TELEPHONE_EVENT, clock_rate, 1)
        }
    }

    /// What a payload type number means when no `a=rtpmap` describes it:
    /// the RFC 3551 §6 static table, or an unknown dynamic type.
    pub fn from_static(payload_type: u8) -> Self {
        match static_payload(payload_type) {
            Some((name, rate, channels)) => Self::new(payload_type, name, rate, channels),
            None => Self::new(payload_type, "", 0, 1),
        }
    }

    /// The codec this format carries, if it is one witswitch implements.
    pub fn codec(&self) -> Option<CodecName> {
        CodecName::ALL
            .into_iter()
            .find(|c| c.matches(&self.encoding, self.clock_rate, self.channels))
    }

    /// Whether this is RFC 4733 `telephone-event`.
    pub fn is_telephone_event(&self) -> bool {
        self.encoding.eq_ignore_ascii_case(TELEPHONE_EVENT)
    }

    /// The `a=rtpmap` value (`<pt> <name>/<rate>[/<channels>]`), or `None` when
    /// the encoding is unknown.
    pub fn rtpmap_value(&self) -> Option<String> {
        if self.encoding.is_empty() {
            return None;
        }
        let mut value = format!(
            "{} {}/{}",
            self.payload_type, self.encoding, self.clock_rate
        );
        if self.channels > 1 {
            value.push_str(&format!("/{}", self.channels));
        }
        Some(value)
    }
}

/// RFC 3551 §6 Table 4 (audio): static payload types that need no rtpmap.
fn static_payload(payload_type: u8) -> Option<(&'static str, u32, u8)> {
    Some(match payload_type {
        0 => ("PCMU", 8000, 1),
        3 => ("GSM", 8000, 1),
        4 => ("G723", 8000, 1),
        5 => ("DVI4", 8000, 1),
        6 => ("DVI4", 16000, 1),
        7 => ("LPC", 8000, 1),
        8 => ("PCMA", 8000, 1),
        9 => ("G722", 8000, 1),
        10 => ("L16", 44100, 2),
        11 => ("L16", 44100, 1),
        12 => ("QCELP", 8000, 1),
        13 => ("CN", 8000, 1),
        14 => ("MPA", 90000, 1),
        15 => ("G728", 8000, 1),
        16 => ("DVI4", 11025, 1),
        17 => ("DVI4", 22050, 1),
        18 => ("G729", 8000, 1),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_types_resolve_without_rtpmap() {
        assert_eq!(PayloadFormat::from_static(0).codec(), Some(CodecName::Pcmu));
        assert_eq!(PayloadFormat::from_static(8).codec(), Some(CodecName::Pcma));
        assert_eq!(PayloadFormat::from_static(9).codec(), Some(CodecName::G722));
        assert_eq!(PayloadFormat::from_static(18).encoding, "G729");
        assert_eq!(PayloadFormat::from_static(18).codec(), None);
        let unknown = PayloadFormat::from_static(97);
        assert_eq!(unknown.codec(), None);
        assert_eq!(unknown.rtpmap_value(), None);
    }

    #[test]
    fn rtpmap_values() {
        let opus = PayloadFormat::for_codec(CodecName::Opus, 111);
        assert_eq!(opus.rtpmap_value().as_deref(), Some("111 opus/48000/2"));
        assert_eq!(opus.fmtp.as_deref(), Some("useinbandfec=1"));
        let te = PayloadFormat::telephone_event(101, 8000);
        assert!(te.is_telephone_event());
        assert_eq!(
            te.rtpmap_value().as_deref(),
            Some("101 telephone-event/8000")
        );
    }
}
