//! Character classes and small lexing helpers shared by the message, URI and
//! typed-header parsers (RFC 3261 §25.1 basic rules).

/// RFC 3261 §25.1 `token` character: alphanum / "-" / "." / "!" / "%" / "*" /
/// "_" / "+" / "`" / "'" / "~".
#[inline]
pub(crate) fn is_token_byte(b: u8) -> bool {
    TOKEN_TABLE[usize::from(b)]
}

/// Lookup table behind [`is_token_byte`]: the parser asks this for every
/// byte of every header name.
static TOKEN_TABLE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'-' | b'.' | b'!' | b'%' | b'*' | b'_' | b'+' | b'`' | b'\'' | b'~'
            );
        b += 1;
    }
    table
};

/// True when `s` is a non-empty RFC 3261 `token`.
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_token_byte)
}

/// Linear white space inside an already unfolded header value.
#[inline]
pub(crate) fn is_ws(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Strips leading and trailing SP/HTAB.
#[inline]
pub(crate) fn trim_ws(s: &str) -> &str {
    s.trim_matches(|c| c == ' ' || c == '\t')
}

/// Length of the quoted string at the start of `s` (which must begin with
/// `"`), including both quotes, honouring `\` quoted-pairs (RFC 3261 §25.1).
/// `None` when the closing quote is missing.
pub(crate) fn quoted_len(s: &[u8]) -> Option<usize> {
    if s.first() != Some(&b'"') {
        return None;
    }
    let mut i = 1;
    while i < s.len() {
        match s[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Removes the surrounding quotes of a quoted string and resolves its
/// quoted-pairs (stray CR or LF read as a space); returns the input
/// unchanged when it is not quoted.
pub(crate) fn unquote(s: &str) -> String {
    let Some(inner) = s.strip_prefix('"').and_then(|rest| rest.strip_suffix('"')) else {
        return s.to_owned();
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        let c = if c == '\\' { chars.next() } else { Some(c) };
        match c {
            // CR and LF cannot be represented inside quotes (see `quote`).
            Some('\r' | '\n') => out.push(' '),
            Some(c) => out.push(c),
            None => {}
        }
    }
    out
}

/// Wraps `s` in quotes, escaping `"`, `\` and control characters as
/// quoted-pairs (RFC 3261 §25.1 `qdtext` excludes them). CR and LF cannot
/// be quoted at all and become spaces.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\r' | '\n' => out.push(' '),
            '"' | '\\' | '\x7f' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_ascii_control() && c != '\t' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Splits a header value at top-level occurrences of `sep`, ignoring those
/// inside quoted strings and `<...>` (RFC 3261 §7.3.1 allows several values
/// of one header to be joined by commas). Empty pieces are kept so callers
/// can reject them.
pub(crate) fn split_top_level(s: &str, sep: u8) -> SplitTopLevel<'_> {
    SplitTopLevel { rest: Some(s), sep }
}

/// Iterator returned by [`split_top_level`].
#[derive(Debug)]
pub(crate) struct SplitTopLevel<'a> {
    rest: Option<&'a str>,
    sep: u8,
}

impl<'a> Iterator for SplitTopLevel<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let s = self.rest?;
        let bytes = s.as_bytes();
        let mut i = 0;
        let mut in_angle = false;
        while i < bytes.len() {
            match bytes[i] {
                b'"' => match quoted_len(&bytes[i..]) {
                    Some(n) => {
                        i += n;
                        continue;
                    }
                    // An unterminated quote swallows the rest; the piece's
                    // own parser reports it.
                    None => break,
                },
                b'<' => in_angle = true,
                b'>' => in_angle = false,
                b if b == self.sep && !in_angle => {
                    self.rest = Some(&s[i + 1..]);
                    return Some(&s[..i]);
                }
                _ => {}
            }
            i += 1;
        }
        self.rest = None;
        Some(s)
    }
}

/// Decodes one hexadecimal digit.
pub(crate) fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Parses a decimal number made only of ASCII digits (no sign, no spaces),
/// rejecting overflow.
pub(crate) fn parse_decimal<T: std::str::FromStr>(s: &str) -> Option<T> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_respects_quotes_and_angles() {
        let parts: Vec<&str> =
            split_top_level(r#""a,b" <sip:x;y=1,2>, c , "d\",e""#, b',').collect();
        assert_eq!(parts, vec![r#""a,b" <sip:x;y=1,2>"#, " c ", r#" "d\",e""#]);
    }

    #[test]
    fn quoting_round_trips() {
        let raw = r#"J Rosenberg \""#;
        assert_eq!(unquote(&quote(raw)), raw);
        let controls = "BEL:\x07 NUL:\0 DEL:\x7f";
        assert_eq!(quote(controls), "\"BEL:\\\x07 NUL:\\\0 DEL:\\\x7f\"");
        assert_eq!(unquote(&quote(controls)), controls);
        assert_eq!(quote("a\r\nb"), "\"a  b\"");
        assert_eq!(quoted_len(br#""a\"b" x"#), Some(6));
        assert_eq!(quoted_len(br#""abc"#), None);
    }

    #[test]
    fn decimal_rejects_signs_and_overflow() {
        assert_eq!(parse_decimal::<u32>("0009"), Some(9));
        assert_eq!(parse_decimal::<u32>("-1"), None);
        assert_eq!(parse_decimal::<u32>("36893488147419103232"), None);
        assert_eq!(parse_decimal::<u32>(""), None);
    }
}
