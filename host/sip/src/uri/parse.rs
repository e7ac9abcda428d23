//! URI parsing (RFC 3261 §19.1.1 and §25.1, RFC 3966 for `tel:`).

use std::net::{Ipv4Addr, Ipv6Addr};

use super::escape::escapes_well_formed;
use super::{Host, OtherUri, SipScheme, SipUri, TelUri, Uri, UriError};
use crate::params::Params;
use crate::text::parse_decimal;

/// Parses any URI by scheme.
pub(super) fn parse_uri(s: &str) -> Result<Uri, UriError> {
    if s.is_empty() {
        return Err(UriError::Empty);
    }
    if s.bytes().any(forbidden) {
        return Err(UriError::ForbiddenCharacter);
    }
    let colon = s.find(':').ok_or(UriError::InvalidScheme)?;
    let (scheme, body) = (&s[..colon], &s[colon + 1..]);
    if !valid_scheme(scheme) {
        return Err(UriError::InvalidScheme);
    }
    if scheme.eq_ignore_ascii_case("sip") {
        parse_sip(SipScheme::Sip, body).map(Uri::Sip)
    } else if scheme.eq_ignore_ascii_case("sips") {
        parse_sip(SipScheme::Sips, body).map(Uri::Sip)
    } else if scheme.eq_ignore_ascii_case("tel") {
        parse_tel(body).map(Uri::Tel)
    } else if body.is_empty() {
        Err(UriError::EmptyBody)
    } else {
        Ok(Uri::Other(OtherUri {
            scheme: scheme.to_owned(),
            body: body.to_owned(),
        }))
    }
}

/// Bytes that never appear unescaped in a URI: controls, space, non-ASCII,
/// and the delimiters that surround URIs in headers.
fn forbidden(b: u8) -> bool {
    b <= b' ' || b >= 0x7f || matches!(b, b'<' | b'>' | b'"')
}

fn valid_scheme(scheme: &str) -> bool {
    let mut bytes = scheme.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

fn parse_sip(scheme: SipScheme, body: &str) -> Result<SipUri, UriError> {
    // '@' may not appear unescaped in parameters or headers, while the user
    // part may hold '?', ';' and ',' (RFC 4475 §3.1.1.2), so the last '@'
    // ends the userinfo; parameters and headers follow the host.
    let (userinfo, after_user) = match body.rfind('@') {
        Some(at) => (Some(&body[..at]), &body[at + 1..]),
        None => (None, body),
    };
    let (rest, headers) = match after_user.find('?') {
        Some(q) => (&after_user[..q], Some(&after_user[q + 1..])),
        None => (after_user, None),
    };
    let (user, password) = match userinfo {
        Some(info) => {
            let (user, password) = match info.find(':') {
                Some(c) => (&info[..c], Some(&info[c + 1..])),
                None => (info, None),
            };
            if user.is_empty() || !escapes_well_formed(info) || info.contains('@') {
                return Err(UriError::InvalidUser);
            }
            (Some(user.to_owned()), password.map(str::to_owned))
        }
        None => (None, None),
    };
    let (hostport, params) = match rest.find(';') {
        Some(semi) => (&rest[..semi], Some(&rest[semi + 1..])),
        None => (rest, None),
    };
    let (host, port) = split_host_port(hostport)?;
    Ok(SipUri {
        scheme,
        user,
        password,
        host,
        port,
        params: match params {
            Some(p) => parse_uri_params(p)?,
            None => Params::new(),
        },
        headers: match headers {
            Some(h) => parse_uri_headers(h)?,
            None => Vec::new(),
        },
    })
}

/// Splits `host[:port]`, handling `[v6]:port`.
pub(crate) fn split_host_port(s: &str) -> Result<(Host, Option<u16>), UriError> {
    let (host, port) = if s.starts_with('[') {
        let close = s.find(']').ok_or(UriError::InvalidHost)?;
        let after = &s[close + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err(UriError::InvalidHost),
        };
        (&s[..=close], port)
    } else {
        match s.find(':') {
            Some(c) => (&s[..c], Some(&s[c + 1..])),
            None => (s, None),
        }
    };
    let port = match port {
        Some(p) => Some(parse_decimal::<u16>(p).ok_or(UriError::InvalidPort)?),
        None => None,
    };
    Ok((parse_host(host)?, port))
}

/// Parses a host (see [`Host::parse`]).
pub(super) fn parse_host(s: &str) -> Result<Host, UriError> {
    if let Some(inner) = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        return inner
            .parse::<Ipv6Addr>()
            .map(Host::Ipv6)
            .map_err(|_| UriError::InvalidHost);
    }
    let valid = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
        && !s.starts_with(['.', '-']);
    if !valid {
        return Err(UriError::InvalidHost);
    }
    // A name made of digits and dots must be a well-formed IPv4 address.
    if s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return s
            .parse::<Ipv4Addr>()
            .map(Host::Ipv4)
            .map_err(|_| UriError::InvalidHost);
    }
    Ok(Host::Domain(s.to_owned()))
}

/// `name[=value]` pieces separated by `;` (uri-parameters have no quoting).
fn parse_uri_params(s: &str) -> Result<Params, UriError> {
    let mut params = Params::new();
    for piece in s.split(';') {
        let (name, value) = match piece.find('=') {
            Some(eq) => (&piece[..eq], Some(&piece[eq + 1..])),
            None => (piece, None),
        };
        let value_ok = value.is_none_or(|v| !v.is_empty() && escapes_well_formed(v));
        if name.is_empty() || !escapes_well_formed(name) || !value_ok {
            return Err(UriError::InvalidParam);
        }
        params.push(name, value.map(str::to_owned));
    }
    Ok(params)
}

fn parse_uri_headers(s: &str) -> Result<Vec<(String, String)>, UriError> {
    s.split('&')
        .map(|piece| {
            let eq = piece.find('=').ok_or(UriError::InvalidHeader)?;
            let (name, value) = (&piece[..eq], &piece[eq + 1..]);
            if name.is_empty() || !escapes_well_formed(piece) {
                return Err(UriError::InvalidHeader);
            }
            Ok((name.to_owned(), value.to_owned()))
        })
        .collect()
}

fn parse_tel(body: &str) -> Result<TelUri, UriError> {
    let (number, params) = match body.find(';') {
        Some(semi) => (&body[..semi], Some(&body[semi + 1..])),
        None => (body, None),
    };
    if number.is_empty() {
        return Err(UriError::EmptyBody);
    }
    Ok(TelUri {
        number: number.to_owned(),
        params: match params {
            Some(p) => parse_uri_params(p)?,
            None => Params::new(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sip(s: &str) -> SipUri {
        match parse_uri(s) {
            Ok(Uri::Sip(u)) => u,
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn full_sip_uri() {
        let u = sip("sips:alice:secret@[2001:db8::10]:5061;transport=tcp;lr?Subject=hi&X=%20");
        assert_eq!(u.scheme, SipScheme::Sips);
        assert_eq!(u.user.as_deref(), Some("alice"));
        assert_eq!(u.password.as_deref(), Some("secret"));
        assert_eq!(u.host, Host::Ipv6("2001:db8::10".parse().unwrap()));
        assert_eq!(u.port, Some(5061));
        assert_eq!(u.transport(), Some("tcp"));
        assert!(u.lr());
        assert_eq!(u.headers.len(), 2);
        assert_eq!(
            u.to_string(),
            "sips:alice:secret@[2001:db8::10]:5061;transport=tcp;lr?Subject=hi&X=%20"
        );
    }

    #[test]
    fn user_part_may_hold_semicolons() {
        let u = sip("sip:user;par=u%40example.net@example.com");
        assert_eq!(u.user.as_deref(), Some("user;par=u%40example.net"));
        assert_eq!(u.user_unescaped().unwrap(), b"user;par=u@example.net");
        assert_eq!(u.host, Host::Domain("example.com".into()));
        assert!(u.params.is_empty());
    }

    #[test]
    fn other_schemes_and_tel() {
        assert_eq!(
            parse_uri("nobodyKnowsThisScheme:totallyopaquecontent").map(|u| u.scheme().to_owned()),
            Ok("nobodyKnowsThisScheme".to_owned())
        );
        let Ok(Uri::Tel(t)) = parse_uri("tel:+1-201-555-0123;phone-context=example.com") else {
            panic!("tel");
        };
        assert_eq!(t.number, "+1-201-555-0123");
        assert_eq!(t.params.value("phone-context"), Some("example.com"));
        assert_eq!(
            parse_uri("SIP:a@B.com").map(|u| u.to_string()),
            Ok("sip:a@B.com".into())
        );
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "<sip:user@example.com>",
            "sip:user@example.com; lr",
            "sip:",
            "sip:@host",
            "sip:host:99999",
            "sip:host:",
            "sip:host;;lr",
            "sip:[::1",
            "sip:a%4@host",
            "sip:256.1.1.1",
            "1sip:x",
            "sip:host?noequals",
        ] {
            assert!(parse_uri(bad).is_err(), "{bad:?} should fail");
        }
    }
}
