//! `%HH` escapes (RFC 3261 §19.1.2, §25.1 `escaped`).

use crate::text::hex_val;

/// Decodes `%HH` escapes. A `%` not followed by two hex digits is kept as is
/// (the parser rejects those where the grammar requires escapes, but display
/// names and other free text may carry them, RFC 4475 §3.1.1.5).
pub fn unescape(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex_val),
                bytes.get(i + 2).copied().and_then(hex_val),
            )
        {
            out.push(h << 4 | l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// True when every `%` in `s` starts a valid `%HH` escape.
pub(crate) fn escapes_well_formed(s: &str) -> bool {
    let bytes = s.as_bytes();
    bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || (bytes.get(i + 1).copied().and_then(hex_val).is_some()
                && bytes.get(i + 2).copied().and_then(hex_val).is_some())
    })
}

/// Escapes bytes for a user part: RFC 3261 §25.1 `unreserved` and
/// `user-unreserved` stay literal, everything else becomes `%HH`, so that
/// equal users always escape to the same text.
pub(crate) fn escape_user(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        let literal = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'_'
                    | b'.'
                    | b'!'
                    | b'~'
                    | b'*'
                    | b'\''
                    | b'('
                    | b')'
                    | b'&'
                    | b'='
                    | b'+'
                    | b'$'
                    | b','
                    | b';'
                    | b'?'
                    | b'/'
            );
        if literal {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 0xf)] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescape_decodes_nul_and_keeps_stray_percent() {
        assert_eq!(unescape("null-%00-null"), b"null-\0-null");
        assert_eq!(unescape("%75se%72"), b"user");
        assert_eq!(unescape("%Z%45"), b"%ZE");
        assert!(!escapes_well_formed("a%4"));
        assert!(escapes_well_formed("a%41b"));
    }

    #[test]
    fn escape_user_round_trips() {
        let raw = b"I have\0spaces@x";
        assert_eq!(unescape(&escape_user(raw)), raw);
        assert_eq!(escape_user(b"alice"), "alice");
    }
}
