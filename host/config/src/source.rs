//! One configuration file's text, turning byte spans and TOML reader errors into
//! located diagnostics.

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use crate::error::{ConfigDiagnostic, KeyPath, Location, Position, Problem};

/// A file as read, kept to map spans to lines.
#[derive(Debug, Clone)]
pub(crate) struct SourceFile {
    pub path: PathBuf,
    pub text: String,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String) -> SourceFile {
        SourceFile { path, text }
    }

    /// Location of the byte `offset`, clamped to the text.
    pub fn location(&self, offset: usize) -> Location {
        Location {
            file: self.path.clone(),
            position: Some(position_of(&self.text, offset)),
        }
    }

    /// Location of the start of a span.
    pub fn at(&self, span: &Range<usize>) -> Location {
        self.location(span.start)
    }

    /// Location naming only the file.
    pub fn whole(&self) -> Location {
        file_location(&self.path)
    }

    /// Parse the text as TOML into `T`; on failure record where and why in `diags`.
    pub fn parse<T: DeserializeOwned>(&self, diags: &mut Vec<ConfigDiagnostic>) -> Option<T> {
        match toml::from_str(&self.text) {
            Ok(value) => Some(value),
            Err(err) => {
                diags.push(self.diagnose(err));
                None
            }
        }
    }

    fn diagnose(&self, mut err: toml::de::Error) -> ConfigDiagnostic {
        let location = match err.span() {
            Some(span) => self.at(&span),
            None => self.whole(),
        };
        let message = self.name_duplicate_key(err.message(), err.span());
        // The reader only renders the key path when it has no input to quote.
        err.set_input(None);
        let keys = key_path_of(&err.to_string());
        if let Some(rest) = message.strip_prefix("unknown field `") {
            let key = rest.split('`').next().unwrap_or_default().to_owned();
            let suggestion = closest(&key, &expected_names(rest));
            return ConfigDiagnostic::at_key(
                location,
                KeyPath::new(keys, key),
                Problem::UnknownKey { suggestion },
            );
        }
        if let Some(rest) = message.strip_prefix("missing field `") {
            let key = rest.split('`').next().unwrap_or_default().to_owned();
            return ConfigDiagnostic::at_key(
                location,
                KeyPath::new(keys, key),
                Problem::MissingKey,
            );
        }
        if keys.is_empty() {
            let problem = if is_syntax(&message) {
                Problem::Syntax(message)
            } else {
                Problem::WrongValue(message)
            };
            return ConfigDiagnostic::at(location, problem);
        }
        let (section, key) = keys.rsplit_once('.').unwrap_or(("", keys.as_str()));
        ConfigDiagnostic::at_key(
            location,
            KeyPath::new(section, key),
            Problem::WrongValue(message),
        )
    }
}

impl SourceFile {
    /// The TOML reader says only "duplicate key"; name the key from the source.
    fn name_duplicate_key(&self, message: &str, span: Option<Range<usize>>) -> String {
        let key = span
            .and_then(|span| self.text.get(span))
            .map(str::trim)
            .filter(|key| !key.is_empty() && !key.contains('\n'));
        match key {
            Some(key) if message == "duplicate key" => format!("duplicate key {key}"),
            _ => message.to_owned(),
        }
    }
}

/// Location naming only a file.
pub(crate) fn file_location(path: &Path) -> Location {
    Location {
        file: path.to_path_buf(),
        position: None,
    }
}

/// Serde's messages for values start with these; everything else is TOML syntax.
fn is_syntax(message: &str) -> bool {
    !(message.starts_with("invalid type")
        || message.starts_with("invalid value")
        || message.starts_with("invalid length")
        || message.starts_with("unknown variant"))
}

fn position_of(text: &str, offset: usize) -> Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |nl| nl + 1);
    let line = before.bytes().filter(|b| *b == b'\n').count() + 1;
    let column = before[line_start..].chars().count() + 1;
    Position {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        column: u32::try_from(column).unwrap_or(u32::MAX),
    }
}

/// The reader's last line "in `a.b`" names the table path of the error.
fn key_path_of(rendered: &str) -> String {
    rendered
        .lines()
        .rev()
        .find_map(|line| line.strip_prefix("in `")?.strip_suffix('`'))
        .unwrap_or_default()
        .to_owned()
}

/// The backquoted names after "expected" in a serde unknown-field message.
fn expected_names(message: &str) -> Vec<String> {
    let Some((_, expected)) = message.split_once("expected") else {
        return Vec::new();
    };
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// The candidate nearest to `word`, if it is close enough to be a typo.
fn closest(word: &str, candidates: &[String]) -> Option<String> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.clone())
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let above = row.get(j + 1).copied().unwrap_or(0);
            let left = row.get(j).copied().unwrap_or(0);
            let cost = usize::from(ca != *cb);
            let best = (diagonal + cost).min(above + 1).min(left + 1);
            diagonal = above;
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = best;
            }
        }
    }
    row.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Doc {
        #[allow(dead_code)]
        profile: Inner,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "kebab-case")]
    struct Inner {
        #[allow(dead_code)]
        sip_port: u16,
        #[serde(default)]
        #[allow(dead_code)]
        sip_ip: Option<String>,
    }

    fn file(text: &str) -> SourceFile {
        SourceFile::new(
            PathBuf::from("conf/profiles/internal.toml"),
            text.to_owned(),
        )
    }

    /// The one diagnostic parsing `text` as `Doc` gives.
    fn parse_err(text: &str) -> ConfigDiagnostic {
        let mut diags = Vec::new();
        assert!(file(text).parse::<Doc>(&mut diags).is_none());
        assert_eq!(diags.len(), 1);
        diags.remove(0)
    }

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "ab\ncé d\n";
        assert_eq!(position_of(text, 0), Position { line: 1, column: 1 });
        assert_eq!(position_of(text, 3), Position { line: 2, column: 1 });
        // 'é' is two bytes but one column; byte 6 is the space after it.
        assert_eq!(position_of(text, 6), Position { line: 2, column: 3 });
        // Inside a multi-byte char and beyond the end are clamped, not panics.
        assert_eq!(position_of(text, 5), Position { line: 2, column: 2 });
        assert_eq!(position_of(text, 999), Position { line: 3, column: 1 });
    }

    #[test]
    fn unknown_key_names_file_line_section_and_suggests() {
        let err = parse_err("# comment\n[profile]\nsip-port = 5060\nsip-prot = 1\n");
        assert_eq!(
            err.to_string(),
            "conf/profiles/internal.toml:4:1: unknown key \"sip-prot\" in [profile] \
             (did you mean \"sip-port\"?)"
        );
    }

    #[test]
    fn unknown_key_without_near_match_has_no_suggestion() {
        let err = parse_err("[profile]\nsip-port = 1\ncolour = 1\n");
        assert_eq!(
            err.to_string(),
            "conf/profiles/internal.toml:3:1: unknown key \"colour\" in [profile]"
        );
    }

    #[test]
    fn unknown_top_level_table() {
        let err = parse_err("[profile]\nsip-port = 1\n[extra]\n");
        assert_eq!(
            err.to_string(),
            "conf/profiles/internal.toml:3:2: unknown key \"extra\" at top level"
        );
    }

    #[test]
    fn missing_key_points_at_table() {
        let err = parse_err("\n[profile]\nsip-ip = \"1.2.3.4\"\n");
        assert_eq!(
            err.to_string(),
            "conf/profiles/internal.toml:2:1: missing key \"sip-port\" in [profile]"
        );
    }

    #[test]
    fn wrong_value_names_key() {
        let err = parse_err("[profile]\nsip-port = 70000\n");
        assert_eq!(
            err.to_string(),
            "conf/profiles/internal.toml:2:12: [profile] sip-port: \
             invalid value: integer `70000`, expected u16"
        );
    }

    #[test]
    fn syntax_error_has_position() {
        let err = parse_err("[profile\nsip-port = 1\n");
        assert!(matches!(err.problem, Problem::Syntax(_)), "{err:?}");
        assert!(
            err.to_string()
                .starts_with("conf/profiles/internal.toml:1:9: "),
            "{err}"
        );
    }

    #[test]
    fn duplicate_key_is_named() {
        let err = parse_err("[profile]\nsip-port = 1\nsip-port = 2\n");
        assert_eq!(
            err.to_string(),
            "conf/profiles/internal.toml:3:1: duplicate key sip-port"
        );
    }

    #[test]
    fn edit_distance_basics() {
        assert_eq!(edit_distance("sip-prot", "sip-port"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
        assert_eq!(
            closest("realn", &["realm".to_owned(), "proxy".to_owned()]),
            Some("realm".to_owned())
        );
    }
}
