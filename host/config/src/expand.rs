//! `${name}` expansion of the global variables from `[vars]` in `witswitch.toml`.
//!
//! FreeSWITCH users know two forms: `$${name}` (preprocessor, at load time) and
//! `${name}` (channel variable, at run time). Config values only ever see global
//! variables, so both forms expand here to the global's value; the doubled `$` is
//! accepted so that values copied from a FreeSWITCH `vars.xml` keep working.
//! A `$` that does not start `${` is kept literally.

use std::collections::BTreeMap;

use thiserror::Error;

/// Why a string could not be expanded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ExpandError {
    /// `${name}` names a variable that `[vars]` does not define.
    #[error("unknown variable \"${{{name}}}\" (define it in [vars] of witswitch.toml)")]
    UnknownVariable {
        /// The variable name between the braces.
        name: String,
    },
    /// `${` without the closing `}`.
    #[error("unterminated \"${{\" (missing \"}}\")")]
    Unterminated,
    /// The text between the braces is empty or has characters names may not have.
    #[error("\"${{{name}}}\" is not a valid variable name (letters, digits, '_', '-', '.')")]
    BadName {
        /// The text found between the braces.
        name: String,
    },
    /// Variables refer to each other in a loop.
    #[error("variables refer to each other in a loop: {chain}")]
    Cycle {
        /// The loop, e.g. `a -> b -> a`.
        chain: String,
    },
}

/// True if `name` may be used as a variable name.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
}

/// Replace every `${name}` (and `$${name}`) in `input` with its value from `vars`.
///
/// Values are inserted as they are: expansion is not applied to them again.
pub fn expand(input: &str, vars: &BTreeMap<String, String>) -> Result<String, ExpandError> {
    expand_with(input, &mut |name| {
        vars.get(name)
            .cloned()
            .ok_or_else(|| ExpandError::UnknownVariable {
                name: name.to_owned(),
            })
    })
}

/// The scanner behind [`expand`], with a caller-supplied lookup so that
/// [`resolve_vars`] can expand variables that refer to other variables.
fn expand_with(
    input: &str,
    lookup: &mut dyn FnMut(&str) -> Result<String, ExpandError>,
) -> Result<String, ExpandError> {
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar..];
        // `$${` is the FreeSWITCH preprocessor spelling of the same thing.
        let open = if after.starts_with("$${") {
            3
        } else if after.starts_with("${") {
            2
        } else {
            out.push('$');
            rest = &after[1..];
            continue;
        };
        let body = &after[open..];
        let close = body.find('}').ok_or(ExpandError::Unterminated)?;
        let name = &body[..close];
        if !is_valid_name(name) {
            return Err(ExpandError::BadName {
                name: name.to_owned(),
            });
        }
        out.push_str(&lookup(name)?);
        rest = &body[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Expand the `[vars]` table itself: a variable may use others
/// (`domain = "${local_ip}"`). Loops are an error naming the loop.
///
/// On error the name of the variable whose value failed is returned with it.
pub fn resolve_vars(
    raw: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, (String, ExpandError)> {
    let mut done = BTreeMap::new();
    for name in raw.keys() {
        let mut visiting = Vec::new();
        resolve_one(name, raw, &mut done, &mut visiting).map_err(|e| (name.clone(), e))?;
    }
    Ok(done)
}

fn resolve_one(
    name: &str,
    raw: &BTreeMap<String, String>,
    done: &mut BTreeMap<String, String>,
    visiting: &mut Vec<String>,
) -> Result<String, ExpandError> {
    if let Some(value) = done.get(name) {
        return Ok(value.clone());
    }
    if visiting.iter().any(|v| v == name) {
        let mut chain: Vec<&str> = visiting.iter().map(String::as_str).collect();
        chain.push(name);
        return Err(ExpandError::Cycle {
            chain: chain.join(" -> "),
        });
    }
    let template = raw.get(name).ok_or_else(|| ExpandError::UnknownVariable {
        name: name.to_owned(),
    })?;
    visiting.push(name.to_owned());
    let value = expand_with(template, &mut |inner| {
        resolve_one(inner, raw, done, visiting)
    })?;
    visiting.pop();
    done.insert(name.to_owned(), value.clone());
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn expands_known_variables_in_place() {
        let v = vars(&[("domain", "example.com"), ("local_ip", "10.0.0.5")]);
        assert_eq!(
            expand("sip:${domain}:5060 via ${local_ip}", &v).unwrap(),
            "sip:example.com:5060 via 10.0.0.5"
        );
        assert_eq!(expand("$${domain}", &v).unwrap(), "example.com");
        assert_eq!(expand("no variables", &v).unwrap(), "no variables");
    }

    #[test]
    fn lone_dollar_is_literal() {
        let v = vars(&[("x", "1")]);
        assert_eq!(expand("cost $5 and $x", &v).unwrap(), "cost $5 and $x");
        assert_eq!(expand("trailing $", &v).unwrap(), "trailing $");
    }

    #[test]
    fn values_are_not_expanded_twice() {
        let v = vars(&[("a", "${b}"), ("b", "no")]);
        assert_eq!(expand("${a}", &v).unwrap(), "${b}");
    }

    #[test]
    fn unknown_variable_is_named() {
        let err = expand("x ${nope} y", &vars(&[])).unwrap_err();
        assert_eq!(
            err,
            ExpandError::UnknownVariable {
                name: "nope".into()
            }
        );
        assert!(err.to_string().contains("\"${nope}\""));
    }

    #[test]
    fn syntax_errors() {
        let v = vars(&[("a", "1")]);
        assert_eq!(expand("${a", &v).unwrap_err(), ExpandError::Unterminated);
        assert_eq!(
            expand("${}", &v).unwrap_err(),
            ExpandError::BadName {
                name: String::new()
            }
        );
        assert_eq!(
            expand("${a b}", &v).unwrap_err(),
            ExpandError::BadName { name: "a b".into() }
        );
    }

    #[test]
    fn vars_may_use_other_vars() {
        let raw = vars(&[("domain", "${local_ip}"), ("local_ip", "192.0.2.7")]);
        let resolved = resolve_vars(&raw).unwrap();
        assert_eq!(resolved["domain"], "192.0.2.7");
        assert_eq!(resolved["local_ip"], "192.0.2.7");
    }

    #[test]
    fn var_loops_are_reported() {
        let raw = vars(&[("a", "${b}"), ("b", "x${a}")]);
        let (name, err) = resolve_vars(&raw).unwrap_err();
        assert_eq!(name, "a");
        assert_eq!(
            err,
            ExpandError::Cycle {
                chain: "a -> b -> a".into()
            }
        );
    }
}
