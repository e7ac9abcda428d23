//! Calls end to end (issue 4): the call task that owns the sans-IO call
//! engine (`witswitch-core`), wired to the profile SIP tasks, the media
//! engine, the script host and the CDR file. The seams are described in
//! `docs/call-engine.md`.
//!
//! ```text
//! profile tasks ──ProfileMsg──▶ call task (Engine) ──MediaCommand──▶ MediaEngine
//!               ◀─ProfileCommand─         │  ▲       ◀──MediaEvent──
//!                            route / run  ▼  │ Internal (results, app requests)
//!                                   script tasks (ScriptHost)
//! ```

mod app_control;
mod call_commands;
pub mod cdr_writer;
mod control_link;
mod curl;
mod dns;
mod invoke;
pub mod link;
mod media_link;
mod originate_link;
pub(crate) mod profiles;
mod script_link;
pub(crate) mod scripts;
mod sip_map;
mod task;

use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use rand::RngCore;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use witswitch_config::Config;
use witswitch_core::{CdrRotation, Engine, EngineConfig, ProfileConfig, WallClock};
use witswitch_script::{ScriptHost, ScriptWatcher};
use witswitch_sdp::CodecPrefs;
use witswitch_types::Uuid;

use self::invoke::Invoker;
use self::link::ProfileCommand;
use self::media_link::MediaLink;
use self::task::{CallInputs, CallTask, ProfilePort};
use crate::control::CallControl;
use crate::control::channel_events::EventSink;
use crate::driver::core::CallSide;
use crate::media::{MediaConfig, MediaEngine};

/// Channel uuids and SDP session ids from the OS random generator.
#[derive(Debug)]
struct OsIds;

impl witswitch_core::IdSource for OsIds {
    fn new_uuid(&mut self) -> Uuid {
        let mut bytes = [0u8; 16];
        rand::rng().fill_bytes(&mut bytes);
        Uuid::from_random_bytes(bytes)
    }

    fn random_u64(&mut self) -> u64 {
        rand::rng().next_u64()
    }
}

/// The engine's view of the configuration.
pub fn engine_config(config: &Config) -> anyhow::Result<EngineConfig> {
    let mut profiles = Vec::new();
    for profile in &config.profiles {
        let list: Vec<&str> = profile.codec_prefs.iter().map(|c| c.name()).collect();
        let codecs: CodecPrefs = list
            .join(",")
            .parse()
            .map_err(|e| anyhow::anyhow!("profile {}: codec-prefs: {e}", profile.name))?;
        let mut engine_profile =
            ProfileConfig::new(&profile.name, &profile.context, codecs, profile.rtp_ip);
        engine_profile.ext_rtp_ip = profile.ext_rtp_ip;
        engine_profile.host = profile.sip_ip.to_string();
        profiles.push(engine_profile);
    }
    let mut engine = EngineConfig::new(profiles);
    for profile in &config.profiles {
        for gateway in &profile.gateways {
            engine
                .gateways
                .insert(gateway.name.clone(), profile.name.clone());
        }
    }
    engine.max_sessions = config.core.max_sessions;
    engine.sessions_per_second = config.core.sessions_per_second;
    engine.globals = config.vars.clone().into_iter().collect();
    // The call task turns events on while an event socket client listens.
    engine.events = false;
    Ok(engine)
}

fn media_config(config: &Config) -> MediaConfig {
    let rtp_timeout = config.profiles.iter().filter_map(|p| p.rtp_timeout).max();
    MediaConfig {
        port_min: *config.core.rtp_ports.start(),
        port_max: *config.core.rtp_ports.end(),
        local_ip: config
            .profiles
            .first()
            .map_or(MediaConfig::default().local_ip, |p| p.rtp_ip),
        rtp_timeout,
        relatch_after: witswitch_media::session::DEFAULT_RELATCH_AFTER,
        ..MediaConfig::default()
    }
}

/// The running call side of the switch.
#[derive(Debug)]
pub struct Calls {
    /// One per profile, in configuration order: give each to its driver.
    pub sides: Vec<(CallSide, mpsc::UnboundedReceiver<ProfileCommand>)>,
    /// The call task (ends at shutdown after hanging every call up).
    pub task: JoinHandle<()>,
    cdr_thread: Option<std::thread::JoinHandle<()>>,
    _host: ScriptHost,
    _watcher: Option<ScriptWatcher>,
}

impl Calls {
    /// The script host (admin commands and lifecycle events of the event socket).
    pub fn script_host(&self) -> ScriptHost {
        self._host.clone()
    }

    /// The per-profile parts, to hand to the drivers (once).
    pub fn take_sides(&mut self) -> Vec<(CallSide, mpsc::UnboundedReceiver<ProfileCommand>)> {
        std::mem::take(&mut self.sides)
    }

    /// Waits for the call task to end (after the stop signal), then for the CDR
    /// writer to write what it was given.
    pub async fn finish(&mut self) {
        let _ = (&mut self.task).await;
        if let Some(thread) = self.cdr_thread.take() {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}

/// Starts the script host, media engine, CDR writer and call task.
pub async fn start(
    config: &Arc<Config>,
    live: &Arc<crate::live_config::LiveConfig>,
    epoch: Instant,
    shutdown: watch::Receiver<bool>,
    control: (EventSink, mpsc::UnboundedReceiver<CallControl>),
) -> anyhow::Result<Calls> {
    let engine_config = engine_config(config)?;
    let (host, watcher) = scripts::start(config).await?;
    let (media, media_events) = MediaEngine::new(media_config(config)).context("media engine")?;
    let cdr_settings = &config.cdr;
    let (cdr, cdr_thread) = cdr_writer::start(
        cdr_settings.path.clone(),
        CdrRotation::new(cdr_settings.max_file_bytes, cdr_settings.keep_files),
    )
    .with_context(|| format!("CDR file {}", cdr_settings.path.display()))?;

    let (to_calls, from_profiles) = mpsc::unbounded_channel();
    let mut sides = Vec::new();
    let mut ports = Vec::new();
    for (index, profile) in config.profiles.iter().enumerate() {
        let side = profiles::call_side(config, profile, index, epoch, to_calls.clone())
            .with_context(|| format!("sofia profile '{}'", profile.name))?;
        let (commands, receiver) = mpsc::unbounded_channel();
        sides.push((side, receiver));
        ports.push(ProfilePort {
            name: profile.name.clone(),
            commands,
            registers: !profile.disable_register,
        });
    }

    let wall_us = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX));
    let engine = Engine::new(
        engine_config,
        Box::new(OsIds),
        WallClock::new(Instant::now(), wall_us),
    );
    let (internal_tx, internal) = mpsc::unbounded_channel();
    let invoker = Invoker::new(host.clone(), Arc::clone(live), internal_tx);
    let media = MediaLink::new(
        media,
        config.dir.join("sounds"),
        config.core.state_dir.join("recordings"),
    );
    let (events, control) = control;
    let task = CallTask::new(engine, ports, media, invoker, Some(cdr), Some(events));
    let inputs = CallInputs {
        control,
        profiles: from_profiles,
        internal,
        media: media_events,
        shutdown,
    };
    let task = tokio::spawn(task.run(inputs));
    Ok(Calls {
        sides,
        task,
        cdr_thread: Some(cdr_thread),
        _host: host,
        _watcher: watcher,
    })
}
