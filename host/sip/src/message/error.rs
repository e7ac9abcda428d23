//! Errors of the message parser.

use crate::uri::UriError;

/// Why bytes are not a SIP message. [`ParseError::status_code`] says what a
/// UAS answers when it can (after salvaging headers with
/// [`salvage_headers`](super::salvage_headers)); responses that fail to
/// parse are dropped (RFC 4475 §3.1.2.5, §3.1.2.19).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// No bytes (or only CRLFs).
    #[error("empty message")]
    Empty,
    /// The header section is not terminated by an empty line.
    #[error("header section not terminated")]
    Incomplete,
    /// The start line and headers exceed the configured cap.
    #[error("header section larger than {limit} bytes")]
    HeadersTooLarge {
        /// The cap in bytes.
        limit: usize,
    },
    /// The Content-Length exceeds the configured body cap.
    #[error("body of {length} bytes exceeds limit of {limit}")]
    BodyTooLarge {
        /// Declared Content-Length.
        length: usize,
        /// The cap in bytes.
        limit: usize,
    },
    /// The request line is not `Method SP Request-URI SP SIP-Version`
    /// (single spaces, RFC 3261 §7.1; RFC 4475 §3.1.2.9, §3.1.2.10).
    #[error("malformed request line")]
    InvalidRequestLine,
    /// The method is not a token.
    #[error("malformed method")]
    InvalidMethod,
    /// The Request-URI does not parse (RFC 4475 §3.1.2.7, §3.1.2.8).
    #[error("malformed Request-URI: {0}")]
    InvalidRequestUri(UriError),
    /// A SIP Request-URI with `?headers` (RFC 3261 §19.1.5; RFC 4475 §3.1.2.11).
    #[error("headers are not allowed in a Request-URI")]
    HeadersInRequestUri,
    /// A SIP version other than 2.0 (answer 505, RFC 4475 §3.1.2.16).
    #[error("unsupported SIP version")]
    UnsupportedVersion,
    /// The status line is not `SIP-Version SP 3DIGIT SP Reason-Phrase`.
    #[error("malformed status line")]
    InvalidStatusLine,
    /// A status code outside 100..=699 (RFC 4475 §3.1.2.19).
    #[error("status code out of range")]
    InvalidStatusCode,
    /// A header line without a `token :` name (1-based line number).
    #[error("malformed header line {line}")]
    InvalidHeaderLine {
        /// Line number in the message, the start line being 1.
        line: usize,
    },
    /// Content-Length not a non-negative decimal (RFC 4475 §3.1.2.3).
    #[error("malformed Content-Length")]
    InvalidContentLength,
    /// Several Content-Length headers that disagree (RFC 4475 §3.3.9).
    #[error("conflicting Content-Length headers")]
    ConflictingContentLength,
    /// Content-Length larger than the bytes received (RFC 4475 §3.1.2.2).
    #[error("body truncated: Content-Length {expected}, {available} bytes present")]
    BodyTruncated {
        /// Declared Content-Length.
        expected: usize,
        /// Bytes present after the header section.
        available: usize,
    },
}

impl ParseError {
    /// The status a UAS should answer with when the bytes were a request:
    /// 505 for an unknown version, 513 for oversized messages, else 400.
    pub fn status_code(&self) -> u16 {
        match self {
            ParseError::UnsupportedVersion => 505,
            ParseError::HeadersTooLarge { .. } | ParseError::BodyTooLarge { .. } => 513,
            _ => 400,
        }
    }

    /// True when a stream connection cannot be resynchronised after this
    /// error and must be closed (framing is lost, RFC 3261 §18.3).
    pub fn breaks_stream_framing(&self) -> bool {
        matches!(
            self,
            ParseError::InvalidContentLength
                | ParseError::ConflictingContentLength
                | ParseError::HeadersTooLarge { .. }
                | ParseError::BodyTooLarge { .. }
        )
    }
}
