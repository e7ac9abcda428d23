//! The control plane in the binary (issue 7): the event bus every producer publishes
//! to, the inbound event socket listener (one task per connection driving a sans-IO
//! `EslSession`), the channel-event publisher fed by the call task, HEARTBEAT, and
//! the API commands. See `docs/control.md`.

mod admin;
mod admin_core;
mod admin_events;
mod admin_log;
mod admin_scripts;
mod admin_sofia;
mod api;
pub mod channel_events;
mod connection;
mod listener;
pub mod outbound;
mod sofia_events;

use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rand::RngCore;
use tokio::sync::{mpsc, oneshot, watch};
use witswitch_config::{Config, Decision};
use witswitch_control::api::{ApiCommand, LogLevel, StatusInfo, VersionInfo};
use witswitch_control::bus::{EventBus, SubscriberId};
use witswitch_control::call_site;
use witswitch_control::event::{CoreIdentity, Event, EventFactory, EventTime, builders};
use witswitch_control::queue::QueueReceiver;
use witswitch_control::session::CallCommand;
use witswitch_control::subscription::Subscription;
use witswitch_types::Uuid;

pub use listener::start_listener;

/// Items each subscriber queue holds before it drops (and counts) events.
const SUBSCRIBER_QUEUE: usize = 4_096;
/// FreeSWITCH's HEARTBEAT interval.
const HEARTBEAT_EVERY: Duration = Duration::from_secs(20);

/// What the call task counts, for `status`, `uptime` and HEARTBEAT.
#[derive(Debug, Clone, Copy, Default)]
pub struct CallStats {
    /// Channels up.
    pub sessions_now: u64,
    /// Channels created since start.
    pub sessions_since_startup: u64,
    /// Most channels up at once.
    pub sessions_peak: u64,
    /// `max-sessions` in force.
    pub max_sessions: u64,
    /// `sessions-per-second` in force.
    pub sps_max: u64,
}

/// Requests from the control plane to the call task (which owns every channel).
#[derive(Debug)]
pub enum CallControl {
    /// Counters for `status`.
    Stats(oneshot::Sender<CallStats>),
    /// A live API command about calls; the reply is the response body.
    Api {
        /// The parsed command.
        command: ApiCommand,
        /// The body.
        reply: oneshot::Sender<String>,
    },
    /// A `sendmsg` to a channel; the reply is the `Reply-Text`.
    SendMsg {
        /// Target channel.
        uuid: String,
        /// What to do.
        command: CallCommand,
        /// `+OK` or `-ERR ...`.
        reply: oneshot::Sender<String>,
    },
    /// An outbound socket (`socket` application) of this channel ended.
    SocketEnded {
        /// The channel.
        uuid: String,
        /// Refused, or closed with or without `resume`.
        end: witswitch_core::SocketEnd,
    },
    /// A channel variable (`getvar` of an outbound socket); `None` when the channel
    /// or the variable does not exist.
    GetVar {
        /// The channel.
        uuid: String,
        /// Variable name.
        name: String,
        /// The value.
        reply: oneshot::Sender<Option<String>>,
    },
    /// The global variables changed (`global_setvar`, `reloadxml`).
    Globals(std::collections::HashMap<String, String>),
}

/// The switch-wide control state shared by the listener, the connections and the
/// producers of events.
#[derive(Debug)]
pub struct ControlHub {
    bus: Mutex<EventBus>,
    factory: Arc<EventFactory>,
    /// Whether any subscriber listens to anything: producers skip building events
    /// while nobody does (the call engine does not even snapshot channels).
    listening: AtomicBool,
    /// Subscribers that listen (or are bound to a channel), kept beside the bus so
    /// `listening` can be recomputed on every change without scanning queues.
    listeners: Mutex<Vec<SubscriberId>>,
    calls: mpsc::UnboundedSender<CallControl>,
    version: VersionInfo,
    started: Instant,
    config: Arc<Config>,
    /// Profile handles and the other state of the admin commands.
    admin: admin::AdminState,
}

impl ControlHub {
    /// A hub for `config`; `calls` reaches the call task.
    pub fn new(config: Arc<Config>, calls: mpsc::UnboundedSender<CallControl>) -> Arc<Self> {
        let hostname = hostname();
        let identity = CoreIdentity {
            core_uuid: new_uuid(),
            switchname: hostname.clone(),
            hostname,
            ipv4: primary_ip(&config, false),
            ipv6: primary_ip(&config, true),
        };
        let version = env!("CARGO_PKG_VERSION").to_owned();
        Arc::new(ControlHub {
            bus: Mutex::new(EventBus::new(SUBSCRIBER_QUEUE)),
            factory: Arc::new(EventFactory::new(identity)),
            listening: AtomicBool::new(false),
            listeners: Mutex::new(Vec::new()),
            calls,
            version: VersionInfo {
                product: "witswitch".into(),
                full: version.clone(),
                full_human: format!("{version} witswitch"),
                revision_human: "witswitch".into(),
                short: version,
            },
            started: Instant::now(),
            config,
            admin: admin::AdminState::default(),
        })
    }

    /// The shared event factory (numbers `Event-Sequence`).
    pub fn factory(&self) -> &Arc<EventFactory> {
        &self.factory
    }

    /// Whether anybody listens to events at all.
    pub fn listening(&self) -> bool {
        self.listening.load(Ordering::Relaxed)
    }

    /// Publishes an event to every subscriber that wants it; never blocks on a
    /// subscriber (full queues drop and count).
    pub fn publish(&self, event: Event) {
        if !self.listening() {
            return;
        }
        let mut bus = self.bus.lock().unwrap_or_else(PoisonError::into_inner);
        if bus.wants(&event) {
            bus.publish(event);
        }
    }

    /// A new subscriber.
    fn subscribe(&self) -> (SubscriberId, QueueReceiver) {
        self.bus
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .subscribe()
    }

    /// A subscriber's subscription changed.
    fn update(&self, id: SubscriberId, subscription: Subscription) {
        let active = subscription.listening() || subscription.bound_uuid().is_some();
        self.bus
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .update(id, subscription);
        let mut listeners = self
            .listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        listeners.retain(|l| *l != id);
        if active {
            listeners.push(id);
        }
        self.listening
            .store(!listeners.is_empty(), Ordering::Relaxed);
    }

    /// Log forwarding of a subscriber (`log <level>` / `nolog`).
    fn set_log_level(&self, id: SubscriberId, level: Option<LogLevel>) {
        self.bus
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .set_log_level(id, level);
        self.logging_changed(id, level.is_some());
    }

    /// A subscriber left.
    fn unsubscribe(&self, id: SubscriberId) {
        self.bus
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .unsubscribe(id);
        self.logging_changed(id, false);
        let mut listeners = self
            .listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        listeners.retain(|l| *l != id);
        self.listening
            .store(!listeners.is_empty(), Ordering::Relaxed);
    }

    /// Whether the event socket ACL lets `ip` in.
    fn allows(&self, ip: IpAddr) -> bool {
        // The list named at startup, evaluated with the lists in force (reloadacl).
        match &self.config.event_socket.apply_inbound_acl {
            None => true,
            Some(list) => self.current_config().acls.evaluate(list, ip) == Some(Decision::Allow),
        }
    }

    /// `status` numbers: the call task's counters plus uptime and version.
    async fn status(&self) -> StatusInfo {
        let (tx, rx) = oneshot::channel();
        let stats = if self.calls.send(CallControl::Stats(tx)).is_ok() {
            rx.await.unwrap_or_default()
        } else {
            CallStats::default()
        };
        StatusInfo {
            version: self.version.clone(),
            uptime_us: u64::try_from(self.started.elapsed().as_micros()).unwrap_or(u64::MAX),
            ready: true,
            sessions_since_startup: stats.sessions_since_startup,
            sessions_now: stats.sessions_now,
            sessions_peak: stats.sessions_peak,
            sessions_peak_5min: stats.sessions_peak,
            sps_last: 0,
            sps_max: stats.sps_max,
            sps_peak: 0,
            sps_peak_5min: 0,
            max_sessions: stats.max_sessions,
            idle_cpu_min: 0.0,
            idle_cpu_now: 0.0,
            stack_kib: None,
        }
    }

    /// Sends a core event (STARTUP, SHUTDOWN, ...) with no extra headers.
    pub fn publish_core(&self, name: &str) {
        if !self.listening() {
            return;
        }
        let mut event = self
            .factory
            .create(name, now(), call_site!("switch_core_init"));
        event.add_header("Event-Info", "System Ready");
        self.publish(event);
    }
}

/// Publishes HEARTBEAT every 20 s until shutdown.
pub async fn heartbeat(hub: Arc<ControlHub>, mut shutdown: watch::Receiver<bool>) {
    let mut ticker = tokio::time::interval_at(
        tokio::time::Instant::now() + HEARTBEAT_EVERY,
        HEARTBEAT_EVERY,
    );
    loop {
        tokio::select! {
            _ = ticker.tick() => {
                if hub.listening() {
                    let status = hub.status().await;
                    let event = builders::heartbeat(
                        &hub.factory,
                        now(),
                        call_site!("send_heartbeat"),
                        &status,
                    );
                    hub.publish(event);
                }
            }
            _ = shutdown.changed() => return,
        }
    }
}

/// The wall clock as event time (UTC: `Event-Date-Local` is printed in UTC).
pub fn now() -> EventTime {
    let epoch_us = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX));
    EventTime {
        epoch_us,
        utc_offset_secs: 0,
    }
}

/// A random v4 UUID string (job ids, event ids, the core id).
pub fn new_uuid() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    Uuid::from_random_bytes(bytes).to_string()
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "witswitch".to_owned())
}

/// The first profile address of that family (FreeSWITCH prints its own IPs).
fn primary_ip(config: &Config, v6: bool) -> String {
    config
        .profiles
        .iter()
        .map(|p| p.sip_ip)
        .find(|ip| ip.is_ipv6() == v6)
        .map_or_else(
            || if v6 { "::1" } else { "127.0.0.1" }.to_owned(),
            |ip| ip.to_string(),
        )
}
