//! Write to the switch's log. Lines carry the script's name and the call's uuid.
//!
//! Built natively (unit tests of a script's rules), the functions write
//! `[LEVEL] message` to stderr instead.

pub use crate::LogLevel;

/// Log `message` at `level`. The host truncates very long messages.
pub fn log(level: LogLevel, message: &str) {
    #[cfg(target_arch = "wasm32")]
    crate::raw::witswitch::script::log::log(level, message);
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("[{}] {message}", level_name(level));
}

/// FreeSWITCH's name of a log level (`WARNING`, `ERR`).
pub fn level_name(level: LogLevel) -> &'static str {
    match level {
        LogLevel::Debug => "DEBUG",
        LogLevel::Info => "INFO",
        LogLevel::Notice => "NOTICE",
        LogLevel::Warning => "WARNING",
        LogLevel::Err => "ERR",
        LogLevel::Crit => "CRIT",
        LogLevel::Alert => "ALERT",
    }
}

/// Log at `DEBUG`.
pub fn debug(message: &str) {
    log(LogLevel::Debug, message);
}

/// Log at `INFO`.
pub fn info(message: &str) {
    log(LogLevel::Info, message);
}

/// Log at `NOTICE`.
pub fn notice(message: &str) {
    log(LogLevel::Notice, message);
}

/// Log at `WARNING`.
pub fn warning(message: &str) {
    log(LogLevel::Warning, message);
}

/// Log at `ERR`.
pub fn err(message: &str) {
    log(LogLevel::Err, message);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_names_are_freeswitch_names() {
        assert_eq!(level_name(LogLevel::Warning), "WARNING");
        assert_eq!(level_name(LogLevel::Err), "ERR");
        // Natively, logging is a line on stderr, not a call into a missing host.
        info("native log line");
    }
}
