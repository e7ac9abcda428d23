//! Startup wiring: bind every profile's listeners, start one driver task per profile,
//! and stop on SIGINT or SIGTERM.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use witswitch_config::{Config, Profile, Transport as ConfigTransport};

use crate::control::{ControlHub, channel_events, heartbeat, start_listener};
use crate::driver::core::{BindingObserver, ProfileCore};
use crate::driver::{ProfileDriver, StreamSide};
use crate::live_config::LiveConfig;
use crate::logging::LogControl;
use crate::transport::tcp::{StreamContext, accept_loop};
use crate::transport::{Counters, Limits, udp};
use crate::wiring::core_parts;

/// Stream events queued from a profile's connections to its driver.
const STREAM_EVENT_QUEUE: usize = 1024;

/// Runs every profile until a termination signal.
pub async fn serve(config: Config, log: LogControl) -> anyhow::Result<()> {
    let config = Arc::new(config);
    let live = LiveConfig::new(Arc::clone(&config));
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let epoch = Instant::now();
    let mut drivers = Vec::new();
    // The call task stops first (hanging every call up), then the profiles, so the
    // BYEs and CANCELs it sends still leave.
    let (calls_stop_tx, calls_stop_rx) = watch::channel(false);
    let (control_tx, control_rx) = mpsc::unbounded_channel();
    let hub = ControlHub::new(Arc::clone(&config), control_tx);
    hub.attach_admin(Arc::clone(&live), log);
    let events = channel_events::start_publisher(Arc::clone(&hub));
    let mut calls = crate::calls::start(&config, &live, epoch, calls_stop_rx, (events, control_rx))
        .await
        .context("call engine")?;
    hub.attach_scripts(calls.script_host(), shutdown_rx.clone());
    let mut sides = calls.take_sides().into_iter();
    for profile in &config.profiles {
        let observer: Arc<dyn BindingObserver> = hub.clone();
        let started = start_profile(profile, epoch, shutdown_rx.clone(), observer, &live);
        let mut driver = started
            .await
            .with_context(|| format!("sofia profile '{}'", profile.name))?;
        if let Some((side, commands)) = sides.next() {
            driver.attach_calls(side, commands);
        }
        driver.attach_admin(hub.add_profile(&profile.name));
        drivers.push(tokio::spawn(driver.run()));
    }
    start_listener(Arc::clone(&hub), shutdown_rx.clone()).await;
    tokio::spawn(heartbeat(Arc::clone(&hub), shutdown_rx.clone()));
    tracing::info!(
        "witswitch {} is ready ({} profiles)",
        env!("CARGO_PKG_VERSION"),
        drivers.len()
    );
    hub.publish_core("STARTUP");
    tokio::select! {
        () = wait_for_termination() => {}
        () = hub.shutdown_requested() => {}
    }
    tracing::info!("shutting down");
    hub.publish_core("SHUTDOWN");
    let _ = calls_stop_tx.send(true);
    calls.finish().await;
    let _ = shutdown_tx.send(true);
    for driver in drivers {
        let _ = driver.await;
    }
    Ok(())
}

async fn start_profile(
    profile: &Profile,
    epoch: Instant,
    shutdown: watch::Receiver<bool>,
    bindings: Arc<dyn BindingObserver>,
    live: &Arc<LiveConfig>,
) -> anyhow::Result<ProfileDriver> {
    let limits = Limits::default();
    let counters = Arc::new(Counters::default());
    let mut udp_socket = None;
    let mut streams = None;
    for (addr, transport) in profile.listen_addrs() {
        match transport {
            ConfigTransport::Udp => {
                let socket = udp::bind(addr)
                    .await
                    .with_context(|| format!("cannot bind udp {addr}"))?;
                udp_socket = Some(Arc::new(socket));
            }
            ConfigTransport::Tcp => {
                let listener = TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("cannot bind tcp {addr}"))?;
                let (events_tx, events) = mpsc::channel(STREAM_EVENT_QUEUE);
                let ctx = StreamContext::new(events_tx, limits, Arc::clone(&counters));
                tokio::spawn(accept_loop(listener, ctx.clone()));
                streams = Some(StreamSide { ctx, events });
            }
        }
        tracing::info!(
            "sofia profile '{}' listening on {transport} {addr}",
            profile.name
        );
    }
    let parts = core_parts(
        profile,
        &limits,
        Arc::clone(&counters),
        epoch,
        Some(bindings),
        live,
    );
    Ok(ProfileDriver::new(
        ProfileCore::new(parts),
        udp_socket,
        streams,
        counters,
        shutdown,
    ))
}

/// SIGINT (Ctrl-C) or SIGTERM.
async fn wait_for_termination() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(signal) => signal,
        Err(e) => {
            tracing::warn!("cannot watch SIGTERM: {e}");
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
