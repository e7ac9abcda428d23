//! Constructors with FreeSWITCH-like defaults for the options of [`crate::Call`]
//! methods. Every field stays public; the builders only save typing.

use crate::{CollectOptions, PlayAndGetDigitsOptions, RecordOptions};

impl CollectOptions {
    /// Collect up to `max_digits` digits: 5 s for the first digit, 3 s between
    /// digits, `#` ends collection early.
    pub fn new(max_digits: u32) -> CollectOptions {
        CollectOptions {
            max_digits,
            first_digit_timeout_ms: 5_000,
            inter_digit_timeout_ms: 3_000,
            terminators: "#".to_owned(),
        }
    }

    /// How long to wait for the first digit.
    pub fn first_digit_timeout_ms(mut self, ms: u32) -> CollectOptions {
        self.first_digit_timeout_ms = ms;
        self
    }

    /// How long to wait between digits.
    pub fn inter_digit_timeout_ms(mut self, ms: u32) -> CollectOptions {
        self.inter_digit_timeout_ms = ms;
        self
    }

    /// Digits that end collection without being part of the result (`""` for none).
    pub fn terminators(mut self, terminators: &str) -> CollectOptions {
        self.terminators = terminators.to_owned();
        self
    }
}

impl PlayAndGetDigitsOptions {
    /// Play `prompt` and collect `min_digits..=max_digits` digits: 3 tries, 5 s
    /// for the first digit, 3 s between digits, `#` terminates, no invalid prompt,
    /// any digits valid.
    pub fn new(min_digits: u32, max_digits: u32, prompt: &str) -> PlayAndGetDigitsOptions {
        PlayAndGetDigitsOptions {
            min_digits,
            max_digits,
            tries: 3,
            timeout_ms: 5_000,
            digit_timeout_ms: 3_000,
            terminators: "#".to_owned(),
            prompt: prompt.to_owned(),
            invalid_prompt: None,
            valid_regex: None,
        }
    }

    /// How many times to prompt before giving up.
    pub fn tries(mut self, tries: u32) -> PlayAndGetDigitsOptions {
        self.tries = tries;
        self
    }

    /// How long to wait for the first digit after the prompt.
    pub fn timeout_ms(mut self, ms: u32) -> PlayAndGetDigitsOptions {
        self.timeout_ms = ms;
        self
    }

    /// How long to wait between digits.
    pub fn digit_timeout_ms(mut self, ms: u32) -> PlayAndGetDigitsOptions {
        self.digit_timeout_ms = ms;
        self
    }

    /// Digits that end input early (`""` for none).
    pub fn terminators(mut self, terminators: &str) -> PlayAndGetDigitsOptions {
        self.terminators = terminators.to_owned();
        self
    }

    /// Played after invalid input, before the next try.
    pub fn invalid_prompt(mut self, prompt: &str) -> PlayAndGetDigitsOptions {
        self.invalid_prompt = Some(prompt.to_owned());
        self
    }

    /// Input is valid only when it matches this regular expression.
    pub fn valid_regex(mut self, regex: &str) -> PlayAndGetDigitsOptions {
        self.valid_regex = Some(regex.to_owned());
        self
    }
}

impl RecordOptions {
    /// Record to `path` for at most 60 s, stopping after 3 s of silence or on `#`.
    pub fn new(path: &str) -> RecordOptions {
        RecordOptions {
            path: path.to_owned(),
            max_seconds: 60,
            silence_seconds: 3,
            terminators: "#".to_owned(),
        }
    }

    /// Stop after this many seconds.
    pub fn max_seconds(mut self, seconds: u32) -> RecordOptions {
        self.max_seconds = seconds;
        self
    }

    /// Stop after this many seconds of silence (0 = never).
    pub fn silence_seconds(mut self, seconds: u32) -> RecordOptions {
        self.silence_seconds = seconds;
        self
    }

    /// DTMF digits that stop the recording (`""` for none).
    pub fn terminators(mut self, terminators: &str) -> RecordOptions {
        self.terminators = terminators.to_owned();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collect_defaults_and_overrides() {
        let options = CollectOptions::new(4);
        assert_eq!(options.max_digits, 4);
        assert_eq!(options.first_digit_timeout_ms, 5_000);
        assert_eq!(options.terminators, "#");
        let options = options
            .first_digit_timeout_ms(8_000)
            .inter_digit_timeout_ms(1_000)
            .terminators("");
        assert_eq!(
            options,
            CollectOptions {
                max_digits: 4,
                first_digit_timeout_ms: 8_000,
                inter_digit_timeout_ms: 1_000,
                terminators: String::new(),
            }
        );
    }

    #[test]
    fn play_and_get_digits_builder_sets_every_field() {
        let options = PlayAndGetDigitsOptions::new(1, 4, "sounds/enter-pin.wav")
            .tries(5)
            .timeout_ms(7_000)
            .digit_timeout_ms(2_000)
            .terminators("*")
            .invalid_prompt("sounds/ivr-invalid.wav")
            .valid_regex("^\\d{4}$");
        assert_eq!(
            options,
            PlayAndGetDigitsOptions {
                min_digits: 1,
                max_digits: 4,
                tries: 5,
                timeout_ms: 7_000,
                digit_timeout_ms: 2_000,
                terminators: "*".into(),
                prompt: "sounds/enter-pin.wav".into(),
                invalid_prompt: Some("sounds/ivr-invalid.wav".into()),
                valid_regex: Some("^\\d{4}$".into()),
            }
        );
    }

    #[test]
    fn record_builder_sets_every_field() {
        let options = RecordOptions::new("msg.wav")
            .max_seconds(30)
            .silence_seconds(0)
            .terminators("*#");
        assert_eq!(
            options,
            RecordOptions {
                path: "msg.wav".into(),
                max_seconds: 30,
                silence_seconds: 0,
                terminators: "*#".into(),
            }
        );
    }
}
