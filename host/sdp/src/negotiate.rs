//! SDP offer/answer for one audio stream (RFC 3264).
//!
//! - [`answer_offer`]: an INVITE (or re-INVITE) brought an offer; pick one
//!   codec, keep the offerer's payload type numbers, add `telephone-event`
//!   if offered, answer the direction per §6.1, reject other m-lines with
//!   port 0 (§6). Nothing usable is a [`NegotiationError`] (→ 488).
//! - [`create_offer`]: outbound legs, and late offer (INVITE without SDP:
//!   we offer in the 200 and the peer answers in the ACK).
//! - [`accept_answer`]: read the answer to an offer we made.
//!
//! Codec choice follows [`CodecPolicy`]: by default our preference list
//! wins ("greedy" in FreeSWITCH's `inbound-codec-negotiation`); `Generous`
//! honours the offerer's order instead. The answer carries exactly one
//! codec (plus `telephone-event`), as FreeSWITCH does, so neither side can
//! switch codecs mid-stream without a new offer.

use std::net::{IpAddr, SocketAddr};

use crate::codec::{CodecName, CodecPrefs};
use crate::description::{MediaDescription, Origin, SessionDescription};
use crate::direction::Direction;
use crate::payload::PayloadFormat;

/// Packet time used when neither side asks for one (RFC 3551 §4.5 default for G.711).
pub const DEFAULT_PTIME: u32 = 20;

/// First dynamic payload type (RFC 3551 §6).
const FIRST_DYNAMIC_PT: u8 = 96;

/// Why offer/answer failed. For an incoming offer every variant means
/// "answer 488 Not Acceptable Here" with Q.850 cause 88
/// (INCOMPATIBLE_DESTINATION), as FreeSWITCH does; for an answer to our
/// offer the caller ends the call with the same cause.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NegotiationError {
    /// No audio m-line with a non-zero port.
    #[error("no audio stream offered")]
    NoAudio,
    /// Audio only over a transport we do not speak (e.g. RTP/SAVP).
    #[error("audio offered only over {0}, which is not supported")]
    UnsupportedTransport(String),
    /// No offered codec is in our preference list.
    #[error("no common codec; offered: {offered}")]
    NoCommonCodec {
        /// The offered encodings, for the log (`PCMU/8000 G729/8000`).
        offered: String,
    },
    /// An answer whose m-line count differs from our offer (RFC 3264 §6).
    #[error("answer has {answer} m-lines, offer had {offer}")]
    MediaCountMismatch {
        /// m-lines we offered.
        offer: usize,
        /// m-lines in the answer.
        answer: usize,
    },
    /// The answer set our audio stream's port to 0.
    #[error("the answer rejected the audio stream")]
    AudioRejected,
}

impl NegotiationError {
    /// The SIP response to send for an offer that failed this way.
    pub fn sip_status(&self) -> u16 {
        488
    }

    /// The Q.850 cause for the `Reason` header and the hangup: 88 INCOMPATIBLE_DESTINATION.
    pub fn q850_cause(&self) -> u8 {
        88
    }
}

/// Whose codec order wins when several codecs are common
/// (FreeSWITCH's `inbound-codec-negotiation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CodecPolicy {
    /// Our preference list decides ("greedy").
    #[default]
    Greedy,
    /// The offerer's m-line order decides ("generous").
    Generous,
}

/// What we bring to a negotiation: where our RTP lives and what we accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalMedia {
    /// Our RTP address for `c=`.
    pub address: IpAddr,
    /// Our RTP port for `m=`.
    pub port: u16,
    /// Codec preference list (e.g. the profile's `codec-prefs`).
    pub codecs: CodecPrefs,
    /// Whose order wins.
    pub policy: CodecPolicy,
    /// Payload type for `telephone-event/8000` in our offers (FreeSWITCH uses
    /// 101); `None` disables RFC 4733 in offers and answers.
    pub telephone_event_pt: Option<u8>,
    /// The direction we want: `SendRecv`, or `SendOnly`/`Inactive` to hold.
    pub direction: Direction,
}

impl LocalMedia {
    /// Local media with the defaults: greedy, telephone-event on PT 101, sendrecv.
    pub fn new(address: IpAddr, port: u16, codecs: CodecPrefs) -> Self {
        Self {
            address,
            port,
            codecs,
            policy: CodecPolicy::Greedy,
            telephone_event_pt: Some(101),
            direction: Direction::SendRecv,
        }
    }
}

/// Our `o=` line across a dialog: the session id stays, the version grows
/// by one for every new description we send (RFC 3264 §8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdpOrigin {
    /// `o=` user name and `s=` session name.
    pub username: String,
    /// Session id (injected randomness; numeric).
    pub session_id: u64,
    /// Version of the last description sent.
    pub version: u64,
    /// Our address for `o=`.
    pub address: IpAddr,
}

impl SdpOrigin {
    /// A new origin; the first description will carry `version = session_id + 1`
    /// (FreeSWITCH's habit; any start value is allowed).
    pub fn new(session_id: u64, address: IpAddr) -> Self {
        Self {
            username: "witswitch".to_owned(),
            session_id,
            version: session_id,
            address,
        }
    }

    /// The `o=` for the next new description, bumping the version.
    pub fn next_origin(&mut self) -> Origin {
        self.version = self.version.wrapping_add(1);
        Origin {
            username: self.username.clone(),
            session_id: self.session_id.to_string(),
            version: self.version,
            address: self.address.to_string(),
        }
    }
}

/// The outcome of offer/answer: everything the media engine needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NegotiatedMedia {
    /// Index of the audio m-line in both descriptions.
    pub media_index: usize,
    /// The codec both sides use.
    pub codec: CodecName,
    /// Its payload type on the wire (the offerer's number).
    pub payload_type: u8,
    /// The peer's `a=fmtp` for the codec (e.g. Opus parameters), if any.
    pub remote_fmtp: Option<String>,
    /// `telephone-event` payload type and clock rate, if both sides use RFC 4733.
    pub telephone_event: Option<(u8, u32)>,
    /// Packet time in ms.
    pub ptime: u32,
    /// Where to send RTP; `None` when the peer gave no usable address
    /// (hold with `c=0.0.0.0`, or no `c=`).
    pub remote_rtp: Option<SocketAddr>,
    /// Where to send RTCP: `a=rtcp` (RFC 3605) or the RTP port + 1.
    pub remote_rtcp: Option<SocketAddr>,
    /// Our direction: whether we send and whether we expect to receive.
    pub direction: Direction,
}

impl NegotiatedMedia {
    /// Samples per packet at the codec's PCM rate (160 for 20 ms G.711).
    pub fn samples_per_packet(&self) -> u32 {
        self.codec.pcm_sample_rate() / 1000 * self.ptime
    }
}

fn describe_offered(media: &MediaDescription) -> String {
    let names: Vec<String> = media
        .formats
        .iter()
        .map(|f| match f.encoding.is_empty() {
            true => f.payload_type.to_string(),
            false => format!("{}/{}", f.encoding, f.clock_rate),
        })
        .collect();
    names.join(" ")
}

/// The codec to use from `offered` formats, and the offered format carrying it.
fn choose_codec<'a>(
    local: &LocalMedia,
    offered: &'a MediaDescription,
) -> Option<(CodecName, &'a PayloadFormat)> {
    let usable = |f: &'a PayloadFormat| f.codec().map(|c| (c, f));
    match local.policy {
        CodecPolicy::Greedy => local.codecs.entries().iter().find_map(|pref| {
            offered
                .formats
                .iter()
                .filter_map(usable)
                .find(|(c, _)| *c == pref.codec)
        }),
        CodecPolicy::Generous => offered
            .formats
            .iter()
            .filter_map(usable)
            .find(|(c, _)| local.codecs.get(*c).is_some()),
    }
}

/// The offered ptime if the codec can do it, else our list's, else 20 ms.
fn choose_ptime(local: &LocalMedia, codec: CodecName, offered: Option<u32>) -> u32 {
    offered
        .filter(|p| codec.supports_ptime(*p))
        .or_else(|| local.codecs.get(codec).and_then(|p| p.ptime))
        .unwrap_or(DEFAULT_PTIME)
}

fn remote_addresses(
    sdp: &SessionDescription,
    media: &MediaDescription,
) -> (Option<SocketAddr>, Option<SocketAddr>) {
    let rtp = sdp
        .media_address(media)
        .filter(|a| !a.ip().is_unspecified() && a.port() != 0);
    let rtcp = rtp.map(|a| {
        let port = media.rtcp_port.unwrap_or_else(|| a.port().wrapping_add(1));
        SocketAddr::new(a.ip(), port)
    });
    (rtp, rtcp)
}

/// Finds the audio m-line to accept, or says why there is none.
fn pick_audio_stream(
    local: &LocalMedia,
    offer: &SessionDescription,
) -> Result<(usize, CodecName, PayloadFormat), NegotiationError> {
    let mut first_error = NegotiationError::NoAudio;
    for (index, media) in offer.media.iter().enumerate() {
        if !media.is_audio() || media.port == 0 {
            continue;
        }
        if !media.is_plain_rtp() {
            if first_error == NegotiationError::NoAudio {
                first_error = NegotiationError::UnsupportedTransport(media.protocol.clone());
            }
            continue;
        }
        match choose_codec(local, media) {
            Some((codec, format)) => return Ok((index, codec, format.clone())),
            None if !matches!(first_error, NegotiationError::NoCommonCodec { .. }) => {
                first_error = NegotiationError::NoCommonCodec {
                    offered: describe_offered(media),
                };
            }
            None => {}
        }
    }
    Err(first_error)
}

/// A copy of an offered m-line with port 0: how an answer declines a
/// stream (RFC 3264 §6). The format list is kept so the line stays valid.
fn rejected(media: &MediaDescription) -> MediaDescription {
    MediaDescription {
        port: 0,
        formats: Vec::new(),
        connection: None,
        ptime: None,
        maxptime: None,
        direction: None,
        rtcp_port: None,
        other_attributes: Vec::new(),
        ..media.clone()
    }
}

/// The answer's audio m-line: the chosen codec under the offerer's number
/// (RFC 3264 §6.1), then telephone-event, ptime and a non-default direction.
fn answer_media(
    local: &LocalMedia,
    offered: &MediaDescription,
    chosen: &NegotiatedMedia,
) -> MediaDescription {
    let mut formats = vec![PayloadFormat::for_codec(chosen.codec, chosen.payload_type)];
    if let Some((pt, rate)) = chosen.telephone_event {
        formats.push(PayloadFormat::telephone_event(pt, rate));
    }
    let fmt = formats
        .iter()
        .map(|f| f.payload_type.to_string())
        .collect::<Vec<_>>()
        .join(" ");
    MediaDescription {
        kind: offered.kind.clone(),
        port: local.port,
        protocol: offered.protocol.clone(),
        fmt,
        formats,
        connection: None,
        ptime: Some(chosen.ptime),
        maxptime: None,
        // sendrecv is the default; FreeSWITCH leaves it out of answers too.
        direction: (chosen.direction != Direction::SendRecv).then_some(chosen.direction),
        rtcp_port: None,
        other_attributes: Vec::new(),
    }
}

/// Answers `offer` (RFC 3264 §6). Returns the answer to send and the
/// negotiated media, or why the offer must be refused with 488.
pub fn answer_offer(
    local: &LocalMedia,
    origin: &mut SdpOrigin,
    offer: &SessionDescription,
) -> Result<(SessionDescription, NegotiatedMedia), NegotiationError> {
    let (index, codec, format) = pick_audio_stream(local, offer)?;
    let offered = &offer.media[index];
    let telephone_event = local
        .telephone_event_pt
        .and(offered.telephone_event(codec.rtp_clock_rate()))
        .map(|te| (te.payload_type, te.clock_rate));
    let (remote_rtp, remote_rtcp) = remote_addresses(offer, offered);
    let negotiated = NegotiatedMedia {
        media_index: index,
        codec,
        payload_type: format.payload_type,
        remote_fmtp: format.fmtp.clone(),
        telephone_event,
        ptime: choose_ptime(local, codec, offered.ptime),
        remote_rtp,
        remote_rtcp,
        direction: Direction::answer_to(offer.media_direction(offered), local.direction),
    };
    let media = offer
        .media
        .iter()
        .enumerate()
        .map(|(i, m)| match i == index {
            true => answer_media(local, m, &negotiated),
            false => rejected(m),
        })
        .collect();
    let answer = SessionDescription {
        session_name: origin.username.clone(),
        origin: origin.next_origin(),
        connection: Some(local.address),
        direction: None,
        other_attributes: Vec::new(),
        media,
    };
    Ok((answer, negotiated))
}

/// Creates an offer with every codec of our list, in order: static payload
/// types where they exist, dynamic ones from 96 for the rest, and one
/// `telephone-event` per clock rate in use (RFC 4733 §7.1.1).
pub fn create_offer(local: &LocalMedia, origin: &mut SdpOrigin) -> SessionDescription {
    let mut formats: Vec<PayloadFormat> = Vec::new();
    let mut next_dynamic = FIRST_DYNAMIC_PT;
    let mut allocate = |taken: &[PayloadFormat]| {
        while taken.iter().any(|f| f.payload_type == next_dynamic)
            || local.telephone_event_pt == Some(next_dynamic)
        {
            next_dynamic += 1;
        }
        next_dynamic
    };
    for pref in local.codecs.entries() {
        let pt = match pref.codec.static_payload_type() {
            Some(pt) => pt,
            None => allocate(&formats),
        };
        formats.push(PayloadFormat::for_codec(pref.codec, pt));
    }
    if let Some(te_pt) = local.telephone_event_pt {
        let mut rates: Vec<u32> = Vec::new();
        for format in &formats {
            if !rates.contains(&format.clock_rate) {
                rates.push(format.clock_rate);
            }
        }
        for rate in rates {
            let pt = if rate == 8000 {
                te_pt
            } else {
                allocate(&formats)
            };
            formats.push(PayloadFormat::telephone_event(pt, rate));
        }
    }
    let ptime = local
        .codecs
        .entries()
        .first()
        .and_then(|p| p.ptime)
        .unwrap_or(DEFAULT_PTIME);
    let fmt = formats
        .iter()
        .map(|f| f.payload_type.to_string())
        .collect::<Vec<_>>()
        .join(" ");
    SessionDescription {
        session_name: origin.username.clone(),
        origin: origin.next_origin(),
        connection: Some(local.address),
        direction: None,
        other_attributes: Vec::new(),
        media: vec![MediaDescription {
            kind: "audio".to_owned(),
            port: local.port,
            protocol: "RTP/AVP".to_owned(),
            fmt,
            formats,
            connection: None,
            ptime: Some(ptime),
            maxptime: None,
            direction: Some(local.direction),
            rtcp_port: None,
            other_attributes: Vec::new(),
        }],
    }
}

/// Reads the answer to our `offer` (RFC 3264 §6.1 from the offerer's side):
/// the first answered codec we offered is the one in use.
pub fn accept_answer(
    local: &LocalMedia,
    offer: &SessionDescription,
    answer: &SessionDescription,
) -> Result<NegotiatedMedia, NegotiationError> {
    if offer.media.len() != answer.media.len() {
        return Err(NegotiationError::MediaCountMismatch {
            offer: offer.media.len(),
            answer: answer.media.len(),
        });
    }
    let (index, ours) = offer.audio().ok_or(NegotiationError::NoAudio)?;
    let theirs = &answer.media[index];
    if theirs.port == 0 {
        return Err(NegotiationError::AudioRejected);
    }
    let offered_codec = |c: CodecName| ours.formats.iter().any(|f| f.codec() == Some(c));
    let (codec, format) = theirs
        .formats
        .iter()
        .find_map(|f| f.codec().filter(|c| offered_codec(*c)).map(|c| (c, f)))
        .ok_or_else(|| NegotiationError::NoCommonCodec {
            offered: describe_offered(theirs),
        })?;
    let telephone_event = local
        .telephone_event_pt
        .and(theirs.telephone_event(codec.rtp_clock_rate()))
        .map(|te| (te.payload_type, te.clock_rate));
    let (remote_rtp, remote_rtcp) = remote_addresses(answer, theirs);
    let offered_direction = offer.media_direction(ours);
    Ok(NegotiatedMedia {
        media_index: index,
        codec,
        payload_type: format.payload_type,
        remote_fmtp: format.fmtp.clone(),
        telephone_event,
        ptime: theirs.ptime.or(ours.ptime).unwrap_or(DEFAULT_PTIME),
        remote_rtp,
        remote_rtcp,
        direction: Direction::answer_to(answer.media_direction(theirs), offered_direction),
    })
}

#[cfg(test)]
#[path = "negotiate_tests.rs"]
mod tests;
