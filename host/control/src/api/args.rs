//! Argument splitting for API command lines.
//!
//! Words are separated by spaces. Quotes (`"..."`, `'...'`) group a word and are removed;
//! brackets `{}` `[]` `()` group too and are kept, so `{a=b, c=d}sofia/gw/1` and
//! `&playback(/tmp/a b.wav)` stay one word (FreeSWITCH splits those at the space; keeping
//! them whole is what the user meant).

/// Splits `line` into at most `limit` words (the last word takes the rest of the line,
/// trimmed), or without limit when `limit` is 0.
pub fn split(line: &str, limit: usize) -> Vec<String> {
    let mut words = Vec::new();
    let mut rest = line.trim_start_matches(' ');
    while !rest.is_empty() {
        if limit != 0 && words.len() + 1 == limit {
            words.push(unquote(rest.trim_end()));
            break;
        }
        let end = word_end(rest);
        words.push(unquote(&rest[..end]));
        rest = rest[end..].trim_start_matches(' ');
    }
    words
}

/// The byte index where the first word of `text` ends.
fn word_end(text: &str) -> usize {
    let mut depth: u32 = 0;
    let mut quote: Option<char> = None;
    for (index, ch) in text.char_indices() {
        match (quote, ch) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(ch),
            (None, '{' | '[' | '(') => depth += 1,
            (None, '}' | ']' | ')') => depth = depth.saturating_sub(1),
            (None, ' ') if depth == 0 => return index,
            _ => {}
        }
    }
    text.len()
}

/// Removes one pair of surrounding quotes.
fn unquote(word: &str) -> String {
    for q in ['"', '\''] {
        if word.len() >= 2 && word.starts_with(q) && word.ends_with(q) {
            return word[1..word.len() - 1].to_string();
        }
    }
    word.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_spaces_keeping_groups() {
        assert_eq!(split("  a  b c ", 0), ["a", "b", "c"]);
        assert_eq!(
            split(
                "{origination_caller_id_number=1000, x=y}sofia/gw/1 &playback(/tmp/a b.wav) XML",
                0
            ),
            [
                "{origination_caller_id_number=1000, x=y}sofia/gw/1",
                "&playback(/tmp/a b.wav)",
                "XML"
            ]
        );
        assert_eq!(split("\"John Doe\" 'x y'", 0), ["John Doe", "x y"]);
    }

    #[test]
    fn limit_keeps_the_rest_whole() {
        assert_eq!(
            split("uuid var some value ", 3),
            ["uuid", "var", "some value"]
        );
        assert_eq!(split("", 3), Vec::<String>::new());
        // Unbalanced input does not panic and keeps everything.
        assert_eq!(split("{a b", 0), ["{a b"]);
        assert_eq!(split("a) b", 0), ["a)", "b"]);
    }
}
