//! The SIP message model, parser and printer (RFC 3261 §7, §18, §25).

mod error;
mod header_name;
mod headers;
mod method;
mod model;
mod parser;
mod printer;
mod reason;
mod salvage;
mod stream;
mod validate;

pub use error::ParseError;
pub use header_name::HeaderName;
pub use headers::{Header, Headers};
pub use method::{InvalidMethod, Method};
pub use model::{Message, Parsed, Request, Response};
pub use parser::{Limits, parse_datagram};
pub use salvage::salvage_headers;
pub use stream::{Frame, frame_stream};
pub use validate::ValidationError;
