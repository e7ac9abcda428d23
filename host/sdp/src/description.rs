//! A typed view of an SDP session description (RFC 4566 / RFC 8866) for
//! audio calls, parsed and printed through the `sdp-types` crate.
//!
//! The view keeps what offer/answer needs (connection addresses, payload
//! formats with rtpmap/fmtp, ptime, direction) and carries every other
//! attribute along verbatim so that printing a parsed description loses
//! nothing a peer could care about.

use std::net::{IpAddr, SocketAddr};

use crate::direction::Direction;
use crate::payload::PayloadFormat;

/// Why a session description could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SdpError {
    /// The text is not SDP (structure, line syntax, numbers).
    #[error("malformed SDP: {0}")]
    Syntax(#[from] sdp_types::ParserError),
    /// An RTP m-line lists a format that is not a payload type 0-127.
    #[error("bad payload type {0:?} in m-line")]
    BadPayloadType(String),
    /// A `c=` address that is not an IP address.
    #[error("bad connection address {0:?}")]
    BadAddress(String),
    /// A known attribute (rtpmap, fmtp, ptime, maxptime, rtcp) with an unreadable value.
    #[error("bad a={name} value {value:?}")]
    BadAttribute {
        /// Attribute name.
        name: &'static str,
        /// Its value as received.
        value: String,
    },
}

/// The `o=` line (RFC 4566 §5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// User name (`-` when none).
    pub username: String,
    /// Session id, numeric text chosen by the creator.
    pub session_id: String,
    /// Session version; RFC 3264 §8 wants it increased on every changed offer.
    pub version: u64,
    /// The creator's address as written.
    pub address: String,
}

/// One `m=` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaDescription {
    /// Media type: `audio`, `video`, `image`, ...
    pub kind: String,
    /// Transport port; 0 means the stream is rejected or disabled (RFC 3264 §6).
    pub port: u16,
    /// Transport protocol, e.g. `RTP/AVP`.
    pub protocol: String,
    /// The format list exactly as written in the m-line.
    pub fmt: String,
    /// The payload formats of an RTP m-line, in m-line order (empty for non-RTP).
    pub formats: Vec<PayloadFormat>,
    /// Media-level `c=` address, if present.
    pub connection: Option<IpAddr>,
    /// `a=ptime` in ms.
    pub ptime: Option<u32>,
    /// `a=maxptime` in ms.
    pub maxptime: Option<u32>,
    /// Media-level direction attribute, if written.
    pub direction: Option<Direction>,
    /// `a=rtcp` port (RFC 3605), if written.
    pub rtcp_port: Option<u16>,
    /// Every other attribute, in order, verbatim.
    pub other_attributes: Vec<(String, Option<String>)>,
}

/// A parsed session description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDescription {
    /// The `o=` line.
    pub origin: Origin,
    /// The `s=` line.
    pub session_name: String,
    /// Session-level `c=` address.
    pub connection: Option<IpAddr>,
    /// Session-level direction attribute (applies to media without their own).
    pub direction: Option<Direction>,
    /// Other session-level attributes, verbatim.
    pub other_attributes: Vec<(String, Option<String>)>,
    /// The m-lines, in order (their order is what offer/answer pairs up).
    pub media: Vec<MediaDescription>,
}

impl MediaDescription {
    /// Whether this is an audio m-line.
    pub fn is_audio(&self) -> bool {
        self.kind.eq_ignore_ascii_case("audio")
    }

    /// Whether the transport is plain (unencrypted) RTP: `RTP/AVP` or `RTP/AVPF`.
    pub fn is_plain_rtp(&self) -> bool {
        self.protocol.eq_ignore_ascii_case("RTP/AVP")
            || self.protocol.eq_ignore_ascii_case("RTP/AVPF")
    }

    fn is_rtp(&self) -> bool {
        self.protocol.to_ascii_uppercase().contains("RTP/")
    }

    /// The format with payload type `pt`.
    pub fn format(&self, pt: u8) -> Option<&PayloadFormat> {
        self.formats.iter().find(|f| f.payload_type == pt)
    }

    /// The `telephone-event` format to use next to a codec running at
    /// `clock_rate`: the one at that rate, else any (RFC 4733 §7.1.1 wants
    /// them equal, but peers offering only the 8 kHz one with Opus exist).
    pub fn telephone_event(&self, clock_rate: u32) -> Option<&PayloadFormat> {
        let mut events = self.formats.iter().filter(|f| f.is_telephone_event());
        let first = events.clone().next();
        events.find(|f| f.clock_rate == clock_rate).or(first)
    }
}

impl SessionDescription {
    /// Parses SDP text.
    pub fn parse(data: &[u8]) -> Result<Self, SdpError> {
        let session = sdp_types::Session::parse(data)?;
        Self::from_sdp_types(&session)
    }

    /// Converts from the `sdp-types` model.
    pub fn from_sdp_types(session: &sdp_types::Session) -> Result<Self, SdpError> {
        let mut direction = None;
        let mut other_attributes = Vec::new();
        for attribute in &session.attributes {
            match attribute.attribute.parse::<Direction>() {
                Ok(d) if attribute.value.is_none() => direction = Some(d),
                _ => other_attributes.push((attribute.attribute.clone(), attribute.value.clone())),
            }
        }
        Ok(Self {
            origin: Origin {
                username: session
                    .origin
                    .username
                    .clone()
                    .unwrap_or_else(|| "-".to_owned()),
                session_id: session.origin.sess_id.clone(),
                version: session.origin.sess_version,
                address: session.origin.unicast_address.clone(),
            },
            session_name: session.session_name.clone(),
            connection: session
                .connection
                .as_ref()
                .map(parse_connection)
                .transpose()?,
            direction,
            other_attributes,
            media: session
                .medias
                .iter()
                .map(parse_media)
                .collect::<Result<_, _>>()?,
        })
    }

    /// The first audio m-line that is not disabled (port ≠ 0), with its index.
    pub fn audio(&self) -> Option<(usize, &MediaDescription)> {
        self.media
            .iter()
            .enumerate()
            .find(|(_, m)| m.is_audio() && m.port != 0)
    }

    /// Where to send a stream's RTP: its `c=` (or the session's) and its port.
    /// `None` when no address is given.
    pub fn media_address(&self, media: &MediaDescription) -> Option<SocketAddr> {
        let ip = media.connection.or(self.connection)?;
        Some(SocketAddr::new(ip, media.port))
    }

    /// The effective direction of a stream: its own attribute, else the
    /// session's, else sendrecv (RFC 4566 §6). An RFC 2543-style hold
    /// (`c=0.0.0.0`) counts as sendonly: that peer will not receive.
    pub fn media_direction(&self, media: &MediaDescription) -> Direction {
        let declared = media.direction.or(self.direction).unwrap_or_default();
        let zero_address = media
            .connection
            .or(self.connection)
            .is_some_and(|ip| ip.is_unspecified());
        match (declared, zero_address) {
            (Direction::SendRecv, true) => Direction::SendOnly,
            (Direction::RecvOnly, true) => Direction::Inactive,
            (d, _) => d,
        }
    }

    /// Whether the peer is holding this stream (sendonly, inactive, or c=0.0.0.0).
    pub fn is_hold(&self, media: &MediaDescription) -> bool {
        !self.media_direction(media).receives()
    }

    /// Prints the description as SDP text (CRLF line ends).
    pub fn to_bytes(&self) -> Vec<u8> {
        crate::write::to_bytes(self)
    }
}

impl std::fmt::Display for SessionDescription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.to_bytes()))
    }
}

fn parse_connection(connection: &sdp_types::Connection) -> Result<IpAddr, SdpError> {
    connection
        .try_address()
        .map(|a| a.ip)
        .map_err(|_| SdpError::BadAddress(connection.connection_address.clone()))
}

fn parse_number<T: std::str::FromStr>(
    name: &'static str,
    value: Option<&str>,
) -> Result<T, SdpError> {
    let text = value.unwrap_or_default().trim();
    text.parse().map_err(|_| SdpError::BadAttribute {
        name,
        value: text.to_owned(),
    })
}

fn parse_media(media: &sdp_types::Media) -> Result<MediaDescription, SdpError> {
    let mut out = MediaDescription {
        kind: media.media.clone(),
        port: media.port,
        protocol: media.proto.clone(),
        fmt: media.fmt.clone(),
        formats: Vec::new(),
        connection: media
            .connections
            .first()
            .map(parse_connection)
            .transpose()?,
        ptime: None,
        maxptime: None,
        direction: None,
        rtcp_port: None,
        other_attributes: Vec::new(),
    };
    if out.is_rtp() {
        for pt in media.fmt.split_ascii_whitespace() {
            let number = pt
                .parse::<u8>()
                .ok()
                .filter(|n| *n < 128)
                .ok_or_else(|| SdpError::BadPayloadType(pt.to_owned()))?;
            if out.format(number).is_none() {
                out.formats.push(PayloadFormat::from_static(number));
            }
        }
    }
    for attribute in &media.attributes {
        apply_media_attribute(&mut out, &attribute.attribute, attribute.value.as_deref())?;
    }
    Ok(out)
}

fn apply_media_attribute(
    out: &mut MediaDescription,
    name: &str,
    value: Option<&str>,
) -> Result<(), SdpError> {
    let bad = |name: &'static str| SdpError::BadAttribute {
        name,
        value: value.unwrap_or_default().to_owned(),
    };
    match name.to_ascii_lowercase().as_str() {
        "rtpmap" if out.is_rtp() => {
            let map: sdp_types::RtpMap = value
                .unwrap_or_default()
                .parse()
                .map_err(|_| bad("rtpmap"))?;
            let channels = match map.encoding_params.as_deref() {
                None => 1,
                Some(text) => text.trim().parse().map_err(|_| bad("rtpmap"))?,
            };
            // An rtpmap for a type not in the m-line is ignored (RFC 4566 §6).
            if let Some(format) = out
                .formats
                .iter_mut()
                .find(|f| f.payload_type == map.payload_type)
            {
                format.encoding = map.encoding_name;
                format.clock_rate = map.clock_rate;
                format.channels = channels;
            }
        }
        "fmtp" if out.is_rtp() => {
            let text = value.unwrap_or_default().trim_start();
            let (pt, params) = text.split_once(' ').ok_or_else(|| bad("fmtp"))?;
            let pt: u8 = pt.parse().map_err(|_| bad("fmtp"))?;
            if let Some(format) = out.formats.iter_mut().find(|f| f.payload_type == pt) {
                format.fmtp = Some(params.trim().to_owned());
            }
        }
        "ptime" => out.ptime = Some(parse_number("ptime", value)?),
        "maxptime" => out.maxptime = Some(parse_number("maxptime", value)?),
        "rtcp" => {
            let port = value.unwrap_or_default().split_ascii_whitespace().next();
            out.rtcp_port = Some(parse_number("rtcp", port)?);
        }
        other => match other.parse::<Direction>() {
            Ok(direction) if value.is_none() => out.direction = Some(direction),
            _ => out
                .other_attributes
                .push((name.to_owned(), value.map(str::to_owned))),
        },
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFER: &str = "v=0\r\n\
        o=sipp 53655765 2353687637 IN IP4 127.0.0.1\r\n\
        s=sipp\r\n\
        c=IN IP4 127.0.0.1\r\n\
        t=0 0\r\n\
        m=audio 20600 RTP/AVP 0 8 101\r\n\
        a=rtpmap:0 PCMU/8000\r\n\
        a=rtpmap:8 PCMA/8000\r\n\
        a=rtpmap:101 telephone-event/8000\r\n\
        a=fmtp:101 0-16\r\n\
        a=ptime:20\r\n\
        a=sendrecv\r\n";

    #[test]
    fn parses_a_sipp_offer() {
        let sdp = SessionDescription::parse(OFFER.as_bytes()).unwrap();
        assert_eq!(sdp.origin.username, "sipp");
        assert_eq!(sdp.origin.version, 2353687637);
        let (index, audio) = sdp.audio().unwrap();
        assert_eq!(index, 0);
        assert_eq!(
            sdp.media_address(audio),
            Some("127.0.0.1:20600".parse().unwrap())
        );
        let pts: Vec<u8> = audio.formats.iter().map(|f| f.payload_type).collect();
        assert_eq!(pts, vec![0, 8, 101]);
        let te = audio.telephone_event(8000).unwrap();
        assert_eq!((te.payload_type, te.fmtp.as_deref()), (101, Some("0-16")));
        assert_eq!(audio.ptime, Some(20));
        assert_eq!(audio.direction, Some(Direction::SendRecv));
        assert!(!sdp.is_hold(audio));
    }

    #[test]
    fn print_then_parse_is_identity() {
        let sdp = SessionDescription::parse(OFFER.as_bytes()).unwrap();
        let printed = sdp.to_bytes();
        assert_eq!(SessionDescription::parse(&printed).unwrap(), sdp);
        assert_eq!(String::from_utf8(printed).unwrap(), OFFER);
    }

    #[test]
    fn hold_forms() {
        let old_style = OFFER.replace("c=IN IP4 127.0.0.1", "c=IN IP4 0.0.0.0");
        let sdp = SessionDescription::parse(old_style.as_bytes()).unwrap();
        let (_, audio) = sdp.audio().unwrap();
        assert_eq!(sdp.media_direction(audio), Direction::SendOnly);
        assert!(sdp.is_hold(audio));

        let session_level = OFFER
            .replace("a=sendrecv\r\n", "")
            .replace("t=0 0\r\n", "t=0 0\r\na=inactive\r\n");
        let sdp = SessionDescription::parse(session_level.as_bytes()).unwrap();
        let (_, audio) = sdp.audio().unwrap();
        assert_eq!(audio.direction, None);
        assert_eq!(sdp.media_direction(audio), Direction::Inactive);
    }

    #[test]
    fn keeps_unknown_attributes_and_media() {
        let text = format!(
            "{OFFER}a=rtcp:20601 IN IP4 127.0.0.1\r\na=x-custom:1\r\n\
             m=video 0 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n\
             m=image 4000 udptl t38\r\n"
        );
        let sdp = SessionDescription::parse(text.as_bytes()).unwrap();
        assert_eq!(sdp.media.len(), 3);
        assert_eq!(sdp.media[0].rtcp_port, Some(20601));
        assert_eq!(
            sdp.media[0].other_attributes,
            vec![("x-custom".into(), Some("1".into()))]
        );
        assert_eq!(sdp.media[1].format(96).unwrap().encoding, "VP8");
        assert!(sdp.media[2].formats.is_empty());
        assert_eq!(sdp.media[2].fmt, "t38");
        assert_eq!(SessionDescription::parse(&sdp.to_bytes()).unwrap(), sdp);
    }

    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        let cases: &[&[u8]] = &[
            b"",
            b"v=1\r\n",
            b"garbage",
            b"v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 not-an-ip\r\nt=0 0\r\n",
            b"v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP 300\r\n",
            b"v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP x\r\n",
            b"v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP 0\r\na=rtpmap:0\r\n",
            b"v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP 0\r\na=ptime:x\r\n",
            b"v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP 0\r\na=fmtp:0\r\n",
            b"v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP 97\r\na=rtpmap:97 X/8000/zz\r\n",
        ];
        for case in cases {
            assert!(
                SessionDescription::parse(case).is_err(),
                "{:?}",
                String::from_utf8_lossy(case)
            );
        }
    }

    #[test]
    fn every_prefix_of_a_valid_offer_parses_or_fails_cleanly() {
        for end in 0..OFFER.len() {
            let _ = SessionDescription::parse(&OFFER.as_bytes()[..end]);
        }
    }
}
