//! The CSeq header (RFC 3261 §20.16).

use std::fmt;

use super::Problem;
use crate::message::Method;
use crate::text::{is_ws, parse_decimal, trim_ws};

/// `CSeq: <seq> <method>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CSeq {
    /// Sequence number; must fit 32 bits (RFC 3261 §8.1.1.5). Leading zeros
    /// are accepted (RFC 4475 §3.1.1.1).
    pub seq: u32,
    /// The method, which must match the request's (RFC 4475 §3.1.2.17).
    pub method: Method,
}

impl CSeq {
    /// Builds a CSeq.
    pub fn new(seq: u32, method: Method) -> CSeq {
        CSeq { seq, method }
    }

    /// Parses `1*DIGIT LWS Method`.
    pub fn parse(s: &str) -> Result<CSeq, Problem> {
        let s = trim_ws(s);
        let split = s.find([' ', '\t']).ok_or(Problem::Method)?;
        let seq = parse_decimal(&s[..split]).ok_or(Problem::Number)?;
        let method = trim_ws(&s[split..]);
        if method.bytes().any(is_ws) {
            return Err(Problem::Trailing);
        }
        let method = Method::parse(method).map_err(|_| Problem::Method)?;
        Ok(CSeq { seq, method })
    }
}

impl fmt::Display for CSeq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.seq, self.method)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_print() {
        assert_eq!(CSeq::parse("0009 INVITE"), Ok(CSeq::new(9, Method::Invite)));
        assert_eq!(CSeq::new(9, Method::Invite).to_string(), "9 INVITE");
        assert_eq!(
            CSeq::parse("36893488147419103232 REGISTER"),
            Err(Problem::Number)
        );
        assert_eq!(CSeq::parse("-1 INVITE"), Err(Problem::Number));
        assert_eq!(CSeq::parse("1"), Err(Problem::Method));
        assert_eq!(CSeq::parse("1 INVITE x"), Err(Problem::Trailing));
    }
}
