//! Media direction attributes (RFC 4566 §6, RFC 3264 §5.1 and §6.1).

use std::fmt;
use std::str::FromStr;

/// Which way media flows on a stream, from the point of view of the party
/// whose SDP carries the attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Direction {
    /// Send and receive (the default when no attribute is present).
    #[default]
    SendRecv,
    /// Only send; the usual "I put you on hold" offer.
    SendOnly,
    /// Only receive.
    RecvOnly,
    /// Neither; a stream kept but silent (hold with no music).
    Inactive,
}

impl Direction {
    /// The attribute name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SendRecv => "sendrecv",
            Self::SendOnly => "sendonly",
            Self::RecvOnly => "recvonly",
            Self::Inactive => "inactive",
        }
    }

    /// Whether the party described sends media.
    pub fn sends(self) -> bool {
        matches!(self, Self::SendRecv | Self::SendOnly)
    }

    /// Whether the party described receives media.
    pub fn receives(self) -> bool {
        matches!(self, Self::SendRecv | Self::RecvOnly)
    }

    fn from_flags(sends: bool, receives: bool) -> Self {
        match (sends, receives) {
            (true, true) => Self::SendRecv,
            (true, false) => Self::SendOnly,
            (false, true) => Self::RecvOnly,
            (false, false) => Self::Inactive,
        }
    }

    /// The direction to put in an answer to an offer of `offered`, given what
    /// we would like (`wanted`), per RFC 3264 §6.1: we may send only if the
    /// offerer receives, and receive only if the offerer sends. So sendonly is
    /// answered recvonly (or inactive), recvonly with sendonly (or inactive),
    /// inactive with inactive.
    pub fn answer_to(offered: Direction, wanted: Direction) -> Direction {
        Self::from_flags(
            wanted.sends() && offered.receives(),
            wanted.receives() && offered.sends(),
        )
    }
}

/// Text that is not one of the four direction attribute names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a direction attribute: {0:?}")]
pub struct ParseDirectionError(pub String);

impl FromStr for Direction {
    type Err = ParseDirectionError;

    /// Parses one of the four attribute names (case-insensitive).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        [
            Self::SendRecv,
            Self::SendOnly,
            Self::RecvOnly,
            Self::Inactive,
        ]
        .into_iter()
        .find(|d| d.as_str().eq_ignore_ascii_case(text))
        .ok_or_else(|| ParseDirectionError(text.to_owned()))
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Direction::{self, *};

    #[test]
    fn answers_follow_rfc_3264_section_6_1() {
        // (offered, we want) -> answer
        let cases = [
            (SendRecv, SendRecv, SendRecv),
            (SendOnly, SendRecv, RecvOnly),
            (RecvOnly, SendRecv, SendOnly),
            (Inactive, SendRecv, Inactive),
            // we put them on hold while they offer sendrecv
            (SendRecv, SendOnly, SendOnly),
            (SendRecv, Inactive, Inactive),
            // both hold: nothing flows
            (SendOnly, SendOnly, Inactive),
            (RecvOnly, RecvOnly, Inactive),
        ];
        for (offered, wanted, answer) in cases {
            assert_eq!(
                Direction::answer_to(offered, wanted),
                answer,
                "{offered} / {wanted}"
            );
        }
    }

    #[test]
    fn parse_and_print() {
        for d in [SendRecv, SendOnly, RecvOnly, Inactive] {
            assert_eq!(d.as_str().parse::<Direction>(), Ok(d));
        }
        assert_eq!("SENDONLY".parse::<Direction>(), Ok(SendOnly));
        assert!("both".parse::<Direction>().is_err());
    }
}
