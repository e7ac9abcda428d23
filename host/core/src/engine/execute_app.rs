//! `execute <name> <data>`: FreeSWITCH application names and data syntax
//! mapped onto the engine's applications. Unknown names are logged and
//! skipped, as FreeSWITCH does.

use witswitch_types::HangupCause;

use crate::action::{Action, LogLevel};
use crate::app_io::{PlayAndGetDigitsOptions, RecordOptions};

/// What an `execute` turned into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ExecuteApp {
    /// One of the dialplan actions.
    Action(Action),
    /// `play_and_get_digits` / `read`: the digits go into `var`.
    PlayAndGetDigits {
        options: PlayAndGetDigitsOptions,
        var: String,
    },
    /// `record <path> [<time_limit_secs>] [<silence_thresh>] [<silence_hits>]`
    /// (the terminators come from `playback_terminators` when it runs).
    Record(RecordOptions),
    /// `multiset a=1 b=2`.
    Multiset(Vec<(String, String)>),
    /// `curl <url> ...` (its data, parsed when the request gets its id).
    Curl(String),
    /// A known application with unusable data.
    Invalid(String),
    /// Not an application the engine knows.
    Unknown,
}

fn key_value(data: &str) -> Option<(String, String)> {
    let (name, value) = data.split_once('=')?;
    let name = name.trim();
    (!name.is_empty()).then(|| (name.to_owned(), value.to_owned()))
}

fn number(word: Option<&str>, what: &str) -> Result<u32, String> {
    word.and_then(|w| w.trim().parse().ok())
        .ok_or_else(|| format!("{what} must be a number"))
}

/// Maps an application name and its (already expanded) data.
pub(crate) fn parse_execute(name: &str, data: &str) -> ExecuteApp {
    let data_trimmed = data.trim();
    let action = match name.trim().to_ascii_lowercase().as_str() {
        "answer" => Action::Answer,
        "pre_answer" => Action::PreAnswer,
        "ring_ready" => Action::RingReady,
        "echo" => Action::Echo,
        "park" => Action::Park,
        "playback" => Action::Playback(data_trimmed.to_owned()),
        "bridge" => Action::Bridge(data_trimmed.to_owned()),
        "record_session" => Action::RecordSession(data_trimmed.to_owned()),
        "stop_record_session" => Action::StopRecordSession(data_trimmed.to_owned()),
        "set" | "export" => {
            let Some((var, value)) = key_value(data) else {
                return ExecuteApp::Invalid("expected name=value".into());
            };
            if name.eq_ignore_ascii_case("set") {
                Action::Set { name: var, value }
            } else {
                Action::Export { name: var, value }
            }
        }
        "unset" => Action::Unset(data_trimmed.to_owned()),
        "multiset" => {
            return ExecuteApp::Multiset(data.split_whitespace().filter_map(key_value).collect());
        }
        "hangup" => Action::Hangup(match data_trimmed {
            "" => HangupCause::NormalClearing,
            cause => cause.parse().unwrap_or(HangupCause::NormalClearing),
        }),
        "transfer" => {
            let mut words = data_trimmed.split_whitespace();
            let Some(extension) = words.next() else {
                return ExecuteApp::Invalid("transfer needs an extension".into());
            };
            let _dialplan = words.next();
            let context = words.next().map(str::to_owned);
            Action::Transfer {
                extension: extension.to_owned(),
                context,
            }
        }
        "sleep" => match data_trimmed.parse() {
            Ok(ms) => Action::Sleep(ms),
            Err(_) => return ExecuteApp::Invalid("sleep needs milliseconds".into()),
        },
        "log" => {
            let (first, rest) = data_trimmed.split_once(' ').unwrap_or((data_trimmed, ""));
            match LogLevel::parse(first) {
                Some(level) => Action::Log {
                    level,
                    message: rest.to_owned(),
                },
                None => Action::Log {
                    level: LogLevel::Debug,
                    message: data_trimmed.to_owned(),
                },
            }
        }
        "app" => {
            let (app, args) = data_trimmed.split_once(' ').unwrap_or((data_trimmed, ""));
            if app.is_empty() {
                return ExecuteApp::Invalid("app needs a name".into());
            }
            Action::App {
                name: app.to_owned(),
                args: args.trim().to_owned(),
            }
        }
        "curl" => return ExecuteApp::Curl(data_trimmed.to_owned()),
        "play_and_get_digits" => return play_and_get_digits(data_trimmed),
        "read" => return read(data_trimmed),
        "record" => return record(data_trimmed),
        _ => return ExecuteApp::Unknown,
    };
    ExecuteApp::Action(action)
}

/// `<min> <max> <tries> <timeout> <terminators> <file> <invalid_file> <var_name> <regexp> [<digit_timeout>]`
fn play_and_get_digits(data: &str) -> ExecuteApp {
    let words: Vec<&str> = data.split_whitespace().collect();
    if words.len() < 9 {
        return ExecuteApp::Invalid("play_and_get_digits needs at least 9 arguments".into());
    }
    let parsed = (|| -> Result<ExecuteApp, String> {
        let timeout_ms = number(words.get(3).copied(), "timeout")?;
        let digit_timeout_ms = match words.get(9) {
            Some(w) => number(Some(w), "digit_timeout")?,
            None => timeout_ms,
        };
        let invalid_prompt = words
            .get(6)
            .map(|s| s.to_string())
            .filter(|s| !s.is_empty());
        let options = PlayAndGetDigitsOptions {
            min_digits: number(words.first().copied(), "min")?,
            max_digits: number(words.get(1).copied(), "max")?,
            tries: number(words.get(2).copied(), "tries")?.max(1),
            timeout_ms,
            digit_timeout_ms,
            terminators: terminators(words.get(4).copied()),
            prompt: words.get(5).map(|s| s.to_string()).unwrap_or_default(),
            invalid_prompt,
            valid_regex: words
                .get(8)
                .map(|s| s.to_string())
                .filter(|s| !s.is_empty()),
        };
        let var = words.get(7).map(|s| s.to_string()).unwrap_or_default();
        Ok(ExecuteApp::PlayAndGetDigits { options, var })
    })();
    parsed.unwrap_or_else(ExecuteApp::Invalid)
}

/// FreeSWITCH's silence run when `silence_thresh` is given without
/// `silence_hits` (switch_ivr_record_file: 3 seconds).
const DEFAULT_SILENCE_HITS: u32 = 3;

/// `record <path> [<time_limit_secs>] [<silence_thresh>] [<silence_hits>]`:
/// silence detection is on when a threshold is given; `silence_hits` is in
/// seconds, as FreeSWITCH reads it.
fn record(data: &str) -> ExecuteApp {
    let words: Vec<&str> = data.split_whitespace().collect();
    let Some(path) = words.first() else {
        return ExecuteApp::Invalid("record needs a path".into());
    };
    let parsed = (|| -> Result<RecordOptions, String> {
        let optional = |k: usize, what: &str| match words.get(k) {
            Some(w) => number(Some(w), what),
            None => Ok(0),
        };
        let max_seconds = optional(1, "time_limit_secs")?;
        let silence_threshold = optional(2, "silence_thresh")?;
        let hits = optional(3, "silence_hits")?;
        let silence_seconds = match (silence_threshold, hits) {
            (0, _) => 0,
            (_, 0) => DEFAULT_SILENCE_HITS,
            (_, hits) => hits,
        };
        Ok(RecordOptions {
            path: (*path).to_owned(),
            max_seconds,
            silence_seconds,
            silence_threshold,
            terminators: String::new(),
        })
    })();
    parsed.map_or_else(ExecuteApp::Invalid, ExecuteApp::Record)
}

/// FreeSWITCH writes "no terminator" as `none` or an empty word.
fn terminators(word: Option<&str>) -> String {
    match word {
        Some(w) if !w.eq_ignore_ascii_case("none") => w.to_owned(),
        _ => String::new(),
    }
}

/// `read <min> <max> <file> <var_name> <timeout> <terminators>`: one try,
/// no validation.
fn read(data: &str) -> ExecuteApp {
    let words: Vec<&str> = data.split_whitespace().collect();
    if words.len() < 5 {
        return ExecuteApp::Invalid("read needs at least 5 arguments".into());
    }
    let parsed = (|| -> Result<ExecuteApp, String> {
        let timeout_ms = number(words.get(4).copied(), "timeout")?;
        let options = PlayAndGetDigitsOptions {
            min_digits: number(words.first().copied(), "min")?,
            max_digits: number(words.get(1).copied(), "max")?,
            tries: 1,
            timeout_ms,
            digit_timeout_ms: timeout_ms,
            terminators: terminators(words.get(5).copied()),
            prompt: words.get(2).map(|s| s.to_string()).unwrap_or_default(),
            invalid_prompt: None,
            valid_regex: None,
        };
        let var = words.get(3).map(|s| s.to_string()).unwrap_or_default();
        Ok(ExecuteApp::PlayAndGetDigits { options, var })
    })();
    parsed.unwrap_or_else(ExecuteApp::Invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_takes_a_limit_a_threshold_and_seconds_of_silence() {
        let options = |data| match parse_execute("record", data) {
            ExecuteApp::Record(o) => (
                o.path,
                o.max_seconds,
                o.silence_threshold,
                o.silence_seconds,
            ),
            other => panic!("{data}: {other:?}"),
        };
        assert_eq!(options("/tmp/m.wav"), ("/tmp/m.wav".into(), 0, 0, 0));
        assert_eq!(options("/tmp/m.wav 20"), ("/tmp/m.wav".into(), 20, 0, 0));
        // A threshold alone: FreeSWITCH's 3 s of silence.
        assert_eq!(options("m.wav 20 200"), ("m.wav".into(), 20, 200, 3));
        assert_eq!(options("m.wav 20 500 5"), ("m.wav".into(), 20, 500, 5));
        assert!(matches!(
            parse_execute("record", ""),
            ExecuteApp::Invalid(_)
        ));
        assert!(matches!(
            parse_execute("record", "m.wav soon"),
            ExecuteApp::Invalid(_)
        ));
    }

    #[test]
    fn simple_names_map_to_actions() {
        assert_eq!(
            parse_execute("answer", ""),
            ExecuteApp::Action(Action::Answer)
        );
        assert_eq!(
            parse_execute("Playback", " /tmp/a.wav "),
            ExecuteApp::Action(Action::Playback("/tmp/a.wav".into()))
        );
        assert_eq!(
            parse_execute("set", "a=b=c"),
            ExecuteApp::Action(Action::Set {
                name: "a".into(),
                value: "b=c".into()
            })
        );
        assert_eq!(
            parse_execute("hangup", "USER_BUSY"),
            ExecuteApp::Action(Action::Hangup(HangupCause::UserBusy))
        );
        assert_eq!(
            parse_execute("hangup", ""),
            ExecuteApp::Action(Action::Hangup(HangupCause::NormalClearing))
        );
        assert_eq!(
            parse_execute("transfer", "9196 XML default"),
            ExecuteApp::Action(Action::Transfer {
                extension: "9196".into(),
                context: Some("default".into())
            })
        );
        assert_eq!(
            parse_execute("log", "WARNING hello there"),
            ExecuteApp::Action(Action::Log {
                level: LogLevel::Warning,
                message: "hello there".into()
            })
        );
        assert_eq!(
            parse_execute("curl", " http://x json "),
            ExecuteApp::Curl("http://x json".into())
        );
        assert_eq!(parse_execute("conference", "3000"), ExecuteApp::Unknown);
        assert!(matches!(
            parse_execute("sleep", "soon"),
            ExecuteApp::Invalid(_)
        ));
        assert!(matches!(
            parse_execute("set", "novalue"),
            ExecuteApp::Invalid(_)
        ));
    }

    #[test]
    fn play_and_get_digits_arguments() {
        let ExecuteApp::PlayAndGetDigits { options, var } = parse_execute(
            "play_and_get_digits",
            "1 4 3 5000 # ivr/menu.wav ivr/invalid.wav choice \\d+ 2000",
        ) else {
            panic!("should parse");
        };
        assert_eq!(var, "choice");
        assert_eq!(
            (options.min_digits, options.max_digits, options.tries),
            (1, 4, 3)
        );
        assert_eq!((options.timeout_ms, options.digit_timeout_ms), (5000, 2000));
        assert_eq!(options.terminators, "#");
        assert_eq!(options.invalid_prompt.as_deref(), Some("ivr/invalid.wav"));
        assert_eq!(options.valid_regex.as_deref(), Some("\\d+"));
        assert!(matches!(
            parse_execute("play_and_get_digits", "1 2 3"),
            ExecuteApp::Invalid(_)
        ));
        assert!(matches!(
            parse_execute("play_and_get_digits", "x 4 3 5000 # a b c d"),
            ExecuteApp::Invalid(_)
        ));
    }

    #[test]
    fn read_is_one_try() {
        let ExecuteApp::PlayAndGetDigits { options, var } =
            parse_execute("read", "1 1 prompt.wav digit 3000 none")
        else {
            panic!("should parse");
        };
        assert_eq!(
            (options.tries, var.as_str(), options.terminators.as_str()),
            (1, "digit", "")
        );
    }
}
