//! Transaction handles and the keys that match messages to transactions
//! (RFC 3261 §17.1.3 for clients, §17.2.3 for servers, §9.2 for CANCEL).

use std::fmt;

use crate::headers::{HeaderError, Transport, Via};
use crate::message::{Headers, Method};
use crate::uri::Uri;

/// The RFC 3261 branch prefix ("magic cookie", §8.1.1.7) that marks a branch as
/// globally unique, so the branch alone identifies the transaction.
pub const MAGIC_COOKIE: &str = "z9hG4bK";

/// Handle of a server transaction, unique for the life of a [`TransactionLayer`].
///
/// [`TransactionLayer`]: super::TransactionLayer
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServerTxKey(pub(crate) u64);

/// Handle of a client transaction, unique for the life of a [`TransactionLayer`].
///
/// [`TransactionLayer`]: super::TransactionLayer
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientTxKey(pub(crate) u64);

/// Either kind of transaction handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TxKey {
    /// A client transaction (we sent the request).
    Client(ClientTxKey),
    /// A server transaction (we received the request).
    Server(ServerTxKey),
}

impl fmt::Display for ServerTxKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "server-tx#{}", self.0)
    }
}

impl fmt::Display for ClientTxKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "client-tx#{}", self.0)
    }
}

impl fmt::Display for TxKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TxKey::Client(key) => key.fmt(f),
            TxKey::Server(key) => key.fmt(f),
        }
    }
}

impl From<ClientTxKey> for TxKey {
    fn from(key: ClientTxKey) -> TxKey {
        TxKey::Client(key)
    }
}

impl From<ServerTxKey> for TxKey {
    fn from(key: ServerTxKey) -> TxKey {
        TxKey::Server(key)
    }
}

/// True when `branch` carries the RFC 3261 magic cookie.
pub fn is_rfc3261_branch(branch: &str) -> bool {
    branch.starts_with(MAGIC_COOKIE) && branch.len() > MAGIC_COOKIE.len()
}

/// §17.1.3: a response matches a client transaction by the top Via branch and the
/// CSeq method (the method tells an INVITE's transaction from its CANCEL's).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ClientMatchKey {
    branch: String,
    method: Method,
}

impl ClientMatchKey {
    /// The key of a request we are about to send: its own top Via branch and method.
    pub(crate) fn of_request(branch: &str, method: &Method) -> ClientMatchKey {
        ClientMatchKey {
            branch: branch.to_owned(),
            method: method.clone(),
        }
    }

    /// The key a received response names, or `None` when it has no branch to match on.
    pub(crate) fn of_response(headers: &Headers) -> Result<Option<ClientMatchKey>, HeaderError> {
        let via = headers.via_top()?;
        let cseq = headers.cseq()?;
        Ok(via.branch().map(|branch| ClientMatchKey {
            branch: branch.to_owned(),
            method: cseq.method,
        }))
    }
}

/// The sent-by of a Via, normalised for comparison: host case-folded, port defaulted
/// (5060, or 5061 for TLS-based transports, RFC 3261 §18.2.1 / §19.1.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct SentBy {
    host: String,
    port: u16,
}

impl SentBy {
    pub(crate) fn of(via: &Via) -> SentBy {
        let default_port = match via.transport {
            Transport::Tls | Transport::Wss => 5061,
            _ => 5060,
        };
        SentBy {
            host: via.host.to_string().to_ascii_lowercase(),
            port: via.port.unwrap_or(default_port),
        }
    }
}

/// §17.2.3: how a request is matched to a server transaction.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum ServerMatchKey {
    /// RFC 3261 branch: branch, sent-by and method, with ACK counted as INVITE.
    Branch {
        branch: String,
        sent_by: SentBy,
        method: Method,
    },
    /// RFC 2543 fallback for branches without the magic cookie: Request-URI, From tag,
    /// Call-ID, CSeq number, top Via and method (ACK as INVITE). The To tag is compared
    /// separately, because an ACK carries the tag of our response, not of the INVITE.
    Legacy {
        request_uri: String,
        from_tag: Option<String>,
        call_id: String,
        cseq: u32,
        via: String,
        method: Method,
    },
}

impl ServerMatchKey {
    /// The key of a received request.
    pub(crate) fn of_request(
        method: &Method,
        uri: &Uri,
        headers: &Headers,
    ) -> Result<ServerMatchKey, HeaderError> {
        let via = headers.via_top()?;
        let method = match method {
            Method::Ack => Method::Invite,
            other => other.clone(),
        };
        if let Some(branch) = via.branch().filter(|b| is_rfc3261_branch(b)) {
            return Ok(ServerMatchKey::Branch {
                branch: branch.to_owned(),
                sent_by: SentBy::of(&via),
                method,
            });
        }
        let from = headers.from()?;
        Ok(ServerMatchKey::Legacy {
            request_uri: uri.to_string(),
            from_tag: from.tag().map(str::to_owned),
            call_id: headers.call_id()?.to_owned(),
            cseq: headers.cseq()?.seq,
            via: via.to_string(),
            method,
        })
    }

    /// The same key with another method: §9.2 matches a CANCEL to the INVITE it cancels
    /// by every §17.2.3 field except the method.
    pub(crate) fn with_method(&self, new_method: Method) -> ServerMatchKey {
        let mut key = self.clone();
        match &mut key {
            ServerMatchKey::Branch { method, .. } | ServerMatchKey::Legacy { method, .. } => {
                *method = new_method;
            }
        }
        key
    }

    /// True for RFC 2543 keys, whose match also needs the To tag compared.
    pub(crate) fn is_legacy(&self) -> bool {
        matches!(self, ServerMatchKey::Legacy { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::HeaderName;

    fn headers(via: &str) -> Headers {
        let mut h = Headers::new();
        h.push(HeaderName::Via, via);
        h.push(HeaderName::From, "<sip:alice@example.com>;tag=from1");
        h.push(HeaderName::To, "<sip:bob@example.com>");
        h.push(HeaderName::CallId, "call-1@example.com");
        h.push(HeaderName::CSeq, "7 INVITE");
        h
    }

    fn uri() -> Uri {
        Uri::parse("sip:bob@example.com").unwrap()
    }

    #[test]
    fn magic_cookie_needs_something_after_it() {
        assert!(is_rfc3261_branch("z9hG4bK776asdhds"));
        assert!(!is_rfc3261_branch("z9hG4bK"));
        assert!(!is_rfc3261_branch("776asdhds"));
        assert!(!is_rfc3261_branch("Z9HG4BK776"));
    }

    #[test]
    fn ack_maps_to_the_invite_key_and_sent_by_is_normalised() {
        let invite = headers("SIP/2.0/UDP PC33.Example.com;branch=z9hG4bKa1");
        let ack = headers("SIP/2.0/UDP pc33.example.com:5060;branch=z9hG4bKa1");
        let k1 = ServerMatchKey::of_request(&Method::Invite, &uri(), &invite).unwrap();
        let k2 = ServerMatchKey::of_request(&Method::Ack, &uri(), &ack).unwrap();
        assert_eq!(k1, k2);
        assert!(!k1.is_legacy());
        let cancel = ServerMatchKey::of_request(&Method::Cancel, &uri(), &invite).unwrap();
        assert_ne!(cancel, k1);
        assert_eq!(cancel.with_method(Method::Invite), k1);
    }

    #[test]
    fn different_sent_by_is_a_different_transaction() {
        let a = headers("SIP/2.0/UDP a.example.com;branch=z9hG4bKa1");
        let b = headers("SIP/2.0/UDP b.example.com;branch=z9hG4bKa1");
        let ka = ServerMatchKey::of_request(&Method::Invite, &uri(), &a).unwrap();
        let kb = ServerMatchKey::of_request(&Method::Invite, &uri(), &b).unwrap();
        assert_ne!(ka, kb);
    }

    #[test]
    fn legacy_branch_uses_dialog_fields() {
        let h = headers("SIP/2.0/UDP pc33.example.com;branch=oldstyle");
        let key = ServerMatchKey::of_request(&Method::Invite, &uri(), &h).unwrap();
        assert!(key.is_legacy());
        let mut other = h.clone();
        other.set(HeaderName::CSeq, "8 INVITE");
        let key8 = ServerMatchKey::of_request(&Method::Invite, &uri(), &other).unwrap();
        assert_ne!(key, key8);
        let ack = ServerMatchKey::of_request(&Method::Ack, &uri(), &h).unwrap();
        assert_eq!(key, ack);
    }

    #[test]
    fn client_key_uses_branch_and_cseq_method() {
        let mut h = headers("SIP/2.0/UDP pc33.example.com;branch=z9hG4bKc1");
        let invite = ClientMatchKey::of_request("z9hG4bKc1", &Method::Invite);
        assert_eq!(ClientMatchKey::of_response(&h), Ok(Some(invite.clone())));
        h.set(HeaderName::CSeq, "7 CANCEL");
        assert_ne!(ClientMatchKey::of_response(&h), Ok(Some(invite)));
        h.set(HeaderName::Via, "SIP/2.0/UDP pc33.example.com");
        assert_eq!(ClientMatchKey::of_response(&h), Ok(None));
    }
}
