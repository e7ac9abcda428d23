//! Log lines for the event socket's `log <level>` subscribers: a tracing layer that
//! turns each event into a FreeSWITCH `log/data` record and hands it over a bounded
//! queue (full: dropped and counted, the logging thread never waits). The layer costs
//! one atomic load per event while no connection has logging on.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use tokio::sync::mpsc;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;
use witswitch_control::api::LogLevel;
use witswitch_control::wire::LogRecord;

use crate::logging::utc_timestamp;

/// Log records waiting for the event socket's forwarder.
const TAP_QUEUE: usize = 4_096;

/// The shared end of the tap: the switch that turns it on and the queue.
#[derive(Debug)]
pub struct LogTap {
    enabled: AtomicBool,
    sender: mpsc::Sender<LogRecord>,
    receiver: Mutex<Option<mpsc::Receiver<LogRecord>>>,
    dropped: AtomicU64,
}

impl LogTap {
    /// A tap, off.
    pub fn new() -> Arc<LogTap> {
        let (sender, receiver) = mpsc::channel(TAP_QUEUE);
        Arc::new(LogTap {
            enabled: AtomicBool::new(false),
            sender,
            receiver: Mutex::new(Some(receiver)),
            dropped: AtomicU64::new(0),
        })
    }

    /// Turns record building on (some connection logs) or off.
    pub fn set_enabled(&self, on: bool) {
        self.enabled.store(on, Ordering::Relaxed);
    }

    /// The receiving end, once (the event socket's forwarder takes it).
    pub fn take_receiver(&self) -> Option<mpsc::Receiver<LogRecord>> {
        self.receiver
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    /// Records dropped because the forwarder was behind.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

/// The tracing layer feeding a [`LogTap`].
#[derive(Debug, Clone)]
pub struct TapLayer(pub Arc<LogTap>);

impl<S: Subscriber> Layer<S> for TapLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        if !self.0.enabled.load(Ordering::Relaxed) {
            return;
        }
        let record = record(event);
        if self.0.sender.try_send(record).is_err() {
            self.0.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// FreeSWITCH's level of a tracing level (NOTICE has no tracing twin).
fn fs_level(level: Level) -> LogLevel {
    match level {
        Level::ERROR => LogLevel::Err,
        Level::WARN => LogLevel::Warning,
        Level::INFO => LogLevel::Info,
        Level::DEBUG | Level::TRACE => LogLevel::Debug,
    }
}

/// Collects the message and the other fields (`key=value`), and a channel uuid
/// from a `uuid`/`call_uuid` field for `User-Data`.
#[derive(Default)]
struct Fields {
    message: String,
    rest: String,
    uuid: Option<String>,
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "message" => {
                let _ = write!(self.message, "{value:?}");
            }
            name => {
                let _ = write!(self.rest, " {name}={value:?}");
                if matches!(name, "uuid" | "call_uuid") {
                    self.uuid = Some(format!("{value:?}").trim_matches('"').to_owned());
                }
            }
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "message" => self.message.push_str(value),
            name => {
                let _ = write!(self.rest, " {name}={value:?}");
                if matches!(name, "uuid" | "call_uuid") {
                    self.uuid = Some(value.to_owned());
                }
            }
        }
    }
}

fn record(event: &Event<'_>) -> LogRecord {
    let meta = event.metadata();
    let mut fields = Fields::default();
    event.record(&mut fields);
    let level = fs_level(*meta.level());
    let file = meta
        .file()
        .and_then(|f| f.rsplit('/').next())
        .unwrap_or("?")
        .to_owned();
    let line = meta.line().unwrap_or(0);
    // The same line the log file gets (FreeSWITCH's layout without the idle CPU).
    let body = format!(
        "{} [{}] {file}:{line} {}{}\n",
        utc_timestamp(SystemTime::now()),
        level.name(),
        fields.message,
        fields.rest
    );
    LogRecord {
        level,
        text_channel: 0,
        file,
        function: meta.module_path().unwrap_or(meta.target()).to_owned(),
        line,
        user_data: fields.uuid,
        body,
    }
}
