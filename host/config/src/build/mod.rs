//! From raw files to typed settings: variable expansion, parsing of addresses and
//! lists, and checks, each failure recorded as a located diagnostic.

pub(crate) mod acl;
pub(crate) mod directory;
pub(crate) mod main_file;
pub(crate) mod profile;
pub(crate) mod scripts;

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use toml::Spanned;

use crate::error::{ConfigDiagnostic, KeyPath, Location, Problem};
use crate::expand::{ExpandError, expand};
use crate::raw::Text;
use crate::source::SourceFile;

/// The global variables, and which references to stay quiet about because the
/// cause is already reported (a broken `[vars]` entry or an unreadable main file).
#[derive(Debug, Default)]
pub(crate) struct Globals {
    pub values: BTreeMap<String, String>,
    /// False when `witswitch.toml` could not be read: every name is unknown then.
    pub complete: bool,
    /// Variables defined but broken.
    pub broken: BTreeSet<String>,
}

impl Globals {
    fn already_reported(&self, err: &ExpandError) -> bool {
        match err {
            ExpandError::UnknownVariable { name } => !self.complete || self.broken.contains(name),
            _ => false,
        }
    }
}

/// What a builder needs while working on one file.
pub(crate) struct FileCtx<'a> {
    pub file: &'a SourceFile,
    pub vars: &'a Globals,
    pub diags: &'a mut Vec<ConfigDiagnostic>,
}

impl FileCtx<'_> {
    /// Number of diagnostics so far; an item is valid if this has not grown.
    pub fn mark(&self) -> usize {
        self.diags.len()
    }

    /// True if diagnostics were added since `mark`.
    pub fn failed_since(&self, mark: usize) -> bool {
        self.diags.len() > mark
    }

    pub fn at(&self, span: &Range<usize>) -> Location {
        self.file.at(span)
    }

    pub fn report(&mut self, span: &Range<usize>, section: &str, key: &str, problem: Problem) {
        let location = self.file.at(span);
        self.diags.push(ConfigDiagnostic::at_key(
            location,
            KeyPath::new(section, key),
            problem,
        ));
    }

    /// The value with `${var}` expanded.
    pub fn text(&mut self, value: &Text, section: &str, key: &str) -> Option<String> {
        match expand(value.get_ref(), &self.vars.values) {
            Ok(text) => Some(text),
            Err(err) if self.vars.already_reported(&err) => None,
            Err(err) => {
                self.report(&value.span(), section, key, err.into());
                None
            }
        }
    }

    /// An optional value, expanded; `None` if absent or broken (broken is reported).
    pub fn opt_text(&mut self, value: &Option<Text>, section: &str, key: &str) -> Option<String> {
        value.as_ref().and_then(|v| self.text(v, section, key))
    }

    /// An expanded value that must be an IP address.
    pub fn ip(&mut self, value: &Text, section: &str, key: &str) -> Option<IpAddr> {
        let text = self.text(value, section, key)?;
        match IpAddr::from_str(text.trim()) {
            Ok(ip) => Some(ip),
            Err(_) => {
                self.report(&value.span(), section, key, Problem::BadIp(text));
                None
            }
        }
    }

    /// An optional IP address.
    pub fn opt_ip(&mut self, value: &Option<Text>, section: &str, key: &str) -> Option<IpAddr> {
        value.as_ref().and_then(|v| self.ip(v, section, key))
    }

    /// A number that must be at least 1, or `default` when absent.
    pub fn positive<T>(
        &mut self,
        value: &Option<Spanned<T>>,
        default: T,
        section: &str,
        key: &str,
    ) -> T
    where
        T: Copy + PartialEq + Default,
    {
        match value {
            Some(v) if *v.get_ref() == T::default() => {
                self.report(&v.span(), section, key, Problem::Zero);
                default
            }
            Some(v) => *v.get_ref(),
            None => default,
        }
    }

    /// A port that must not be 0.
    pub fn port(&mut self, value: &Spanned<u16>, section: &str, key: &str) -> u16 {
        if *value.get_ref() == 0 {
            self.report(&value.span(), section, key, Problem::PortZero);
        }
        *value.get_ref()
    }

    /// A path: expanded, relative ones taken from `base`.
    pub fn path(&mut self, value: &Text, base: &Path, section: &str, key: &str) -> Option<PathBuf> {
        let text = self.text(value, section, key)?;
        Some(resolve_path(base, Path::new(&text)))
    }

    /// Check a table name used as an identifier (profile, gateway, script, list, variable).
    pub fn name(&mut self, name: &str, span: &Range<usize>, section: &str, key: &str) -> bool {
        let ok = is_identifier(name);
        if !ok {
            self.report(span, section, key, Problem::BadName(name.to_owned()));
        }
        ok
    }

    /// Expand a table of free variables, reporting bad names and values.
    pub fn var_table(
        &mut self,
        table: &BTreeMap<String, Text>,
        section: &str,
    ) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for (name, value) in table {
            if !self.name(name, &value.span(), section, name) {
                continue;
            }
            if let Some(text) = self.text(value, section, name) {
                out.insert(name.clone(), text);
            }
        }
        out
    }
}

/// Letters, digits, `-`, `_`, `.`; not empty.
pub(crate) fn is_identifier(name: &str) -> bool {
    crate::expand::is_valid_name(name)
}

/// Milliseconds to a duration.
pub(crate) fn millis(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

/// Join `path` onto `base` unless it is absolute, then drop `.` and resolve `..`
/// lexically so messages show `var/secrets.toml`, not `conf/../var/secrets.toml`.
pub(crate) fn resolve_path(base: &Path, path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    };
    let mut out: Vec<Component<'_>> = Vec::new();
    for component in joined.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(component),
            },
            other => out.push(other),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    out.iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_lexically() {
        let r = |base: &str, p: &str| resolve_path(Path::new(base), Path::new(p));
        assert_eq!(r("conf", "../var"), PathBuf::from("var"));
        assert_eq!(r("/repo/conf", "../var"), PathBuf::from("/repo/var"));
        assert_eq!(r("conf", "scripts"), PathBuf::from("conf/scripts"));
        assert_eq!(r("conf", "/srv/state"), PathBuf::from("/srv/state"));
        assert_eq!(r(".", "../x"), PathBuf::from("../x"));
        assert_eq!(r("conf", ".."), PathBuf::from("."));
        assert_eq!(r("/", "../x"), PathBuf::from("/x"));
    }
}
