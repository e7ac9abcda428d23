//! Channel variables and `${var}` expansion of application data.
//!
//! FreeSWITCH expands `${name}` in application data when the application
//! runs, and `${name:offset}` / `${name:offset:length}` take a substring
//! (a negative offset counts from the end; a negative length stops that
//! many characters before the end). An unset variable expands to nothing.
//! `$` not followed by `{` is literal, and `\$` writes a literal `$`.

use std::collections::BTreeMap;
use std::sync::Arc;

/// Deepest `${...}` nesting expanded (`${a_${b}}`); deeper text stays literal,
/// so a hostile string cannot recurse without bound.
const MAX_NESTING: usize = 8;

/// Longest expansion result; the rest is cut, so `${x}${x}${x}...` from a
/// guest cannot make a string grow without bound.
const MAX_EXPANDED_LEN: usize = 64 * 1024;

/// A shared, immutable copy of a channel's variables (what events carry).
pub type VarSnapshot = Arc<BTreeMap<String, String>>;

/// The variables of one channel, sorted by name (stable output for events,
/// `uuid_dump` and tests). Copy-on-write: [`Variables::snapshot`] is a
/// reference count, and the map is copied only when it changes while a
/// snapshot is still held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Variables {
    map: VarSnapshot,
    /// Names marked by `export`: copied to legs created later.
    exported: Vec<String>,
    /// Values of `export nolocal:` (not set on this channel).
    export_only: BTreeMap<String, String>,
}

impl Variables {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.map.get(name).map(String::as_str)
    }

    /// Sets `name`; an empty value unsets it, as FreeSWITCH's `set` does.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        let value = value.into();
        if value.is_empty() {
            self.unset(&name);
        } else if self.map.get(&name) != Some(&value) {
            Arc::make_mut(&mut self.map).insert(name, value);
        }
    }

    /// Removes `name`.
    pub fn unset(&mut self, name: &str) {
        if self.map.contains_key(name) {
            Arc::make_mut(&mut self.map).remove(name);
        }
    }

    /// The current variables, shared (for events).
    pub fn snapshot(&self) -> VarSnapshot {
        Arc::clone(&self.map)
    }

    /// Marks `name` for export to legs created later.
    pub fn mark_exported(&mut self, name: &str) {
        if !self.exported.iter().any(|n| n == name) {
            self.exported.push(name.to_owned());
        }
    }

    /// The names marked by `export`.
    pub fn exported(&self) -> &[String] {
        &self.exported
    }

    /// `export nolocal:name=value`: only legs created later get it.
    pub fn export_only(&mut self, name: &str, value: String) {
        self.export_only.insert(name.to_owned(), value);
        self.mark_exported(name);
    }

    /// `(name, value)` of every exported variable, for a new leg.
    pub fn exports(&self) -> Vec<(String, String)> {
        self.exported
            .iter()
            .filter_map(|name| {
                let value = self
                    .export_only
                    .get(name)
                    .map(String::as_str)
                    .or_else(|| self.get(name))?;
                Some((name.clone(), value.to_owned()))
            })
            .collect()
    }

    /// Whether `name` holds a true value (`true`, `yes`, `on`, `1`, any case),
    /// FreeSWITCH's `switch_true`.
    pub fn is_true(&self, name: &str) -> bool {
        self.get(name).is_some_and(is_true)
    }

    /// Iterates `(name, value)` in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.map.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Number of variables set.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no variable is set.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Expands `${...}` in `text` against these variables.
    pub fn expand(&self, text: &str) -> String {
        expand(text, &|name| self.get(name).map(str::to_owned))
    }

    /// [`Vars::expand`], with `globals` for names the channel does not have
    /// (FreeSWITCH's `switch_channel_expand_variables` does the same).
    pub fn expand_with_globals(
        &self,
        text: &str,
        globals: &std::collections::HashMap<String, String>,
    ) -> String {
        expand(text, &|name| {
            self.get(name)
                .or_else(|| globals.get(name).map(String::as_str))
                .map(str::to_owned)
        })
    }
}

/// FreeSWITCH's `switch_true`.
pub fn is_true(value: &str) -> bool {
    let value = value.trim();
    ["true", "yes", "on", "1", "enabled", "active", "allow"]
        .iter()
        .any(|t| value.eq_ignore_ascii_case(t))
}

/// Expands `${name}`, `${name:off}` and `${name:off:len}` in `text`, looking
/// names up with `lookup`. Never panics; unbalanced `${` stays literal.
pub fn expand(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    expand_depth(text, lookup, 0)
}

fn expand_depth(text: &str, lookup: &dyn Fn(&str) -> Option<String>, depth: usize) -> String {
    if !text.contains('$') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find('$') {
        let (before, from_dollar) = rest.split_at(pos);
        if let Some(stripped) = before.strip_suffix('\\') {
            out.push_str(stripped);
            out.push('$');
            rest = &from_dollar[1..];
            continue;
        }
        out.push_str(before);
        let Some(inner_start) = from_dollar.strip_prefix("${") else {
            out.push('$');
            rest = &from_dollar[1..];
            continue;
        };
        match matching_brace(inner_start) {
            Some(end) if depth < MAX_NESTING => {
                let inner = expand_depth(&inner_start[..end], lookup, depth + 1);
                out.push_str(&lookup_with_substring(&inner, lookup));
                rest = &inner_start[end + 1..];
            }
            _ => {
                out.push_str("${");
                rest = inner_start;
            }
        }
        if out.len() > MAX_EXPANDED_LEN {
            truncate_at_char(&mut out, MAX_EXPANDED_LEN);
            return out;
        }
    }
    out.push_str(rest);
    truncate_at_char(&mut out, MAX_EXPANDED_LEN);
    out
}

fn truncate_at_char(text: &mut String, max: usize) {
    if text.len() > max {
        let mut cut = max;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
}

/// Index of the `}` closing a `${` whose body starts at `text[0]`.
fn matching_brace(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

fn lookup_with_substring(inner: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let mut parts = inner.splitn(3, ':');
    let name = parts.next().unwrap_or_default();
    let offset = parts.next().map(|p| p.trim().parse::<i64>());
    let length = parts.next().map(|p| p.trim().parse::<i64>());
    let value = lookup(name).unwrap_or_default();
    match (offset, length) {
        (None, _) => value,
        (Some(Ok(offset)), None) => substring(&value, offset, None),
        (Some(Ok(offset)), Some(Ok(length))) => substring(&value, offset, Some(length)),
        // `${a:b}` with a non-number is a name containing ':' in FreeSWITCH only
        // for some modules; treat it as the whole name.
        _ => lookup(inner).unwrap_or_default(),
    }
}

/// FreeSWITCH's `${var:offset:length}` on characters.
fn substring(value: &str, offset: i64, length: Option<i64>) -> String {
    let chars: Vec<char> = value.chars().collect();
    let len = i64::try_from(chars.len()).unwrap_or(i64::MAX);
    let start = if offset < 0 {
        (len + offset).max(0)
    } else {
        offset.min(len)
    };
    let end = match length {
        None => len,
        Some(l) if l < 0 => (len + l).max(start),
        Some(l) => start.saturating_add(l).min(len),
    };
    let (start, end) = (
        usize::try_from(start).unwrap_or(0),
        usize::try_from(end).unwrap_or(0),
    );
    chars
        .get(start..end)
        .map(|s| s.iter().collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Variables {
        let mut v = Variables::new();
        v.set("dest", "15551234567");
        v.set("name", "Alice");
        v.set("which", "name");
        v
    }

    #[test]
    fn plain_references_expand() {
        let v = vars();
        assert_eq!(
            v.expand("user/${dest}@example.com"),
            "user/15551234567@example.com"
        );
        assert_eq!(v.expand("${missing}x"), "x");
        assert_eq!(v.expand("no refs"), "no refs");
        assert_eq!(v.expand("cost $5"), "cost $5");
        assert_eq!(v.expand("lit \\${dest}"), "lit ${dest}");
    }

    #[test]
    fn substrings_follow_freeswitch() {
        let v = vars();
        assert_eq!(v.expand("${dest:1}"), "5551234567");
        assert_eq!(v.expand("${dest:1:3}"), "555");
        assert_eq!(v.expand("${dest:-4}"), "4567");
        assert_eq!(v.expand("${dest:-4:2}"), "45");
        assert_eq!(v.expand("${dest:0:-7}"), "1555");
        assert_eq!(v.expand("${dest:50}"), "");
        assert_eq!(v.expand("${dest:-50:2}"), "15");
    }

    #[test]
    fn nesting_and_broken_input_never_panic() {
        let v = vars();
        assert_eq!(v.expand("${${which}}"), "Alice");
        assert_eq!(v.expand("${unclosed"), "${unclosed");
        assert_eq!(v.expand("$"), "$");
        assert_eq!(v.expand("${}"), "");
        assert_eq!(v.expand("${name:é:1}"), "");
        let deep = "${".repeat(100) + &"}".repeat(100);
        let _ = v.expand(&deep);
        let mut big = Variables::new();
        big.set("x", "y".repeat(10_000));
        assert!(big.expand(&"${x}".repeat(100)).len() <= MAX_EXPANDED_LEN);
    }

    #[test]
    fn snapshots_do_not_see_later_changes() {
        let mut v = vars();
        let before = v.snapshot();
        v.set("dest", "1");
        assert_eq!(before.get("dest").map(String::as_str), Some("15551234567"));
        assert_eq!(v.get("dest"), Some("1"));
        let same = v.snapshot();
        v.set("dest", "1");
        assert!(
            Arc::ptr_eq(&same, &v.snapshot()),
            "an unchanged value does not copy"
        );
    }

    #[test]
    fn empty_set_unsets_and_export_marks() {
        let mut v = vars();
        v.set("name", "");
        assert_eq!(v.get("name"), None);
        v.mark_exported("dest");
        v.mark_exported("dest");
        assert_eq!(v.exported(), ["dest".to_owned()]);
        v.export_only("hidden", "1".to_owned());
        assert_eq!(v.get("hidden"), None);
        assert_eq!(
            v.exports(),
            vec![
                ("dest".into(), "15551234567".into()),
                ("hidden".into(), "1".into())
            ]
        );
        v.set("flag", "TRUE");
        assert!(v.is_true("flag"));
        assert!(!v.is_true("dest"));
    }
}
