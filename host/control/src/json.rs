//! The small JSON subset the event socket needs, written to match FreeSWITCH's
//! (cJSON, unformatted) output byte for byte: objects of string values, no spaces.
//!
//! Escaping follows cJSON: `"` and `\` are backslash-escaped, `\b \f \n \r \t` use their
//! short forms, other bytes below 0x20 become `\u00xx` (lowercase hex), everything else
//! (including `/` and non-ASCII UTF-8) is copied raw.

use thiserror::Error;

/// Appends `value` as a quoted, escaped JSON string.
pub fn write_string(value: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let bytes = value.as_bytes();
    let mut start = 0;
    for (index, &byte) in bytes.iter().enumerate() {
        let short = match byte {
            b'"' => Some(b'"'),
            b'\\' => Some(b'\\'),
            0x08 => Some(b'b'),
            0x0c => Some(b'f'),
            b'\n' => Some(b'n'),
            b'\r' => Some(b'r'),
            b'\t' => Some(b't'),
            _ => None,
        };
        if short.is_none() && byte >= 0x20 {
            continue;
        }
        out.extend_from_slice(&bytes[start..index]);
        match short {
            Some(letter) => out.extend_from_slice(&[b'\\', letter]),
            None => out.extend_from_slice(format!("\\u{byte:04x}").as_bytes()),
        }
        start = index + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Appends `{"k":"v",...}` for the pairs, in order (duplicates kept, as cJSON does).
pub fn write_object<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>, out: &mut Vec<u8>) {
    out.push(b'{');
    for (index, (key, value)) in pairs.into_iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        write_string(key, out);
        out.push(b':');
        write_string(value, out);
    }
    out.push(b'}');
}

/// Why a JSON text is not a flat object of strings.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum JsonError {
    /// The text ended inside a value.
    #[error("unexpected end of JSON text")]
    UnexpectedEnd,
    /// A byte that cannot appear here.
    #[error("unexpected byte {byte:#04x} at offset {offset}")]
    Unexpected {
        /// The offending byte.
        byte: u8,
        /// Its offset in the text.
        offset: usize,
    },
    /// A `\u` escape that is not four hex digits or not a valid scalar value.
    #[error("bad \\u escape at offset {0}")]
    BadEscape(usize),
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn skip_space(&mut self) {
        while self
            .bytes
            .get(self.pos)
            .is_some_and(|b| b.is_ascii_whitespace())
        {
            self.pos += 1;
        }
    }

    fn next(&mut self) -> Result<u8, JsonError> {
        let byte = *self.bytes.get(self.pos).ok_or(JsonError::UnexpectedEnd)?;
        self.pos += 1;
        Ok(byte)
    }

    fn expect(&mut self, want: u8) -> Result<(), JsonError> {
        self.skip_space();
        let offset = self.pos;
        let byte = self.next()?;
        if byte == want {
            Ok(())
        } else {
            Err(JsonError::Unexpected { byte, offset })
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let offset = self.pos;
        let digits = self
            .bytes
            .get(self.pos..self.pos + 4)
            .ok_or(JsonError::UnexpectedEnd)?;
        let text = std::str::from_utf8(digits).map_err(|_| JsonError::BadEscape(offset))?;
        self.pos += 4;
        u32::from_str_radix(text, 16).map_err(|_| JsonError::BadEscape(offset))
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.expect(b'"')?;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let offset = self.pos;
            match self.next()? {
                b'"' => break,
                b'\\' => {
                    let unescaped = match self.next()? {
                        b'"' => b'"',
                        b'\\' => b'\\',
                        b'/' => b'/',
                        b'b' => 0x08,
                        b'f' => 0x0c,
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'u' => {
                            let ch = self.unicode_escape(offset)?;
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                            continue;
                        }
                        byte => return Err(JsonError::Unexpected { byte, offset }),
                    };
                    out.push(unescaped);
                }
                byte => out.push(byte),
            }
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    fn unicode_escape(&mut self, offset: usize) -> Result<char, JsonError> {
        let first = self.hex4()?;
        let code = if (0xd800..0xdc00).contains(&first) {
            // A surrogate pair: `\ud83d\ude00`.
            if self.next()? != b'\\' || self.next()? != b'u' {
                return Err(JsonError::BadEscape(offset));
            }
            let second = self.hex4()?;
            if !(0xdc00..0xe000).contains(&second) {
                return Err(JsonError::BadEscape(offset));
            }
            0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00)
        } else {
            first
        };
        char::from_u32(code).ok_or(JsonError::BadEscape(offset))
    }
}

/// Parses a JSON object whose values are all strings, keeping key order and duplicates.
pub fn parse_flat_object(text: &[u8]) -> Result<Vec<(String, String)>, JsonError> {
    let mut reader = Reader {
        bytes: text,
        pos: 0,
    };
    reader.expect(b'{')?;
    let mut pairs = Vec::new();
    reader.skip_space();
    if reader.bytes.get(reader.pos) == Some(&b'}') {
        reader.pos += 1;
    } else {
        loop {
            let key = reader.string()?;
            reader.expect(b':')?;
            let value = reader.string()?;
            pairs.push((key, value));
            reader.skip_space();
            let offset = reader.pos;
            match reader.next()? {
                b',' => continue,
                b'}' => break,
                byte => return Err(JsonError::Unexpected { byte, offset }),
            }
        }
    }
    reader.skip_space();
    match reader.bytes.get(reader.pos) {
        None => Ok(pairs),
        Some(&byte) => Err(JsonError::Unexpected {
            byte,
            offset: reader.pos,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(value: &str) -> String {
        let mut out = Vec::new();
        write_string(value, &mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn escapes_like_cjson() {
        assert_eq!(written("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(written("v=0\r\no=x"), r#""v=0\r\no=x""#);
        assert_eq!(
            written("\u{1}\u{1f}\t\u{8}\u{c}"),
            r#""\u0001\u001f\t\b\f""#
        );
        assert_eq!(written("RTP/AVP é"), "\"RTP/AVP é\"");
    }

    #[test]
    fn object_round_trip_keeps_order_and_duplicates() {
        let pairs = [("B", "1"), ("A", "x\ny"), ("B", "2")];
        let mut out = Vec::new();
        write_object(pairs.iter().map(|(k, v)| (*k, *v)), &mut out);
        assert_eq!(out, br#"{"B":"1","A":"x\ny","B":"2"}"#);
        let parsed = parse_flat_object(&out);
        let expected: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(parsed, Ok(expected));
    }

    #[test]
    fn parser_rejects_garbage_without_panicking() {
        for text in [
            &b""[..],
            b"{",
            b"{\"a\"",
            b"{\"a\":1}",
            b"[]",
            b"{\"a\":\"\\u12\"}",
            b"{\"a\":\"b\"} x",
        ] {
            assert!(
                parse_flat_object(text).is_err(),
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
        assert_eq!(parse_flat_object(b" { } "), Ok(Vec::new()));
        assert_eq!(
            parse_flat_object(br#"{"e":"\ud83d\ude00\u00e9"}"#),
            Ok(vec![("e".to_string(), "😀é".to_string())])
        );
    }
}
