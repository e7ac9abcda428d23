//! RTP packets (RFC 3550 §5.1) through `rtp-types`: a plain header value,
//! parse, and write into a caller's buffer without allocating.

use rtp_types::{RtpPacket, RtpPacketBuilder};

/// Why a datagram is not an RTP packet we can use, or could not be written.
#[derive(Debug, thiserror::Error)]
pub enum RtpError {
    /// Too short, wrong version, bad padding or extension length.
    #[error("malformed RTP: {0}")]
    Malformed(#[from] rtp_types::RtpParseError),
    /// Building failed (buffer too small, bad payload type).
    #[error("cannot write RTP: {0}")]
    Write(#[from] rtp_types::RtpWriteError),
}

/// The RTP header fields the switch works with (no CSRCs or extensions:
/// those are parsed past and never generated).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpHeader {
    /// Payload type (7 bits).
    pub payload_type: u8,
    /// Marker bit: first packet of a talkspurt or of a DTMF event.
    pub marker: bool,
    /// Sequence number.
    pub sequence: u16,
    /// Timestamp in the payload's clock.
    pub timestamp: u32,
    /// Synchronisation source.
    pub ssrc: u32,
}

/// Size of a header without CSRCs or extension.
pub const HEADER_LEN: usize = 12;

/// Parses an RTP packet into its header and payload (padding removed).
pub fn parse(data: &[u8]) -> Result<(RtpHeader, &[u8]), RtpError> {
    let packet = RtpPacket::parse(data)?;
    let header = RtpHeader {
        payload_type: packet.payload_type(),
        marker: packet.marker_bit(),
        sequence: packet.sequence_number(),
        timestamp: packet.timestamp(),
        ssrc: packet.ssrc(),
    };
    let start = packet.payload_offset();
    let end = start + packet.payload_len();
    // `rtp-types` validated these bounds; `get` keeps it panic-free regardless.
    let payload = data.get(start..end).unwrap_or_default();
    Ok((header, payload))
}

/// Writes `header` and `payload` into `buf`; returns the packet length.
pub fn write(header: &RtpHeader, payload: &[u8], buf: &mut [u8]) -> Result<usize, RtpError> {
    let builder = RtpPacketBuilder::<&[u8], &[u8]>::new()
        .payload_type(header.payload_type)
        .marker_bit(header.marker)
        .sequence_number(header.sequence)
        .timestamp(header.timestamp)
        .ssrc(header.ssrc)
        .payload(payload);
    Ok(builder.write_into(buf)?)
}

/// Whether a datagram on an RTP port is RTCP rather than RTP (RFC 5761 §4:
/// RTCP packet types 192-223 fall where RTP's marker + payload type would be).
pub fn is_rtcp(data: &[u8]) -> bool {
    data.get(1).is_some_and(|b| (192..=223).contains(b))
}

/// Whether sequence number `a` comes after `b`, modulo 2^16 (RFC 3550 A.1).
pub fn sequence_after(a: u16, b: u16) -> bool {
    a != b && a.wrapping_sub(b) < 0x8000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_then_parse() {
        let header = RtpHeader {
            payload_type: 0,
            marker: true,
            sequence: 65535,
            timestamp: 0xDEAD_BEEF,
            ssrc: 0x1234_5678,
        };
        let mut buf = [0u8; 200];
        let n = write(&header, &[0xFF; 160], &mut buf).unwrap();
        assert_eq!(n, HEADER_LEN + 160);
        assert_eq!(&buf[..4], &[0x80, 0x80, 0xFF, 0xFF]);
        let (parsed, payload) = parse(&buf[..n]).unwrap();
        assert_eq!(parsed, header);
        assert_eq!(payload, &[0xFF; 160][..]);
    }

    #[test]
    fn parses_csrcs_extension_and_padding() {
        // V=2 P=1 X=1 CC=1, PT 8, seq 7, ts 160, ssrc 1, csrc 2, ext (1 word), payload 2 bytes, pad 2
        let data = [
            0xB1, 0x08, 0x00, 0x07, 0x00, 0x00, 0x00, 0xA0, 0, 0, 0, 1, 0, 0, 0, 2, 0xBE, 0xDE,
            0x00, 0x01, 1, 2, 3, 4, 0xAA, 0xBB, 0x00, 0x02,
        ];
        let (header, payload) = parse(&data).unwrap();
        assert_eq!(
            (header.payload_type, header.sequence, header.timestamp),
            (8, 7, 160)
        );
        assert_eq!(payload, &[0xAA, 0xBB]);
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(parse(&[]).is_err());
        assert!(parse(&[0x80; 11]).is_err());
        assert!(parse(&[0x40; 12]).is_err()); // version 1
        let mut padded = [0u8; 13];
        padded[0] = 0xA0;
        padded[12] = 9; // padding longer than the packet
        assert!(parse(&padded).is_err());
        let mut small = [0u8; 20];
        let header = RtpHeader {
            payload_type: 0,
            marker: false,
            sequence: 0,
            timestamp: 0,
            ssrc: 0,
        };
        assert!(write(&header, &[0; 160], &mut small).is_err());
    }

    #[test]
    fn rtcp_demultiplexing_and_sequence_order() {
        assert!(is_rtcp(&[0x80, 200, 0, 6]));
        assert!(!is_rtcp(&[0x80, 0, 0, 6]));
        assert!(!is_rtcp(&[0x80, 0x80 | 101]));
        assert!(!is_rtcp(&[0x80]));
        assert!(sequence_after(1, 0));
        assert!(sequence_after(0, 65535));
        assert!(!sequence_after(65535, 0));
        assert!(!sequence_after(5, 5));
    }
}
