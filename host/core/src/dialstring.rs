//! FreeSWITCH dial strings, as `bridge` and `originate` take them:
//!
//! ```text
//! {a=b,c=d}[x=1]user/1000,[x=2]user/1001@example.com|sofia/gateway/carrier/15551234567
//! ```
//!
//! - `|` separates groups tried one after another (failover); `,` separates
//!   legs rung at the same time within a group.
//! - `{...}` at the start of the string applies to every leg; `{...}` at the
//!   start of a later `|` group applies to that group's legs; `[...]` before a
//!   leg applies to that leg only. Later assignments win.
//! - Values may be quoted with `'` to hold `,` `|` `]` `}`.
//! - Endpoints: `user/<id>[@domain]`, `sofia/gateway/<gw>/<number>`,
//!   `sofia/<profile>/<user@host[:port]>`, and `error/<CAUSE>` (fails at
//!   once with that cause, handy in tests and fallbacks).

use witswitch_types::HangupCause;

/// Longest dial string accepted (a dialplan bug, not a call, beyond this).
const MAX_DIAL_STRING: usize = 16 * 1024;

/// A parsed dial string.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DialString {
    /// `{...}` variables for every leg.
    pub vars: Vec<(String, String)>,
    /// Failover groups, tried in order.
    pub groups: Vec<DialGroup>,
}

/// Legs rung at the same time.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DialGroup {
    /// `{...}` at the start of this `|` group.
    pub vars: Vec<(String, String)>,
    /// The legs.
    pub legs: Vec<DialLeg>,
}

/// One target with its `[...]` variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialLeg {
    /// `[...]` variables.
    pub vars: Vec<(String, String)>,
    /// Where to.
    pub endpoint: Endpoint,
}

/// A dial target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// `user/<id>[@domain]`: every registered contact of the user.
    User {
        /// The user id.
        id: String,
        /// The domain, if given.
        domain: Option<String>,
    },
    /// `sofia/gateway/<name>/<number>`.
    Gateway {
        /// Gateway name.
        name: String,
        /// Number to dial.
        number: String,
    },
    /// `sofia/<profile>/<destination>`.
    Profile {
        /// Profile name.
        profile: String,
        /// `user@host[:port]` or a `sip:` URI.
        destination: String,
    },
    /// `error/<CAUSE>`: fails at once.
    Error(HangupCause),
    /// Anything else (`loopback/...`, `freetdm/...`): fails with
    /// CHAN_NOT_IMPLEMENTED, as FreeSWITCH does for an unknown endpoint.
    Unsupported(String),
}

/// Why a dial string could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DialStringError {
    /// Nothing to dial.
    #[error("empty dial string")]
    Empty,
    /// Longer than the limit.
    #[error("dial string longer than {MAX_DIAL_STRING} bytes")]
    TooLong,
    /// A `{`, `[` or `'` without its closing partner.
    #[error("unbalanced `{0}` in dial string")]
    Unbalanced(char),
    /// `sofia/gateway/` without a name or number, `user/` without an id, ...
    #[error("malformed endpoint `{0}`")]
    BadEndpoint(String),
}

/// Parses a dial string.
pub fn parse(text: &str) -> Result<DialString, DialStringError> {
    if text.len() > MAX_DIAL_STRING {
        return Err(DialStringError::TooLong);
    }
    let text = text.trim();
    let (vars, rest) = take_block(text, '{', '}')?;
    let mut groups = Vec::new();
    for group_text in split_top(rest, '|')? {
        let (group_vars, legs_text) = take_block(group_text.trim(), '{', '}')?;
        let mut legs = Vec::new();
        for leg_text in split_top(legs_text, ',')? {
            let leg_text = leg_text.trim();
            if leg_text.is_empty() {
                continue;
            }
            let (leg_vars, endpoint) = take_block(leg_text, '[', ']')?;
            legs.push(DialLeg {
                vars: leg_vars,
                endpoint: parse_endpoint(endpoint.trim())?,
            });
        }
        if !legs.is_empty() {
            groups.push(DialGroup {
                vars: group_vars,
                legs,
            });
        }
    }
    if groups.is_empty() {
        return Err(DialStringError::Empty);
    }
    Ok(DialString { vars, groups })
}

/// Splits `text` on `sep` outside brackets and quotes.
fn split_top(text: &str, sep: char) -> Result<Vec<&str>, DialStringError> {
    let mut parts = Vec::new();
    let mut depth: Vec<char> = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            _ if quoted => {}
            '{' | '[' => depth.push(c),
            '}' | ']' => {
                depth.pop();
            }
            _ if c == sep && depth.is_empty() => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    if quoted {
        return Err(DialStringError::Unbalanced('\''));
    }
    if let Some(open) = depth.pop() {
        return Err(DialStringError::Unbalanced(open));
    }
    parts.push(&text[start..]);
    Ok(parts)
}

/// Takes a leading `open ... close` block of variables, if present.
fn take_block(text: &str, open: char, close: char) -> Result<(Vars, &str), DialStringError> {
    let Some(body_start) = text.strip_prefix(open) else {
        return Ok((Vec::new(), text));
    };
    let mut quoted = false;
    for (i, c) in body_start.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            _ if quoted => {}
            _ if c == close => {
                let vars = parse_vars(&body_start[..i])?;
                return Ok((vars, &body_start[i + close.len_utf8()..]));
            }
            _ => {}
        }
    }
    Err(DialStringError::Unbalanced(open))
}

/// `name=value` assignments in order.
type Vars = Vec<(String, String)>;

fn parse_vars(body: &str) -> Result<Vars, DialStringError> {
    let mut vars = Vec::new();
    for item in split_top(body, ',')? {
        let Some((name, value)) = item.split_once('=') else {
            continue;
        };
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        let value = value.trim();
        let value = value
            .strip_prefix('\'')
            .and_then(|v| v.strip_suffix('\''))
            .unwrap_or(value);
        vars.push((name.to_owned(), value.to_owned()));
    }
    Ok(vars)
}

fn parse_endpoint(text: &str) -> Result<Endpoint, DialStringError> {
    let bad = || DialStringError::BadEndpoint(text.to_owned());
    let (kind, rest) = text.split_once('/').ok_or_else(bad)?;
    match kind.to_ascii_lowercase().as_str() {
        "user" => {
            let (id, domain) = match rest.split_once('@') {
                Some((id, domain)) => (id, Some(domain.to_owned()).filter(|d| !d.is_empty())),
                None => (rest, None),
            };
            if id.is_empty() {
                return Err(bad());
            }
            Ok(Endpoint::User {
                id: id.to_owned(),
                domain,
            })
        }
        "sofia" => {
            let (profile, destination) = rest.split_once('/').ok_or_else(bad)?;
            if profile == "gateway" {
                let (name, number) = destination.split_once('/').ok_or_else(bad)?;
                if name.is_empty() || number.is_empty() {
                    return Err(bad());
                }
                return Ok(Endpoint::Gateway {
                    name: name.to_owned(),
                    number: number.to_owned(),
                });
            }
            if profile.is_empty() || destination.is_empty() {
                return Err(bad());
            }
            Ok(Endpoint::Profile {
                profile: profile.to_owned(),
                destination: destination.to_owned(),
            })
        }
        "error" => Ok(Endpoint::Error(
            rest.parse().unwrap_or(HangupCause::NormalUnspecified),
        )),
        _ => Ok(Endpoint::Unsupported(text.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str) -> Endpoint {
        Endpoint::User {
            id: id.to_owned(),
            domain: None,
        }
    }

    fn kv(k: &str, v: &str) -> (String, String) {
        (k.to_owned(), v.to_owned())
    }

    #[test]
    fn single_user() {
        let d = parse("user/1000").expect("parses");
        assert!(d.vars.is_empty());
        assert_eq!(d.groups.len(), 1);
        assert_eq!(d.groups[0].legs[0].endpoint, user("1000"));
    }

    #[test]
    fn user_with_domain() {
        let d = parse("user/1001@example.com").expect("parses");
        assert_eq!(
            d.groups[0].legs[0].endpoint,
            Endpoint::User {
                id: "1001".into(),
                domain: Some("example.com".into())
            }
        );
    }

    #[test]
    fn parallel_and_failover() {
        let d = parse("user/1000,user/1001|sofia/gateway/carrier/15551234567").expect("parses");
        assert_eq!(d.groups.len(), 2);
        assert_eq!(d.groups[0].legs.len(), 2);
        assert_eq!(d.groups[0].legs[1].endpoint, user("1001"));
        assert_eq!(
            d.groups[1].legs[0].endpoint,
            Endpoint::Gateway {
                name: "carrier".into(),
                number: "15551234567".into()
            }
        );
    }

    #[test]
    fn global_group_and_leg_variables() {
        let d = parse("{a=1,call_timeout=20}[x=1]user/1000,[x=2,y='p,q']user/1001|{b=2}user/1002")
            .expect("parses");
        assert_eq!(d.vars, vec![kv("a", "1"), kv("call_timeout", "20")]);
        assert_eq!(d.groups[0].legs[0].vars, vec![kv("x", "1")]);
        assert_eq!(d.groups[0].legs[1].vars, vec![kv("x", "2"), kv("y", "p,q")]);
        assert_eq!(d.groups[1].vars, vec![kv("b", "2")]);
        assert_eq!(d.groups[1].legs[0].endpoint, user("1002"));
    }

    #[test]
    fn profile_endpoint_keeps_port_and_uri() {
        let d = parse("sofia/internal/ring@127.0.0.1:5070").expect("parses");
        assert_eq!(
            d.groups[0].legs[0].endpoint,
            Endpoint::Profile {
                profile: "internal".into(),
                destination: "ring@127.0.0.1:5070".into()
            }
        );
        let d = parse("sofia/external/sip:1000@10.0.0.1;transport=tcp").expect("parses");
        assert_eq!(
            d.groups[0].legs[0].endpoint,
            Endpoint::Profile {
                profile: "external".into(),
                destination: "sip:1000@10.0.0.1;transport=tcp".into()
            }
        );
    }

    #[test]
    fn error_and_unknown_endpoints() {
        let d = parse("error/user_busy,loopback/9196").expect("parses");
        assert_eq!(
            d.groups[0].legs[0].endpoint,
            Endpoint::Error(HangupCause::UserBusy)
        );
        assert_eq!(
            d.groups[0].legs[1].endpoint,
            Endpoint::Unsupported("loopback/9196".into())
        );
    }

    #[test]
    fn malformed_strings_are_errors_not_panics() {
        assert_eq!(parse(""), Err(DialStringError::Empty));
        assert_eq!(parse(" , | "), Err(DialStringError::Empty));
        assert_eq!(
            parse("{a=b user/1000"),
            Err(DialStringError::Unbalanced('{'))
        );
        assert_eq!(
            parse("[a=b user/1000"),
            Err(DialStringError::Unbalanced('['))
        );
        assert_eq!(parse("{a='b}user/1"), Err(DialStringError::Unbalanced('{')));
        assert!(matches!(
            parse("user/"),
            Err(DialStringError::BadEndpoint(_))
        ));
        assert!(matches!(
            parse("sofia/gateway/gw"),
            Err(DialStringError::BadEndpoint(_))
        ));
        assert!(matches!(
            parse("nonsense"),
            Err(DialStringError::BadEndpoint(_))
        ));
        assert_eq!(
            parse(&"a".repeat(MAX_DIAL_STRING + 1)),
            Err(DialStringError::TooLong)
        );
        for junk in ["{]", "[}", "}{", "''", "{'}'}user/1", "é/ü,|{[", "user/1@"] {
            let _ = parse(junk);
        }
    }

    #[test]
    fn empty_legs_are_skipped() {
        let d = parse("user/1000,,user/1001,").expect("parses");
        assert_eq!(d.groups[0].legs.len(), 2);
    }
}
