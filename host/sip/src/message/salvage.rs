//! Best-effort header recovery from a message that failed to parse, so a
//! UAS can still answer 400 or 505 (RFC 4475 §3.1.2) with the right Via,
//! From, To, Call-ID and CSeq.

use super::parser::{decode_head, find_head, leading_crlf, lines};
use super::{HeaderName, Headers};
use crate::text::{is_token, trim_ws};

/// Headers of a request whose start line or framing is broken: every
/// unfolded-line header with a token name, skipping lines that are not
/// headers. `None` for responses (never answered) and when nothing usable
/// (no Via) was found.
pub fn salvage_headers(buf: &[u8]) -> Option<Headers> {
    let start = leading_crlf(buf);
    let end = find_head(buf, start).map_or(buf.len(), |b| b.text_end);
    let text = decode_head(buf.get(start..end)?);
    let mut all = lines(&text);
    let (_, first) = all.next()?;
    if first
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("SIP/"))
    {
        return None;
    }
    let mut headers = Headers::new();
    for (_, line) in all {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let name = name.trim_end_matches([' ', '\t']);
        if is_token(name) {
            headers.push(HeaderName::parse(name), trim_ws(value));
        }
    }
    headers.contains(&HeaderName::Via).then_some(headers)
}
