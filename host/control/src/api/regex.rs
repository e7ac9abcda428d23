//! The `regex` API command and the FreeSWITCH regex conventions it shares with event
//! filters: `/pattern/flags` delimiters and `$N` substitution.
//!
//! FreeSWITCH uses PCRE; witswitch uses the `regex` crate (no look-around or
//! back-references, guaranteed linear time — a client cannot stall the switch with a
//! catastrophic pattern). Compiled sizes are capped for the same reason.

use regex::{Captures, Regex, RegexBuilder};

/// Compiled-program size cap for patterns that come from clients.
const SIZE_LIMIT: usize = 1 << 20;

/// Compiles a FreeSWITCH-style pattern: `/body/flags` (flags `i`, `s`, `m`, `x`) or a
/// bare body. `None` when it does not compile.
pub fn compile(pattern: &str) -> Option<Regex> {
    let (body, flags) = match pattern.strip_prefix('/') {
        Some(inner) => match inner.rfind('/') {
            Some(end) => (&inner[..end], &inner[end + 1..]),
            None => (inner, ""),
        },
        None => (pattern, ""),
    };
    RegexBuilder::new(body)
        .case_insensitive(flags.contains('i'))
        .dot_matches_new_line(flags.contains('s'))
        .multi_line(flags.contains('m'))
        .ignore_whitespace(flags.contains('x'))
        .size_limit(SIZE_LIMIT)
        .dfa_size_limit(SIZE_LIMIT)
        .build()
        .ok()
}

/// Expands `$N` / `${N}` from the captures (a group that did not take part is empty);
/// `\$` is a literal dollar, a `$` not followed by digits is kept as is.
pub fn substitute(template: &str, captures: &Captures<'_>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut chars = template.char_indices().peekable();
    while let Some((index, ch)) = chars.next() {
        match ch {
            '\\' if template[index + 1..].starts_with('$') => {
                out.push('$');
                chars.next();
            }
            '$' => {
                let rest = &template[index + 1..];
                let braced = rest.starts_with('{');
                let digits_start = usize::from(braced);
                let digits: &str = {
                    let tail = &rest[digits_start..];
                    let len = tail.bytes().take_while(u8::is_ascii_digit).count();
                    &tail[..len]
                };
                let closes = !braced || rest[digits_start + digits.len()..].starts_with('}');
                if digits.is_empty() || !closes {
                    out.push('$');
                    continue;
                }
                if let Some(group) = digits.parse::<usize>().ok().and_then(|n| captures.get(n)) {
                    out.push_str(group.as_str());
                }
                let consumed = digits_start + digits.len() + usize::from(braced);
                for _ in 0..consumed {
                    chars.next();
                }
            }
            _ => out.push(ch),
        }
    }
    out
}

/// `regex <data>|<pattern>[|<substitution>]`, or with another delimiter:
/// `regex m:~<data>~<pattern>[~<substitution>]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegexCommand {
    /// The text to match.
    pub data: String,
    /// The pattern (FreeSWITCH `/.../flags` accepted).
    pub pattern: String,
    /// The substitution template, if any.
    pub substitution: Option<String>,
}

impl RegexCommand {
    /// Parses the arguments; `None` when data or pattern is missing.
    pub fn parse(args: &str) -> Option<Self> {
        let (delimiter, body) = match args.strip_prefix("m:") {
            Some(rest) => {
                let delimiter = rest.chars().next()?;
                (delimiter, &rest[delimiter.len_utf8()..])
            }
            None => ('|', args),
        };
        let mut parts = body.splitn(3, delimiter);
        let data = parts.next()?.to_string();
        let pattern = parts.next()?.to_string();
        let substitution = parts.next().map(str::to_string);
        Some(Self {
            data,
            pattern,
            substitution,
        })
    }

    /// The response body, without trailing LF as recorded: `true`/`false`, or the
    /// substitution (the data unchanged when it does not match).
    pub fn run(&self) -> String {
        let Some(regex) = compile(&self.pattern) else {
            return "-ERR invalid regex\n".to_string();
        };
        match (regex.captures(&self.data), &self.substitution) {
            (Some(captures), Some(template)) => substitute(template, &captures),
            (Some(_), None) => "true".to_string(),
            (None, Some(_)) => self.data.clone(),
            (None, None) => "false".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &str) -> Option<String> {
        RegexCommand::parse(args).map(|c| c.run())
    }

    #[test]
    fn the_three_recorded_forms() {
        assert_eq!(run("1001|^(10[01][0-9])$").as_deref(), Some("true"));
        assert_eq!(
            run("1001|^(10[01][0-9])$|user/$1").as_deref(),
            Some("user/1001")
        );
        assert_eq!(run("555|^(10[01][0-9])$").as_deref(), Some("false"));
    }

    #[test]
    fn delimiters_flags_and_templates() {
        assert_eq!(run("m:~a|b~^A\\|B$~x").as_deref(), Some("a|b"));
        assert_eq!(run("m:~ABC~/^abc$/i~${0}!").as_deref(), Some("ABC!"));
        assert_eq!(
            run("12|^(1)(2)?(3)?$|$2-$3-\\$1-$x-${1").as_deref(),
            Some("2--$1-$x-${1")
        );
        assert_eq!(run("555|^1|nomatch").as_deref(), Some("555"));
        assert_eq!(run("x|(").as_deref(), Some("-ERR invalid regex\n"));
        assert_eq!(run("only-data"), None);
        assert_eq!(run("m:"), None);
    }

    #[test]
    fn oversized_patterns_are_refused() {
        let pattern = format!("^{}$", "(a|b|c|d)?".repeat(2000).replace('?', "{1,50}"));
        assert!(compile(&pattern).is_none());
    }
}
