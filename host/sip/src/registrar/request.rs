//! The parts of a REGISTER the registrar needs, validated up front (RFC 3261 §10.2, §10.3).

use crate::headers::{ContactList, HeaderError};
use crate::message::{HeaderName, Method, Request};

use super::expiry::header_expires;

/// Why a REGISTER is malformed; each is answered 400 Bad Request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    /// A required header is missing, repeated or malformed.
    #[error(transparent)]
    Header(#[from] HeaderError),
    /// The request is not a REGISTER, or its CSeq method disagrees (RFC 3261 §8.1.1.5).
    #[error("not a REGISTER request")]
    NotRegister,
    /// The To URI is not `sip:`/`sips:` with a user part: no address-of-record.
    #[error("To header holds no sip: address-of-record with a user")]
    NoAddressOfRecord,
    /// `Contact: *` with an Expires other than 0 (RFC 3261 §10.3 step 6).
    #[error("Contact: * requires Expires: 0")]
    StarWithoutZeroExpires,
}

/// A syntactically sound REGISTER.
#[derive(Debug)]
pub(crate) struct RegisterView<'a> {
    /// To user, unescaped: the AOR user.
    pub(crate) aor_user: String,
    /// To host as printed (`example.com`, `127.0.0.1`, `[::1]`).
    pub(crate) to_host: String,
    /// True when the To header already carries a tag (a request inside a dialog).
    pub(crate) to_has_tag: bool,
    pub(crate) call_id: &'a str,
    pub(crate) cseq: u32,
    pub(crate) contacts: ContactList,
    pub(crate) header_expires: Option<u32>,
    pub(crate) user_agent: Option<&'a str>,
}

impl<'a> RegisterView<'a> {
    pub(crate) fn parse(request: &'a Request) -> Result<Self, RegisterError> {
        let headers = &request.headers;
        let cseq = headers.cseq()?;
        if request.method != Method::Register || cseq.method != Method::Register {
            return Err(RegisterError::NotRegister);
        }
        let call_id = headers.call_id()?;
        // From is mandatory (RFC 3261 §8.1.1) but unused here; the driver runs
        // `Request::validate` (which parses it) before dispatching, so presence suffices.
        let _from = headers.single(&HeaderName::From)?;
        let to = headers.to()?;
        let to_uri = to.uri.as_sip().ok_or(RegisterError::NoAddressOfRecord)?;
        let aor_user = to_uri
            .user_unescaped()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .filter(|user| !user.is_empty())
            .ok_or(RegisterError::NoAddressOfRecord)?;
        let contacts = headers.contacts()?;
        let header_expires = header_expires(headers);
        if contacts == ContactList::Star && header_expires != Some(0) {
            return Err(RegisterError::StarWithoutZeroExpires);
        }
        Ok(Self {
            aor_user,
            to_host: to_uri.host.to_string(),
            to_has_tag: to.tag().is_some(),
            call_id,
            cseq: cseq.seq,
            contacts,
            header_expires,
            user_agent: headers.get(&HeaderName::UserAgent),
        })
    }
}
