//! `witswitch:script/log`: guest log lines go to the switch's log, tagged with
//! the script, its version and the call.

use crate::bindings::log::Host;
use crate::bindings::types::LogLevel;
use crate::state::ScriptState;

/// Longest message kept; the rest is cut (at a character boundary).
const MAX_MESSAGE_BYTES: usize = 2048;
/// Most lines one invocation may log; a guest logging in a loop must not flood
/// the log. One notice marks the cut.
const MAX_LINES_PER_INVOCATION: u32 = 200;

/// `message` cut to at most `max` bytes without splitting a character.
pub(crate) fn truncate(message: &str, max: usize) -> &str {
    if message.len() <= max {
        return message;
    }
    let mut end = max;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    &message[..end]
}

impl Host for ScriptState {
    fn log(&mut self, level: LogLevel, message: String) {
        self.log_lines = self.log_lines.saturating_add(1);
        let ctx = &self.context;
        if self.log_lines > MAX_LINES_PER_INVOCATION {
            if self.log_lines == MAX_LINES_PER_INVOCATION + 1 {
                tracing::warn!(
                    script = %ctx.script,
                    uuid = %ctx.call_uuid,
                    "script logged {MAX_LINES_PER_INVOCATION} lines in one invocation; further lines dropped"
                );
            }
            return;
        }
        let text = truncate(&message, MAX_MESSAGE_BYTES);
        let (script, uuid) = (&*ctx.script, &*ctx.call_uuid);
        let version = ctx.version.get(..12).unwrap_or(&ctx.version);
        match level {
            LogLevel::Debug => tracing::debug!(script, version, uuid, "{text}"),
            LogLevel::Info | LogLevel::Notice => tracing::info!(script, version, uuid, "{text}"),
            LogLevel::Warning => tracing::warn!(script, version, uuid, "{text}"),
            LogLevel::Err | LogLevel::Crit | LogLevel::Alert => {
                tracing::error!(script, version, uuid, "{text}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::truncate;

    #[test]
    fn truncation_never_splits_a_character() {
        assert_eq!(truncate("hello", 10), "hello");
        assert_eq!(truncate("hello", 3), "hel");
        // "é" is two bytes; cutting inside it backs off to the boundary.
        assert_eq!(truncate("aé", 2), "a");
        assert_eq!(truncate("", 0), "");
    }
}
