//! Typed views of header values: parse from the text kept in
//! [`Headers`](crate::message::Headers), print back with `Display`.
//!
//! Parsing is lazy: the message parser keeps header values as text and these
//! types are built only when asked for, so unknown or unused headers cost
//! nothing and a malformed optional header does not sink a whole message.

mod access;
mod cseq;
mod digest;
mod name_addr;
mod params;
mod via;

pub use cseq::CSeq;
pub use digest::{DigestAlgorithm, DigestChallenge, DigestCredentials};
pub use name_addr::{ContactList, NameAddr};
pub use via::{Transport, Via};

use crate::message::HeaderName;
use crate::uri::UriError;

/// A header that is absent, repeated where it must be single, or malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// A required header is absent.
    #[error("missing {0} header")]
    Missing(HeaderName),
    /// A single-valued header appears more than once (RFC 3261 §7.3.1).
    #[error("more than one {0} header")]
    Multiple(HeaderName),
    /// The header's value does not follow its grammar.
    #[error("malformed {header} header: {problem}")]
    Malformed {
        /// Which header.
        header: HeaderName,
        /// What is wrong with it.
        problem: Problem,
    },
}

/// What is wrong with a malformed header value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// Nothing where a value is required.
    #[error("empty value")]
    Empty,
    /// A quoted string without its closing quote.
    #[error("unterminated quoted string")]
    UnterminatedQuote,
    /// A display name that is neither tokens nor a quoted string.
    #[error("invalid display name")]
    InvalidDisplayName,
    /// `<` without `>`, or text after the closing `>` that is not a parameter.
    #[error("unbalanced or misplaced angle brackets")]
    AngleBrackets,
    /// The URI does not parse.
    #[error("invalid URI: {0}")]
    Uri(UriError),
    /// An addr-spec without `<>` holding `?` or `,` (RFC 3261 §20).
    #[error("URI with headers or commas must be enclosed in <>")]
    UnenclosedUri,
    /// A number that is not decimal digits or does not fit its range.
    #[error("invalid or out-of-range number")]
    Number,
    /// A malformed `;name=value` or `name=value` parameter.
    #[error("invalid parameter")]
    Param,
    /// Via sent-protocol is not `SIP/2.0/<transport>`.
    #[error("invalid sent-protocol")]
    SentProtocol,
    /// A method token that is not a token.
    #[error("invalid method")]
    Method,
    /// An authentication scheme other than Digest.
    #[error("unsupported authentication scheme {0:?}")]
    AuthScheme(String),
    /// A required parameter is missing (e.g. Digest `nonce`).
    #[error("missing parameter {0}")]
    MissingParam(&'static str),
    /// Unexpected text after the value.
    #[error("unexpected trailing text")]
    Trailing,
}

impl Problem {
    pub(crate) fn at(self, header: HeaderName) -> HeaderError {
        HeaderError::Malformed {
            header,
            problem: self,
        }
    }
}
