//! SIP request methods (RFC 3261 §7.1 and the extension RFCs).

use std::fmt;
use std::str::FromStr;

use crate::text::is_token;

/// A SIP method. Known methods are matched case-sensitively as RFC 3261
/// §7.1 requires ("The method token is case-sensitive"); anything else that
/// is a valid token is kept verbatim in [`Method::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Method {
    /// RFC 3261.
    Invite,
    /// RFC 3261.
    Ack,
    /// RFC 3261.
    Bye,
    /// RFC 3261.
    Cancel,
    /// RFC 3261.
    Register,
    /// RFC 3261.
    Options,
    /// RFC 6086.
    Info,
    /// RFC 3262.
    Prack,
    /// RFC 3311.
    Update,
    /// RFC 6665.
    Subscribe,
    /// RFC 6665.
    Notify,
    /// RFC 3515.
    Refer,
    /// RFC 3428.
    Message,
    /// RFC 3903.
    Publish,
    /// Any other token, kept as received.
    Other(String),
}

/// The method text is not an RFC 3261 `token`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid SIP method token")]
pub struct InvalidMethod;

impl Method {
    /// The method as it appears on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Method::Invite => "INVITE",
            Method::Ack => "ACK",
            Method::Bye => "BYE",
            Method::Cancel => "CANCEL",
            Method::Register => "REGISTER",
            Method::Options => "OPTIONS",
            Method::Info => "INFO",
            Method::Prack => "PRACK",
            Method::Update => "UPDATE",
            Method::Subscribe => "SUBSCRIBE",
            Method::Notify => "NOTIFY",
            Method::Refer => "REFER",
            Method::Message => "MESSAGE",
            Method::Publish => "PUBLISH",
            Method::Other(s) => s,
        }
    }

    /// Parses a method token; unknown tokens become [`Method::Other`].
    pub fn parse(s: &str) -> Result<Method, InvalidMethod> {
        let known = match s {
            "INVITE" => Method::Invite,
            "ACK" => Method::Ack,
            "BYE" => Method::Bye,
            "CANCEL" => Method::Cancel,
            "REGISTER" => Method::Register,
            "OPTIONS" => Method::Options,
            "INFO" => Method::Info,
            "PRACK" => Method::Prack,
            "UPDATE" => Method::Update,
            "SUBSCRIBE" => Method::Subscribe,
            "NOTIFY" => Method::Notify,
            "REFER" => Method::Refer,
            "MESSAGE" => Method::Message,
            "PUBLISH" => Method::Publish,
            other if is_token(other) => Method::Other(other.to_owned()),
            _ => return Err(InvalidMethod),
        };
        Ok(known)
    }
}

impl FromStr for Method {
    type Err = InvalidMethod;

    fn from_str(s: &str) -> Result<Method, InvalidMethod> {
        Method::parse(s)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_methods() {
        assert_eq!(Method::parse("INVITE"), Ok(Method::Invite));
        // Case-sensitive: "invite" is an extension method, not INVITE.
        assert_eq!(
            Method::parse("invite"),
            Ok(Method::Other("invite".to_owned()))
        );
        let odd = "!interesting-Method0123456789_*+`.%indeed'~";
        assert_eq!(
            Method::parse(odd).map(|m| m.as_str().to_owned()),
            Ok(odd.to_owned())
        );
        assert_eq!(Method::parse("BAD METHOD"), Err(InvalidMethod));
        assert_eq!(Method::parse(""), Err(InvalidMethod));
    }
}
