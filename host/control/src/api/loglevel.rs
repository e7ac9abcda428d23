//! FreeSWITCH log levels (`switch_log_level_t`), shared by `fsctl loglevel` and the
//! event socket's `log <level>`.

/// A log level; the discriminant is FreeSWITCH's number (0 = most severe).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum LogLevel {
    Console = 0,
    Alert = 1,
    Crit = 2,
    Err = 3,
    Warning = 4,
    Notice = 5,
    Info = 6,
    Debug = 7,
}

impl LogLevel {
    const ALL: [Self; 8] = [
        Self::Console,
        Self::Alert,
        Self::Crit,
        Self::Err,
        Self::Warning,
        Self::Notice,
        Self::Info,
        Self::Debug,
    ];

    /// The uppercase name (`WARNING`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Console => "CONSOLE",
            Self::Alert => "ALERT",
            Self::Crit => "CRIT",
            Self::Err => "ERR",
            Self::Warning => "WARNING",
            Self::Notice => "NOTICE",
            Self::Info => "INFO",
            Self::Debug => "DEBUG",
        }
    }

    /// The number (`Log-Level` header).
    pub fn number(self) -> u8 {
        self as u8
    }

    /// The level with that number; numbers above 7 mean DEBUG (FreeSWITCH's debug
    /// sublevels), as `log 9` does in FreeSWITCH.
    pub fn from_number(number: u32) -> Self {
        Self::ALL
            .get(number as usize)
            .copied()
            .unwrap_or(Self::Debug)
    }

    /// Parses a name (any case; `error` is accepted for ERR) or a number.
    pub fn parse(word: &str) -> Option<Self> {
        if !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit()) {
            return Some(word.parse::<u32>().map_or(Self::Debug, Self::from_number));
        }
        if word.eq_ignore_ascii_case("error") {
            return Some(Self::Err);
        }
        Self::ALL
            .into_iter()
            .find(|level| level.name().eq_ignore_ascii_case(word))
    }
}

/// The core log level as `fsctl loglevel` sets it: a level or DISABLE (-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevelSetting {
    /// Nothing is logged.
    Disable,
    /// Messages at this level and more severe are logged.
    Level(LogLevel),
}

impl LogLevelSetting {
    /// Parses `disable` or a level.
    pub fn parse(word: &str) -> Option<Self> {
        if word.eq_ignore_ascii_case("disable") || word == "-1" {
            return Some(Self::Disable);
        }
        LogLevel::parse(word).map(Self::Level)
    }

    /// The `fsctl loglevel` reply: `+OK log level: WARNING [4]\n`.
    pub fn fsctl_reply(self) -> String {
        match self {
            Self::Disable => "+OK log level: DISABLE [-1]\n".to_string(),
            Self::Level(level) => format!("+OK log level: {} [{}]\n", level.name(), level.number()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_match_recordings() {
        assert_eq!(
            LogLevelSetting::Disable.fsctl_reply(),
            "+OK log level: DISABLE [-1]\n"
        );
        assert_eq!(
            LogLevelSetting::parse("warning")
                .map(LogLevelSetting::fsctl_reply)
                .as_deref(),
            Some("+OK log level: WARNING [4]\n")
        );
        assert_eq!(
            LogLevelSetting::parse("debug")
                .map(LogLevelSetting::fsctl_reply)
                .as_deref(),
            Some("+OK log level: DEBUG [7]\n")
        );
    }

    #[test]
    fn parses_names_and_numbers() {
        assert_eq!(LogLevel::parse("7"), Some(LogLevel::Debug));
        assert_eq!(LogLevel::parse("info"), Some(LogLevel::Info));
        assert_eq!(LogLevel::parse("ERROR"), Some(LogLevel::Err));
        assert_eq!(
            LogLevel::parse("99999999999999999999"),
            Some(LogLevel::Debug)
        );
        assert_eq!(LogLevel::parse("loud"), None);
        assert_eq!(LogLevel::parse(""), None);
        assert!(LogLevel::Err < LogLevel::Debug);
    }
}
