//! SIP messages, URIs, transactions, digest auth and registrar bindings; sans-IO.
//!
//! # Message layer
//!
//! - [`message`]: [`Message`] (`Request`/`Response`), [`Method`],
//!   [`Headers`] (ordered [`Header`]s with case-insensitive [`HeaderName`]s,
//!   compact forms mapped, comma-joined values of list headers split),
//!   parsing ([`Message::parse`] for datagrams, [`frame_stream`] for TCP
//!   framing with [`Limits`]), printing (`to_bytes`, `write_to`, `Display`),
//!   [`Request::validate`], [`Response::for_request`], [`salvage_headers`].
//! - [`uri`]: [`Uri`] (`Sip`/`Tel`/`Other`), [`SipUri`], [`Host`],
//!   RFC 3261 §19.1.4 comparison ([`SipUri::equivalent`]), AOR keys.
//! - [`headers`]: typed views parsed on demand: [`Via`], [`CSeq`],
//!   [`NameAddr`], [`ContactList`], [`DigestChallenge`],
//!   [`DigestCredentials`]; accessors such as `via_top()`, `cseq()`,
//!   `from()`, `to()`, `contacts()` exist on [`Headers`], [`Request`] and
//!   [`Response`].
//! - [`params`]: [`Params`], ordered `;name=value` lists.

pub mod auth;
pub mod headers;
pub mod limiter;
pub mod message;
pub mod options;
pub mod params;
pub mod registrar;
mod text;
pub mod transaction;
pub mod uri;

pub use headers::{
    CSeq, ContactList, DigestAlgorithm, DigestChallenge, DigestCredentials, HeaderError, NameAddr,
    Transport, Via,
};
pub use message::{
    Frame, Header, HeaderName, Headers, Limits, Message, Method, ParseError, Parsed, Request,
    Response, ValidationError, frame_stream, salvage_headers,
};
pub use params::{Param, Params};
pub use uri::{Host, SipScheme, SipUri, TelUri, Uri, UriError};
