//! `*( SEMI generic-param )` after a header value (RFC 3261 §25.1), where
//! values may be quoted strings and LWS may surround `;` and `=`.

use super::Problem;
use crate::params::Params;
use crate::text::{is_token_byte, quoted_len, trim_ws};

/// Parses `;a=b ; c ;d="x;y"` (the text must be empty or start with `;`
/// after optional white space).
pub(crate) fn parse_header_params(s: &str) -> Result<Params, Problem> {
    let mut params = Params::new();
    let mut rest = trim_ws(s);
    while !rest.is_empty() {
        rest = trim_ws(rest.strip_prefix(';').ok_or(Problem::Trailing)?);
        let name_len = rest.bytes().take_while(|&b| is_token_byte(b)).count();
        if name_len == 0 {
            return Err(Problem::Param);
        }
        let name = &rest[..name_len];
        rest = trim_ws(&rest[name_len..]);
        let value = match rest.strip_prefix('=') {
            Some(after) => {
                let after = trim_ws(after);
                let len = value_len(after)?;
                rest = trim_ws(&after[len..]);
                Some(after[..len].to_owned())
            }
            None => None,
        };
        params.push(name, value);
    }
    Ok(params)
}

/// Length of a gen-value: a quoted string, or a run of token characters
/// plus `:`, `[`, `]` (host and IPv6 values).
fn value_len(s: &str) -> Result<usize, Problem> {
    if s.starts_with('"') {
        return quoted_len(s.as_bytes()).ok_or(Problem::UnterminatedQuote);
    }
    let len = s
        .bytes()
        .take_while(|&b| is_token_byte(b) || matches!(b, b':' | b'[' | b']'))
        .count();
    if len == 0 {
        Err(Problem::Param)
    } else {
        Ok(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lws_around_separators() {
        let p = parse_header_params(" ;   tag    = 1918181833n").unwrap();
        assert_eq!(p.value("tag"), Some("1918181833n"));
        let p = parse_header_params("; newparam = newvalue ; secondparam ; q = 0.33").unwrap();
        assert_eq!(p.value("newparam"), Some("newvalue"));
        assert_eq!(p.get("secondparam"), Some(None));
        assert_eq!(p.value("q"), Some("0.33"));
        let p = parse_header_params(r#";x="a;b\"c";received=[2001:db8::1]"#).unwrap();
        assert_eq!(p.value("x"), Some(r#""a;b\"c""#));
        assert_eq!(p.value("received"), Some("[2001:db8::1]"));
    }

    #[test]
    fn rejects_empty_and_garbage() {
        assert_eq!(parse_header_params(";;"), Err(Problem::Param));
        assert_eq!(parse_header_params(";a="), Err(Problem::Param));
        assert_eq!(
            parse_header_params(";a=\"x"),
            Err(Problem::UnterminatedQuote)
        );
        assert_eq!(parse_header_params("junk"), Err(Problem::Trailing));
        assert!(parse_header_params("").unwrap().is_empty());
    }
}
