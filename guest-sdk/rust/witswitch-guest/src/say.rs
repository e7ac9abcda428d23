//! "Say digits": the per-digit prompts shipped under `conf/sounds/digits/`
//! (FreeSWITCH's `say <lang> number iterated <digits>`), played one after
//! another by [`Call::say_digits`](crate::Call::say_digits).

use crate::CallError;

/// The prompt of one key: `sounds/digits/0.wav` … `9.wav`, `star.wav`,
/// `pound.wav`; `None` for anything else.
pub fn digit_prompt(key: char) -> Option<String> {
    let name = match key {
        '0'..='9' => key.to_string(),
        '*' => "star".to_owned(),
        '#' => "pound".to_owned(),
        _ => return None,
    };
    Some(format!("sounds/digits/{name}.wav"))
}

/// The prompts for `digits` in order, or `InvalidArgument` naming the first
/// character that has none (nothing is played then). Spaces, `-`, `.`, `(` and
/// `)` are skipped, so a formatted number can be said as written.
pub fn digit_prompts(digits: &str) -> Result<Vec<String>, CallError> {
    digits
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .map(|c| {
            digit_prompt(c).ok_or_else(|| {
                CallError::InvalidArgument(format!("say digits: no prompt for {c:?}"))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_its_prompt() {
        assert_eq!(
            digit_prompts("1*0#").unwrap(),
            [
                "sounds/digits/1.wav",
                "sounds/digits/star.wav",
                "sounds/digits/0.wav",
                "sounds/digits/pound.wav"
            ]
        );
        assert_eq!(
            digit_prompts("(555) 01-2").unwrap().len(),
            6,
            "formatting is skipped"
        );
        assert_eq!(digit_prompts("").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn a_character_without_a_prompt_is_an_invalid_argument() {
        assert!(matches!(
            digit_prompts("12a"),
            Err(CallError::InvalidArgument(m)) if m.contains("'a'")
        ));
    }

    #[test]
    fn the_prompts_exist_in_conf_sounds() {
        let sounds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../conf");
        for key in "0123456789*#".chars() {
            let prompt = digit_prompt(key).unwrap();
            assert!(sounds.join(&prompt).is_file(), "{prompt}");
        }
    }
}
