//! Checks a parsed message against the rules that make it processable:
//! the mandatory headers exist once and parse (RFC 3261 §8.1.1, §8.2.2),
//! the CSeq method matches the request (RFC 4475 §3.1.2.17), and address
//! headers are well-formed. Failing requests get a 400; failing responses
//! are dropped.

use super::{HeaderName, Headers, Method, Request, Response};
use crate::headers::HeaderError;

/// Why a parsed message cannot be processed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    /// A mandatory header is missing, repeated or malformed.
    #[error(transparent)]
    Header(#[from] HeaderError),
    /// The CSeq method differs from the request method.
    #[error("CSeq method {cseq} does not match request method {request}")]
    CSeqMethodMismatch {
        /// Method of the request line.
        request: Method,
        /// Method in CSeq.
        cseq: Method,
    },
}

impl ValidationError {
    /// The status a UAS answers a failing request with.
    pub fn status_code(&self) -> u16 {
        400
    }
}

/// Headers both requests and responses must carry.
fn check_common(headers: &Headers) -> Result<(), ValidationError> {
    if !headers.contains(&HeaderName::Via) {
        return Err(HeaderError::Missing(HeaderName::Via).into());
    }
    headers.vias()?;
    headers.from()?;
    headers.to()?;
    headers.call_id()?;
    headers.cseq()?;
    headers.contacts()?;
    Ok(())
}

impl Request {
    /// Validates the request; see the module documentation.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_common(&self.headers)?;
        let cseq = self.headers.cseq()?;
        if cseq.method != self.method {
            return Err(ValidationError::CSeqMethodMismatch {
                request: self.method.clone(),
                cseq: cseq.method,
            });
        }
        Ok(())
    }
}

impl Response {
    /// Validates the response; see the module documentation.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_common(&self.headers)
    }
}
