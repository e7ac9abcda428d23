//! URL-encoding of event header values, as FreeSWITCH's event serializer does it.
//!
//! Plain (`text/event-plain`) and XML events carry each header value URL-encoded:
//! bytes below 0x20, above 0x7E, and the characters `\r\n #%&+:;<=>?@[\]^`{|}"` become
//! `%XX` (uppercase hex). A `%` that already starts a valid `%XX` escape (uppercase hex
//! digits) is copied as is, so an encoded value is not encoded twice. Everything else
//! (letters, digits, `-_.~/,!*'()$`) passes unchanged — `RTP/AVP`, `PCMU,PCMA` and
//! `1.10.12-release+git~...`'s `~` stay readable in the recordings.

/// Characters in the printable range that FreeSWITCH encodes anyway.
const UNSAFE: &[u8] = b"\r\n #%&+:;<=>?@[\\]^`{|}\"";

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

fn is_upper_hex(byte: u8) -> bool {
    byte.is_ascii_digit() || (b'A'..=b'F').contains(&byte)
}

/// `NEEDS_ENCODING[b]`: whether byte `b` is written as `%XX` (a table, because this
/// runs over every byte of every event for every subscriber format).
const NEEDS_ENCODING: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = byte < 0x20 || byte > 0x7e;
        byte += 1;
    }
    let mut index = 0;
    while index < UNSAFE.len() {
        table[UNSAFE[index] as usize] = true;
        index += 1;
    }
    table
};

fn needs_encoding(byte: u8) -> bool {
    NEEDS_ENCODING[usize::from(byte)]
}

/// Appends `value` URL-encoded to `out`.
pub fn encode_into(value: &str, out: &mut Vec<u8>) {
    let bytes = value.as_bytes();
    let mut start = 0;
    for (index, &byte) in bytes.iter().enumerate() {
        if !needs_encoding(byte) {
            continue;
        }
        let keep_escape = byte == b'%'
            && bytes.get(index + 1).copied().is_some_and(is_upper_hex)
            && bytes.get(index + 2).copied().is_some_and(is_upper_hex);
        if keep_escape {
            continue;
        }
        out.extend_from_slice(&bytes[start..index]);
        out.push(b'%');
        out.push(HEX_UPPER[usize::from(byte >> 4)]);
        out.push(HEX_UPPER[usize::from(byte & 0x0f)]);
        start = index + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// `value` URL-encoded.
pub fn encode(value: &str) -> String {
    let mut out = Vec::with_capacity(value.len());
    encode_into(value, &mut out);
    // Only ASCII was added and the input was UTF-8, so this cannot fail; fall back
    // to a lossy copy rather than panic if that reasoning is ever broken.
    String::from_utf8(out)
        .unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned())
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Decodes `%XX` escapes (either hex case) and `+` as space, as ESL client libraries do.
/// An invalid escape is kept literally; invalid UTF-8 after decoding is replaced.
pub fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        if byte == b'%' {
            let high = bytes.get(index + 1).copied().and_then(hex_value);
            let low = bytes.get(index + 2).copied().and_then(hex_value);
            if let (Some(high), Some(low)) = (high, low) {
                out.push(high << 4 | low);
                index += 3;
                continue;
            }
        }
        out.push(if byte == b'+' { b' ' } else { byte });
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_the_characters_seen_in_recordings() {
        assert_eq!(encode("fd00::2"), "fd00%3A%3A2");
        assert_eq!(encode("2026-11-26 12:18:54"), "2026-11-26%2012%3A18%3A54");
        assert_eq!(
            encode("sofia/internal/1000@127.0.0.1"),
            "sofia/internal/1000%40127.0.0.1"
        );
        assert_eq!(
            encode("1.10.12-release+git~20240802T210227Z~a88d069d6f~64bit"),
            "1.10.12-release%2Bgit~20240802T210227Z~a88d069d6f~64bit"
        );
        assert_eq!(encode("INVITE, ACK"), "INVITE,%20ACK");
        assert_eq!(encode("+OK\n"), "%2BOK%0A");
    }

    #[test]
    fn leaves_valid_escapes_and_encodes_bare_percent() {
        assert_eq!(
            encode("tone_stream://%(200,0,440)"),
            "tone_stream%3A//%25(200,0,440)"
        );
        assert_eq!(encode("%a, %d %b"), "%25a,%20%25d%20%25b");
        assert_eq!(encode("already%20done"), "already%20done");
        // Lowercase hex is not a valid escape for FreeSWITCH's check.
        assert_eq!(encode("x%2a"), "x%252a");
        assert_eq!(encode("end%2"), "end%252");
    }

    #[test]
    fn encodes_control_and_non_ascii_bytes() {
        assert_eq!(encode("a\tb"), "a%09b");
        assert_eq!(encode("é"), "%C3%A9");
        assert_eq!(encode("\u{7f}"), "%7F");
    }

    #[test]
    fn decode_inverts_encode() {
        for text in ["fd00::2", "a b+c%d", "é\r\n<&>", "100%", "%zz"] {
            assert_eq!(decode(&encode(text)), text, "{text}");
        }
        assert_eq!(decode("a+b%2b"), "a b+");
        assert_eq!(decode("%4"), "%4");
    }
}
