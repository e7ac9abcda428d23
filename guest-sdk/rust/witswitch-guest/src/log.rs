//! Write to the switch's log. Lines carry the script's name and the call's uuid.

use crate::raw::witswitch::script::log as host;

pub use crate::LogLevel;

/// Log `message` at `level`. The host truncates very long messages.
pub fn log(level: LogLevel, message: &str) {
    host::log(level, message);
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
