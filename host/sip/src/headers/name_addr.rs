//! name-addr / addr-spec values of From, To, Contact, Route, Record-Route
//! and similar headers (RFC 3261 §20.10, §20.20, §20.39, §25.1).

use std::fmt;

use super::Problem;
use super::params::parse_header_params;
use crate::params::Params;
use crate::text::{is_token_byte, is_ws, quote, quoted_len, trim_ws, unquote};
use crate::uri::Uri;

/// An address with an optional display name and header parameters
/// (`"Alice" <sip:alice@example.com>;tag=1`). Parameters after an addr-spec
/// written without `<>` belong to the header, not the URI (RFC 3261 §20,
/// RFC 4475 §3.3.12); printing always uses `<>` so this stays unambiguous.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameAddr {
    /// Display name, unquoted (quoted-pairs resolved).
    pub display_name: Option<String>,
    /// The address.
    pub uri: Uri,
    /// Header parameters (`tag`, `expires`, `q`, ...).
    pub params: Params,
}

/// The value of the Contact headers of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactList {
    /// `Contact: *` (REGISTER removing all bindings, RFC 3261 §10.2.2).
    Star,
    /// Zero or more addresses.
    Addresses(Vec<NameAddr>),
}

impl NameAddr {
    /// An address with no display name and no parameters.
    pub fn new(uri: Uri) -> NameAddr {
        NameAddr {
            display_name: None,
            uri,
            params: Params::new(),
        }
    }

    /// Parses `[display-name] <uri> *(;param)` or `addr-spec *(;param)`.
    pub fn parse(s: &str) -> Result<NameAddr, Problem> {
        let s = trim_ws(s);
        if s.is_empty() {
            return Err(Problem::Empty);
        }
        let (display_name, rest) = if s.starts_with('"') {
            let len = quoted_len(s.as_bytes()).ok_or(Problem::UnterminatedQuote)?;
            (Some(unquote(&s[..len])), trim_ws(&s[len..]))
        } else {
            // Before '<' there may be a display name of tokens; an
            // addr-spec has no '<' at all.
            match s.find('<') {
                Some(lt) => (token_display_name(&s[..lt])?, &s[lt..]),
                None => (None, s),
            }
        };
        if let Some(inner) = rest.strip_prefix('<') {
            let gt = inner.find('>').ok_or(Problem::AngleBrackets)?;
            let uri = Uri::parse(&inner[..gt]).map_err(Problem::Uri)?;
            let params = parse_header_params(&inner[gt + 1..]).map_err(|p| match p {
                Problem::Trailing => Problem::AngleBrackets,
                other => other,
            })?;
            return Ok(NameAddr {
                display_name,
                uri,
                params,
            });
        }
        if display_name.is_some() {
            return Err(Problem::AngleBrackets);
        }
        let end = rest.find([';', ' ', '\t']).unwrap_or(rest.len());
        let spec = &rest[..end];
        if spec.contains(['?', ',']) {
            return Err(Problem::UnenclosedUri);
        }
        Ok(NameAddr {
            display_name: None,
            uri: Uri::parse(spec).map_err(Problem::Uri)?,
            params: parse_header_params(&rest[end..])?,
        })
    }

    /// The `tag` parameter (From/To, RFC 3261 §19.3).
    pub fn tag(&self) -> Option<&str> {
        self.params.value("tag")
    }

    /// Sets the `tag` parameter.
    pub fn set_tag(&mut self, tag: &str) {
        self.params.set("tag", Some(tag));
    }

    /// The Contact `expires` parameter. A value that is not a number or
    /// exceeds 2^32-1 reads as absent, so the registrar applies its default
    /// (RFC 4475 §3.1.2.4).
    pub fn expires(&self) -> Option<u32> {
        self.params.value("expires").and_then(|v| v.parse().ok())
    }

    /// The Contact `q` parameter in thousandths (`q=0.5` is 500), when it is
    /// a valid qvalue (RFC 3261 §25.1: 0 to 1 with up to 3 decimals).
    pub fn q(&self) -> Option<u16> {
        parse_qvalue(self.params.value("q")?)
    }
}

/// A display name given as `*(token LWS)` (RFC 3261 §25.1); empty means none.
fn token_display_name(s: &str) -> Result<Option<String>, Problem> {
    let s = trim_ws(s);
    if s.is_empty() {
        return Ok(None);
    }
    if s.bytes().all(|b| is_token_byte(b) || is_ws(b)) {
        Ok(Some(s.to_owned()))
    } else {
        Err(Problem::InvalidDisplayName)
    }
}

fn parse_qvalue(v: &str) -> Option<u16> {
    let (int, frac) = match v.split_once('.') {
        Some((i, f)) => (i, f),
        None => (v, ""),
    };
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u16 = match int {
        "0" => 0,
        "1" => 1000,
        _ => return None,
    };
    let mut thousandths = 0u16;
    for (i, b) in frac.bytes().enumerate() {
        thousandths += u16::from(b - b'0') * [100, 10, 1][i];
    }
    let q = whole + thousandths;
    (q <= 1000).then_some(q)
}

impl fmt::Display for NameAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(name) = &self.display_name {
            write!(f, "{} ", quote(name))?;
        }
        write!(f, "<{}>{}", self.uri, self.params)
    }
}

impl fmt::Display for ContactList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContactList::Star => f.write_str("*"),
            ContactList::Addresses(list) => {
                for (i, addr) in list.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{addr}")?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::uri::UriError;

    #[test]
    fn quoted_display_name_with_escapes() {
        let a = NameAddr::parse(
            r#""J Rosenberg \\\""       <sip:jdrosen@example.com> ; tag = 98asjd8"#,
        )
        .unwrap();
        assert_eq!(a.display_name.as_deref(), Some(r#"J Rosenberg \""#));
        assert_eq!(a.tag(), Some("98asjd8"));
        assert_eq!(NameAddr::parse(&a.to_string()), Ok(a));
    }

    #[test]
    fn addr_spec_params_belong_to_header() {
        let a = NameAddr::parse("sip:+19725552222@gw1.example.net;unknownparam").unwrap();
        assert!(a.params.contains("unknownparam"));
        assert!(a.uri.as_sip().unwrap().params.is_empty());
        let b = NameAddr::parse("<sip:+19725552222@gw1.example.net;unknownparam>").unwrap();
        assert!(b.params.is_empty());
        assert!(b.uri.as_sip().unwrap().params.contains("unknownparam"));
    }

    #[test]
    fn token_display_names() {
        let a = NameAddr::parse("caller<sip:caller@example.com>;tag=323").unwrap();
        assert_eq!(a.display_name.as_deref(), Some("caller"));
        let b =
            NameAddr::parse("token1~` token2'+_ token3*%!.- <sip:mundane@example.com>").unwrap();
        assert_eq!(
            b.display_name.as_deref(),
            Some("token1~` token2'+_ token3*%!.-")
        );
    }

    #[test]
    fn invalid_forms() {
        assert_eq!(
            NameAddr::parse(r#""Mr. J. User <sip:j.user@example.com>"#),
            Err(Problem::UnterminatedQuote)
        );
        assert_eq!(
            NameAddr::parse("Bell, Alexander <sip:a.g.bell@example.com>;tag=43"),
            Err(Problem::InvalidDisplayName)
        );
        assert_eq!(
            NameAddr::parse(r#""Watson, Thomas" < sip:t.watson@example.org >"#),
            Err(Problem::Uri(UriError::ForbiddenCharacter))
        );
        assert_eq!(
            NameAddr::parse("sip:user@example.com?Route=%3Csip:sip.example.com%3E"),
            Err(Problem::UnenclosedUri)
        );
        assert_eq!(NameAddr::parse("<sip:a@b"), Err(Problem::AngleBrackets));
        assert_eq!(NameAddr::parse("<sip:a@b> x"), Err(Problem::AngleBrackets));
    }

    #[test]
    fn expires_and_q() {
        let a = NameAddr::parse("<sip:a@b>;expires=280297596632815;q=0.33").unwrap();
        assert_eq!(a.expires(), None);
        assert_eq!(a.q(), Some(330));
        assert_eq!(parse_qvalue("1.000"), Some(1000));
        assert_eq!(parse_qvalue("1.5"), None);
        assert_eq!(parse_qvalue("0.3333"), None);
    }
}
