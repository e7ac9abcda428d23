//! What the user agent tells the call engine ([`UaEvent`]) and the parameter types of
//! its commands ([`OutgoingInvite`], [`Reply`], [`Body`]).

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use crate::headers::{NameAddr, Transport};
use crate::message::{Header, HeaderName, Request, Response};
use crate::uac_auth::ClientCredentials;
use crate::uri::{SipUri, Uri};

use super::dtmf::Dtmf;
use super::ids::DialogKey;
use super::state::{PeerRouting, is_private_host, is_private_ip};

/// Content type of session descriptions.
pub const SDP: &str = "application/sdp";

/// A message body with its content type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    /// The `Content-Type` value.
    pub content_type: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

impl Body {
    /// An `application/sdp` body.
    pub fn sdp(bytes: impl Into<Vec<u8>>) -> Body {
        Body {
            content_type: SDP.to_owned(),
            bytes: bytes.into(),
        }
    }
}

/// The SDP body of a message, if its Content-Type is `application/sdp` and it is not
/// empty (multipart bodies are not unpacked).
pub fn sdp_of(content_type: Option<&str>, body: &[u8]) -> Option<Vec<u8>> {
    let media = content_type?.split(';').next()?.trim();
    (media.eq_ignore_ascii_case(SDP) && !body.is_empty()).then(|| body.to_vec())
}

/// A response the engine wants sent on an incoming INVITE (initial or re-INVITE).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// 101-699.
    pub status: u16,
    /// Reason phrase; `None` uses the standard one.
    pub reason: Option<String>,
    /// Body (SDP for 183/200).
    pub body: Option<Body>,
    /// Extra headers (Reason, Retry-After, P-Asserted-Identity, ...), appended.
    pub headers: Vec<Header>,
}

impl Reply {
    /// A reply with this status, the standard reason and nothing else.
    pub fn new(status: u16) -> Reply {
        Reply {
            status,
            reason: None,
            body: None,
            headers: Vec::new(),
        }
    }

    /// Sets the reason phrase.
    pub fn reason(mut self, reason: impl Into<String>) -> Reply {
        self.reason = Some(reason.into());
        self
    }

    /// Sets an SDP body.
    pub fn sdp(mut self, sdp: impl Into<Vec<u8>>) -> Reply {
        self.body = Some(Body::sdp(sdp));
        self
    }

    /// Appends a header.
    pub fn header(mut self, name: HeaderName, value: impl Into<String>) -> Reply {
        self.headers.push(Header::new(name, value));
        self
    }
}

/// Everything needed to place an outgoing call (a B-leg).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingInvite {
    /// Request-URI (`sip:1001@192.0.2.20:5062`, `sip:+15551234567@carrier.example`).
    pub target: Uri,
    /// From, without tag (the agent adds one). Display name and user carry caller id.
    pub from: NameAddr,
    /// To, without tag.
    pub to: NameAddr,
    /// SDP offer; `None` sends a late-offer INVITE (the answer then goes in the ACK,
    /// see [`UserAgent::ack`](super::UserAgent::ack)).
    pub sdp: Option<Vec<u8>>,
    /// Extra headers, appended (Route for a preloaded route set, P-Asserted-Identity,
    /// X- headers, ...).
    pub headers: Vec<Header>,
    /// Where to send it: the proxy/gateway, or the registered contact's source address.
    pub dest: SocketAddr,
    /// Over which transport.
    pub transport: Transport,
    /// Credentials for 401/407 challenges (a gateway's username/password).
    pub credentials: Option<ClientCredentials>,
    /// How in-dialog requests find the peer; `Symmetric` for NATed registered phones.
    pub routing: PeerRouting,
    /// Contact to advertise instead of the agent's default `sip:<from user>@host:port`.
    pub contact: Option<SipUri>,
    /// Call-ID to use instead of a fresh one.
    pub call_id: Option<String>,
}

impl OutgoingInvite {
    /// An INVITE to `target` sent to `dest` over UDP with RFC routing and no extras.
    pub fn new(target: Uri, from: NameAddr, to: NameAddr, dest: SocketAddr) -> OutgoingInvite {
        OutgoingInvite {
            target,
            from,
            to,
            sdp: None,
            headers: Vec::new(),
            dest,
            transport: Transport::Udp,
            credentials: None,
            routing: PeerRouting::RemoteTarget,
            contact: None,
            call_id: None,
        }
    }
}

/// Why a session ended, in [`UaEvent::Terminated`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TerminationReason {
    /// The peer sent BYE.
    RemoteBye,
    /// We sent BYE and it completed (any final response, or none: §15.1.1).
    LocalBye,
    /// The peer CANCELled its INVITE before we answered.
    RemoteCancel,
    /// Our INVITE was cancelled (487, or a 2xx that crossed the CANCEL and was
    /// ACKed and BYEd at once).
    LocalCancel,
    /// Our INVITE got a final failure (status), or timed out (408).
    Failed(u16),
    /// We answered the peer's INVITE with a failure.
    Rejected(u16),
    /// An in-dialog request got 481 or 408, which ends the dialog (§12.2.1.2).
    DialogLost(u16),
    /// The transport failed while sending the INVITE or a response to it.
    TransportError,
}

/// Facts for the "ACK never arrived" log line: usually a NAT problem. The peer sends
/// its ACK to the Contact of our 200; if that names an address it cannot reach, the ACK
/// never comes, while the INVITE (which it sent to our public address) did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AckTimeoutDiagnosis {
    /// The Call-ID of the session.
    pub call_id: String,
    /// The Contact URI our 2xx advertised (where the ACK should have gone).
    pub our_contact: Uri,
    /// Where the INVITE really came from (UDP/TCP source).
    pub invite_source: SocketAddr,
    /// The sent-by host:port in the INVITE's top Via (what the peer thinks it is).
    pub via_sent_by: String,
    /// The peer's Contact (where we send in-dialog requests under RFC routing).
    pub remote_contact: Uri,
    /// How long we retransmitted the 2xx.
    pub waited: Duration,
}

impl AckTimeoutDiagnosis {
    /// True when the evidence points at NAT: our Contact is a private address, or the
    /// peer's Contact or Via is a private address while its packets come from a public
    /// one.
    pub fn nat_suspected(&self) -> bool {
        let our_private = self
            .our_contact
            .as_sip()
            .is_some_and(|u| is_private_host(&u.host));
        let source_public = !is_private_ip(self.invite_source.ip());
        let remote_private = self
            .remote_contact
            .as_sip()
            .is_some_and(|u| is_private_host(&u.host));
        our_private || (source_public && remote_private)
    }
}

impl fmt::Display for AckTimeoutDiagnosis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "no ACK for our 200 OK after {} s (Call-ID {}): our Contact was {} but the \
             INVITE came from {} (Via sent-by {}, peer Contact {})",
            self.waited.as_secs(),
            self.call_id,
            self.our_contact,
            self.invite_source,
            self.via_sent_by,
            self.remote_contact
        )?;
        if self.nat_suspected() {
            f.write_str(
                "; looks like NAT: set ext-sip-ip on the profile if we are behind NAT, \
                 or fix the phone's NAT settings (STUN/rport) if it is",
            )?;
        }
        Ok(())
    }
}

/// What the call engine must hear about, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UaEvent {
    /// A new INVITE (100 Trying already sent). Answer it with
    /// [`respond`](super::UserAgent::respond) / [`answer`](super::UserAgent::answer).
    IncomingInvite {
        /// The new session.
        dialog: DialogKey,
        /// The INVITE.
        request: Box<Request>,
        /// Where it came from.
        source: SocketAddr,
        /// Over which transport.
        transport: Transport,
    },
    /// A 101-199 to our INVITE (180 ringing, 183 with early media SDP).
    Provisional {
        /// The session.
        dialog: DialogKey,
        /// The status.
        status: u16,
        /// The reason phrase.
        reason: String,
        /// SDP answer or early-media description, if any.
        sdp: Option<Vec<u8>>,
        /// The whole response.
        response: Box<Response>,
    },
    /// A 2xx to our INVITE: the call is up and the ACK is sent (unless the INVITE had no
    /// SDP; then send the answer with [`ack`](super::UserAgent::ack)).
    Answered {
        /// The session.
        dialog: DialogKey,
        /// The status.
        status: u16,
        /// The reason phrase.
        reason: String,
        /// The SDP answer (or the offer, for a late-offer INVITE).
        sdp: Option<Vec<u8>>,
        /// The whole response.
        response: Box<Response>,
    },
    /// Our INVITE failed: a 300-699 (after any digest retry), or 408 on timeout,
    /// 503 on a transport error. A [`Terminated`](UaEvent::Terminated) follows.
    Failed {
        /// The session.
        dialog: DialogKey,
        /// The status.
        status: u16,
        /// The reason phrase.
        reason: String,
        /// The response, `None` for a timeout or transport error.
        response: Option<Box<Response>>,
    },
    /// The ACK for our 2xx arrived (to the initial INVITE or a re-INVITE).
    AckReceived {
        /// The session.
        dialog: DialogKey,
        /// The SDP in the ACK (the answer to a late-offer INVITE), if any.
        sdp: Option<Vec<u8>>,
    },
    /// No ACK came for our 2xx within 64*T1. The dialog stays up: the engine should send
    /// BYE and log the diagnosis.
    AckTimeout {
        /// The session.
        dialog: DialogKey,
        /// What the log line should say.
        diagnosis: Box<AckTimeoutDiagnosis>,
    },
    /// The peer sent BYE (answered 200). A [`Terminated`](UaEvent::Terminated) follows.
    ByeReceived {
        /// The session.
        dialog: DialogKey,
    },
    /// The peer CANCELled its INVITE. The agent has answered the CANCEL 200 and the
    /// INVITE 487 itself (the protocol leaves no choice), so the engine only hangs up
    /// the channel (cause ORIGINATOR_CANCEL). A [`Terminated`](UaEvent::Terminated)
    /// follows.
    Cancelled {
        /// The session.
        dialog: DialogKey,
    },
    /// The peer sent a re-INVITE (hold, unhold, new media). Answer it with
    /// [`respond`](super::UserAgent::respond) / [`answer`](super::UserAgent::answer).
    ReInvite {
        /// The session.
        dialog: DialogKey,
        /// The new offer; `None` for an offerless re-INVITE (our 200 then carries the
        /// offer and the ACK the answer).
        sdp: Option<Vec<u8>>,
        /// The request.
        request: Box<Request>,
    },
    /// The final response to our re-INVITE.
    ReInviteResult {
        /// The session.
        dialog: DialogKey,
        /// The status (491 means glare: retry after `retry_after`).
        status: u16,
        /// The reason phrase.
        reason: String,
        /// The SDP answer of a 2xx.
        sdp: Option<Vec<u8>>,
        /// For 491, how long to wait before retrying (RFC 3261 §14.1: 2.1-4 s if we own
        /// the Call-ID, else 0-2 s).
        retry_after: Option<Duration>,
    },
    /// An INFO arrived in the dialog (answered 200).
    Info {
        /// The session.
        dialog: DialogKey,
        /// The digit, for DTMF bodies.
        dtmf: Option<Dtmf>,
        /// The Content-Type, if any.
        content_type: Option<String>,
        /// The body.
        body: Vec<u8>,
    },
    /// The session is over and its key is released.
    Terminated {
        /// The session.
        dialog: DialogKey,
        /// Why.
        reason: TerminationReason,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnosis(our: &str, source: &str, remote: &str) -> AckTimeoutDiagnosis {
        AckTimeoutDiagnosis {
            call_id: "c1".into(),
            our_contact: Uri::parse(our).unwrap(),
            invite_source: source.parse().unwrap(),
            via_sent_by: "10.0.0.9:5060".into(),
            remote_contact: Uri::parse(remote).unwrap(),
            waited: Duration::from_secs(32),
        }
    }

    #[test]
    fn nat_diagnosis_names_both_addresses() {
        let d = diagnosis(
            "sip:1000@10.0.0.5:5060",
            "203.0.113.9:40000",
            "sip:alice@203.0.113.9:40000",
        );
        assert!(d.nat_suspected());
        let line = d.to_string();
        assert!(line.contains("sip:1000@10.0.0.5:5060"), "{line}");
        assert!(line.contains("203.0.113.9:40000"), "{line}");
        assert!(line.contains("ext-sip-ip"), "{line}");
        let clean = diagnosis(
            "sip:1000@192.0.2.1:5060",
            "198.51.100.7:5060",
            "sip:alice@198.51.100.7",
        );
        assert!(!clean.nat_suspected());
        assert!(!clean.to_string().contains("NAT"));
    }

    #[test]
    fn sdp_detection() {
        assert_eq!(
            sdp_of(Some("application/SDP; charset=x"), b"v=0"),
            Some(b"v=0".to_vec())
        );
        assert_eq!(sdp_of(Some("application/sdp"), b""), None);
        assert_eq!(sdp_of(Some("text/plain"), b"v=0"), None);
        assert_eq!(sdp_of(None, b"v=0"), None);
    }
}
