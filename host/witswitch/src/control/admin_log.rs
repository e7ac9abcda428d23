//! Log forwarding to the event socket (`log <level>` / `nolog`): records from the
//! tracing tap (`crate::log_tap`) go to the bus, which queues them for each
//! connection logging at that level or finer (bounded queues: drop and count).

use std::sync::{Arc, PoisonError};

use tokio::sync::mpsc;
use witswitch_control::bus::SubscriberId;
use witswitch_control::wire::LogRecord;

use super::ControlHub;

impl ControlHub {
    /// Connection `id` turned logging on or off (or left): the tap builds records
    /// only while some connection logs.
    pub(super) fn logging_changed(&self, id: SubscriberId, on: bool) {
        let mut loggers = self
            .admin
            .loggers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        loggers.retain(|l| *l != id);
        if on {
            loggers.push(id);
        }
        if let Some(log) = self.admin.log.get() {
            log.tap.set_enabled(!loggers.is_empty());
        }
    }
}

/// Moves records from the tap to the bus until the tap is gone. Nothing here logs
/// per record: a log line about a log line would feed itself.
/// Lines the tap dropped are reported once a second at most.
pub async fn forward(hub: Arc<ControlHub>, mut records: mpsc::Receiver<LogRecord>) {
    let mut report = tokio::time::interval(std::time::Duration::from_secs(1));
    let mut reported = 0;
    loop {
        tokio::select! {
            record = records.recv() => {
                let Some(record) = record else { return };
                hub.bus
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .publish_log(record);
            }
            _ = report.tick() => {
                let dropped = hub.admin.log.get().map_or(0, |log| log.tap.dropped());
                if dropped > reported {
                    tracing::warn!(
                        "{} log lines not forwarded to the event socket (queue full)",
                        dropped - reported
                    );
                    reported = dropped;
                }
            }
        }
    }
}
