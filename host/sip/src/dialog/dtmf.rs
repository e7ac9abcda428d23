//! DTMF carried in SIP INFO (RFC 6086 framework): the `application/dtmf-relay` body
//! most phones send (`Signal=5\r\nDuration=160\r\n`, Cisco's format, which FreeSWITCH
//! reads and writes) and the bare `application/dtmf` body (`5`).

/// Content type of `Signal=` / `Duration=` bodies.
pub const DTMF_RELAY: &str = "application/dtmf-relay";
/// Content type of bodies holding just the digit.
pub const DTMF: &str = "application/dtmf";
/// Duration used when a body gives none, in ms (FreeSWITCH's default digit length).
pub const DEFAULT_DTMF_DURATION_MS: u32 = 160;

/// One DTMF digit from (or for) an INFO.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Dtmf {
    /// `0`-`9`, `*`, `#` or `A`-`D`.
    pub digit: char,
    /// How long the key was pressed, in ms.
    pub duration_ms: u32,
}

/// A digit from its text: the character itself, or the RFC 4733 event number
/// (10 = `*`, 11 = `#`, 12-15 = `A`-`D`) that some phones put in `Signal=`.
fn digit_from(text: &str) -> Option<char> {
    let text = text.trim();
    let mut chars = text.chars();
    if let (Some(c), None) = (chars.next(), chars.clone().next()) {
        let c = c.to_ascii_uppercase();
        if c.is_ascii_digit() || matches!(c, '*' | '#' | 'A'..='D') {
            return Some(c);
        }
    }
    match text.parse::<u8>().ok()? {
        10 => Some('*'),
        11 => Some('#'),
        n @ 12..=15 => Some(char::from(b'A' + (n - 12))),
        _ => None,
    }
}

/// The bare media type of a Content-Type value (`application/dtmf-relay;x=y` →
/// `application/dtmf-relay`), lowercased.
fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Reads the digit of an INFO body, given its Content-Type. `None` for other content
/// types and for bodies that name no valid digit.
pub fn parse_info_dtmf(content_type: &str, body: &[u8]) -> Option<Dtmf> {
    let text = std::str::from_utf8(body).ok()?;
    match media_type(content_type).as_str() {
        DTMF_RELAY => parse_relay(text),
        DTMF => Some(Dtmf {
            digit: digit_from(text)?,
            duration_ms: DEFAULT_DTMF_DURATION_MS,
        }),
        _ => None,
    }
}

/// `Signal=<digit>` and optional `Duration=<ms>` lines, keys case-insensitive, white
/// space around `=` tolerated, line ends CRLF or LF.
fn parse_relay(text: &str) -> Option<Dtmf> {
    let mut digit = None;
    let mut duration_ms = DEFAULT_DTMF_DURATION_MS;
    for line in text.lines() {
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        match key.trim().to_ascii_lowercase().as_str() {
            "signal" => digit = digit_from(value),
            "duration" => {
                if let Ok(ms) = value.trim().parse::<u32>() {
                    duration_ms = ms;
                }
            }
            _ => {}
        }
    }
    Some(Dtmf {
        digit: digit?,
        duration_ms,
    })
}

/// The `application/dtmf-relay` body for `dtmf`, or `None` when its digit is not one
/// of `0-9*#A-D`.
pub fn dtmf_relay_body(dtmf: Dtmf) -> Option<Vec<u8>> {
    let digit = digit_from(dtmf.digit.encode_utf8(&mut [0; 4]))?;
    Some(format!("Signal={digit}\r\nDuration={}\r\n", dtmf.duration_ms).into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relay_bodies() {
        let d = parse_info_dtmf("application/dtmf-relay", b"Signal=5\r\nDuration=160\r\n");
        assert_eq!(
            d,
            Some(Dtmf {
                digit: '5',
                duration_ms: 160
            })
        );
        let d = parse_info_dtmf(
            "Application/DTMF-Relay; charset=x",
            b"signal = #\nduration= 250",
        );
        assert_eq!(
            d,
            Some(Dtmf {
                digit: '#',
                duration_ms: 250
            })
        );
        assert_eq!(
            parse_info_dtmf(DTMF_RELAY, b"Signal=10\r\n").map(|d| d.digit),
            Some('*')
        );
        assert_eq!(
            parse_info_dtmf(DTMF_RELAY, b"Signal=d").map(|d| d.digit),
            Some('D')
        );
        assert_eq!(parse_info_dtmf(DTMF_RELAY, b"Duration=100"), None);
        assert_eq!(parse_info_dtmf(DTMF_RELAY, b"Signal=X"), None);
        assert_eq!(parse_info_dtmf(DTMF_RELAY, b"Signal=\xff"), None);
    }

    #[test]
    fn bare_dtmf_and_other_types() {
        assert_eq!(
            parse_info_dtmf("application/dtmf", b"7\r\n"),
            Some(Dtmf {
                digit: '7',
                duration_ms: DEFAULT_DTMF_DURATION_MS
            })
        );
        assert_eq!(parse_info_dtmf("application/dtmf", b"77"), None);
        assert_eq!(parse_info_dtmf("text/plain", b"Signal=5"), None);
    }

    #[test]
    fn relay_body_round_trips() {
        let dtmf = Dtmf {
            digit: '*',
            duration_ms: 200,
        };
        let body = dtmf_relay_body(dtmf).unwrap();
        assert_eq!(body, b"Signal=*\r\nDuration=200\r\n");
        assert_eq!(parse_info_dtmf(DTMF_RELAY, &body), Some(dtmf));
        assert_eq!(
            dtmf_relay_body(Dtmf {
                digit: 'x',
                duration_ms: 1
            }),
            None
        );
    }
}
