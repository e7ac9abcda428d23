//! Log output in the shape FreeSWITCH users (and their fail2ban filters) know:
//! `2026-11-26 12:20:40.603293 [WARNING] file.rs:42 message`, one event per line,
//! the message text verbatim, to stderr and optionally to a file.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Registry, reload};
use witswitch_config::LogLevel;

use crate::log_tap::{LogTap, TapLayer};

/// `YYYY-MM-DD HH:MM:SS.uuuuuu` in UTC, as log lines start.
pub fn utc_timestamp(at: SystemTime) -> String {
    UtcTimestamp(at).to_string()
}

/// The tracing filter for a FreeSWITCH level. FreeSWITCH has eight levels (0 CONSOLE …
/// 7 DEBUG), tracing five: CONSOLE/ALERT/CRIT/ERR share ERROR, NOTICE shares INFO.
fn level_filter(level: LogLevel) -> LevelFilter {
    number_filter(level.number())
}

/// Failure to set up logging.
#[derive(Debug, thiserror::Error)]
pub enum LoggingError {
    /// The `--log-file` could not be opened for appending.
    #[error("cannot open log file {path}: {source}")]
    OpenFile {
        /// The path given.
        path: PathBuf,
        /// Why it failed.
        source: std::io::Error,
    },
    /// A global subscriber was already installed (only possible in tests).
    #[error("logging already initialised: {0}")]
    AlreadySet(#[from] tracing_subscriber::util::TryInitError),
}

/// Changes the running log level (`fsctl loglevel`).
#[derive(Debug, Clone)]
pub struct LogControl {
    filter: reload::Handle<EnvFilter, Registry>,
    /// Log lines for the event socket's `log` subscribers.
    pub tap: Arc<LogTap>,
}

impl LogControl {
    /// Sets the level from FreeSWITCH's number (0-7), or turns logging off (`None`,
    /// DISABLE). Replaces any `RUST_LOG` directives.
    pub fn set_level(&self, number: Option<u8>) -> Result<(), reload::Error> {
        let filter = match number {
            Some(n) => number_filter(n),
            None => LevelFilter::OFF,
        };
        self.filter
            .modify(|f| *f = EnvFilter::default().add_directive(filter.into()))
    }
}

/// The tracing filter for FreeSWITCH level number `n` (above 7 is DEBUG).
fn number_filter(n: u8) -> LevelFilter {
    match n {
        0..=3 => LevelFilter::ERROR,
        4 => LevelFilter::WARN,
        5 | 6 => LevelFilter::INFO,
        _ => LevelFilter::DEBUG,
    }
}

/// Installs the global subscriber: stderr always, `log_file` too when given.
/// `RUST_LOG`, when set, overrides `level` with per-module directives. The returned
/// handle changes the level while running.
pub fn init(level: LogLevel, log_file: Option<&Path>) -> Result<LogControl, LoggingError> {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|s| EnvFilter::try_new(s).ok())
        .unwrap_or_else(|| EnvFilter::default().add_directive(level_filter(level).into()));
    let (filter, handle) = reload::Layer::new(filter);
    let tap = LogTap::new();
    let stderr = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(std::io::stderr)
        .event_format(FsFormat);
    let file = match log_file {
        Some(path) => Some(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(Mutex::new(open_append(path)?))
                .event_format(FsFormat),
        ),
        None => None,
    };
    tracing_subscriber::registry()
        .with(filter)
        .with(stderr)
        .with(file)
        .with(TapLayer(Arc::clone(&tap)))
        .try_init()?;
    Ok(LogControl {
        filter: handle,
        tap,
    })
}

fn open_append(path: &Path) -> Result<File, LoggingError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| LoggingError::OpenFile {
            path: path.to_owned(),
            source,
        })?;
    }
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|source| LoggingError::OpenFile {
            path: path.to_owned(),
            source,
        })
}

/// The event formatter: UTC timestamp with microseconds, `[LEVEL]` in FreeSWITCH names,
/// `file:line` of the call site, then the message and any fields, on one line.
#[derive(Debug, Clone, Copy)]
struct FsFormat;

impl<S, N> FormatEvent<S, N> for FsFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let meta = event.metadata();
        let file = meta
            .file()
            .and_then(|f| f.rsplit('/').next())
            .unwrap_or("?");
        write!(
            writer,
            "{} [{}] {}:{} ",
            UtcTimestamp(SystemTime::now()),
            fs_level_name(*meta.level()),
            file,
            meta.line().unwrap_or(0)
        )?;
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}

/// FreeSWITCH's level names as they appear in its log lines.
fn fs_level_name(level: Level) -> &'static str {
    match level {
        Level::ERROR => "ERR",
        Level::WARN => "WARNING",
        Level::INFO => "INFO",
        Level::DEBUG | Level::TRACE => "DEBUG",
    }
}

/// `YYYY-MM-DD HH:MM:SS.uuuuuu` in UTC (no time-zone database needed).
struct UtcTimestamp(SystemTime);

impl fmt::Display for UtcTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let since = self.0.duration_since(UNIX_EPOCH).unwrap_or_default();
        let secs = since.as_secs();
        let (year, month, day) = civil_from_days(secs / 86_400);
        let rem = secs % 86_400;
        write!(
            f,
            "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}.{:06}",
            rem / 3600,
            (rem / 60) % 60,
            rem % 60,
            since.subsec_micros()
        )
    }
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm,
/// eras of 400 years = 146 097 days).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn civil_dates_match_known_days() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(59), (1970, 3, 1));
        // 2000-02-29 is day 11 016; 2026-11-26 is day 20 783.
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_783), (2026, 11, 26));
    }

    #[test]
    fn timestamp_has_microseconds() {
        let t = UNIX_EPOCH + Duration::new(20_783 * 86_400 + 12 * 3600 + 20 * 60 + 40, 603_293_000);
        assert_eq!(UtcTimestamp(t).to_string(), "2026-11-26 12:20:40.603293");
    }

    #[test]
    fn freeswitch_levels_map_to_filters() {
        let filter = |name: &str| level_filter(name.parse().unwrap());
        assert_eq!(filter("warning"), LevelFilter::WARN);
        assert_eq!(filter("notice"), LevelFilter::INFO);
        assert_eq!(filter("7"), LevelFilter::DEBUG);
        assert_eq!(filter("crit"), LevelFilter::ERROR);
    }
}
