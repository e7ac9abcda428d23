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
//!
//! Receiving, as a transport does it: a datagram goes to
//! [`Message::parse`] (trailing bytes after Content-Length are ignored; no
//! Content-Length means the rest is the body). A stream buffer goes to
//! [`frame_stream`], which says `NeedMore`, `Keepalive` or `Message { len }`
//! (then `Message::parse(&buf[..len])`); its errors mean framing is lost,
//! close the connection. A [`ParseError`] on a request is answered with
//! [`ParseError::status_code`] (400, 505, 513) built from
//! [`salvage_headers`] + [`Response::for_headers`]; responses that fail are
//! dropped. A parsed message then goes through [`Request::validate`] /
//! [`Response::validate`] (mandatory headers present once and well-formed,
//! CSeq method matching): failures get a 400, or are dropped for responses.

pub mod auth;
pub mod dialog;
pub mod gateway;
pub mod headers;
pub mod limiter;
pub mod message;
pub mod options;
pub mod params;
pub mod registrar;
mod text;
pub mod transaction;
pub mod uac_auth;
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
