//! Per-profile SIP drivers: one tokio task per profile owns its [`core::ProfileCore`]
//! and moves bytes and time in and out of it. No SIP logic lives here.
//!
//! The loop: flush every queued transmission to its socket or connection, arm a timer at
//! the core's next deadline, then await a datagram | a stream event | the timer |
//! shutdown.

pub mod connections;
pub mod core;
pub mod invite_auth;
pub mod invite_build;
pub mod via;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use tokio::net::UdpSocket;
use tokio::sync::{mpsc, watch};
use witswitch_sip::Transport;
use witswitch_sip::transaction::Transmit;

use self::connections::Connections;
use self::core::{CallSide, ProfileCore};
use crate::calls::link::ProfileCommand;
use crate::transport::tcp::{self, StreamContext};
use crate::transport::udp::{self, MAX_DATAGRAM};
use crate::transport::{Counters, StreamEvent};

/// The stream side of a profile: where connection events arrive and how to open more.
#[derive(Debug)]
pub struct StreamSide {
    /// Shared with the listener and connection tasks.
    pub ctx: StreamContext,
    /// Events from every connection of this profile.
    pub events: mpsc::Receiver<StreamEvent>,
}

/// One profile's driver task state.
#[derive(Debug)]
pub struct ProfileDriver {
    core: ProfileCore,
    udp: Option<Arc<UdpSocket>>,
    streams: Option<StreamSide>,
    connections: Connections,
    counters: Arc<Counters>,
    shutdown: watch::Receiver<bool>,
    /// Commands of the call task, once attached.
    commands: Option<mpsc::UnboundedReceiver<ProfileCommand>>,
    /// Requests of the control plane (`sofia status`, `killgw`, ...).
    admin: Option<mpsc::UnboundedReceiver<core::admin::ProfileAdmin>>,
}

impl ProfileDriver {
    /// A driver over an already bound UDP socket and/or TCP stream side.
    pub fn new(
        core: ProfileCore,
        udp: Option<Arc<UdpSocket>>,
        streams: Option<StreamSide>,
        counters: Arc<Counters>,
        shutdown: watch::Receiver<bool>,
    ) -> Self {
        ProfileDriver {
            core,
            udp,
            streams,
            connections: Connections::default(),
            counters,
            shutdown,
            commands: None,
            admin: None,
        }
    }

    /// Connects the profile to the call task: INVITEs go there, its commands
    /// come back on `commands`.
    pub fn attach_calls(
        &mut self,
        side: CallSide,
        commands: mpsc::UnboundedReceiver<ProfileCommand>,
    ) {
        self.core.attach_calls(Instant::now(), side);
        self.commands = Some(commands);
    }

    /// Takes the control plane's requests from `admin` from now on.
    pub fn attach_admin(&mut self, admin: mpsc::UnboundedReceiver<core::admin::ProfileAdmin>) {
        self.admin = Some(admin);
    }

    /// Runs until shutdown is signalled.
    pub async fn run(mut self) {
        let mut datagram = vec![0u8; MAX_DATAGRAM];
        loop {
            self.flush().await;
            let deadline = self.core.poll_timeout();
            tokio::select! {
                received = recv_datagram(self.udp.as_deref(), &mut datagram) => {
                    if let Some((len, source)) = received {
                        let data = datagram.get(..len).unwrap_or_default();
                        trace_message("recv", "UDP", source, data);
                        self.core.handle_bytes(Instant::now(), data, source, Transport::Udp);
                    }
                }
                event = recv_stream_event(self.streams.as_mut()) => self.on_stream_event(event),
                command = recv_command(self.commands.as_mut()) => {
                    self.core.handle_call_command(Instant::now(), command);
                }
                request = recv_command(self.admin.as_mut()) => {
                    self.core.admin(Instant::now(), request);
                }
                () = sleep_until(deadline) => self.core.handle_timeout(Instant::now()),
                changed = self.shutdown.changed() => {
                    if changed.is_err() || *self.shutdown.borrow() {
                        self.finish_commands().await;
                        return;
                    }
                }
            }
        }
    }

    /// At shutdown: carries out what the call task sent last (the BYEs of its final
    /// hangup) and puts it on the wire.
    async fn finish_commands(&mut self) {
        if let Some(commands) = self.commands.as_mut() {
            while let Ok(command) = commands.try_recv() {
                self.core.handle_call_command(Instant::now(), command);
            }
        }
        self.flush().await;
    }

    fn on_stream_event(&mut self, event: StreamEvent) {
        match event {
            StreamEvent::Opened {
                conn,
                peer,
                outbound,
            } => {
                self.connections.opened(conn, peer, outbound);
                tracing::debug!(
                    "tcp connection {peer} open ({} open)",
                    self.connections.len()
                );
            }
            StreamEvent::Message { peer, data } => {
                trace_message("recv", "TCP", peer, &data);
                self.core
                    .handle_bytes(Instant::now(), &data, peer, Transport::Tcp);
            }
            StreamEvent::Closed { conn } => self.connections.closed(conn),
        }
    }

    /// Sends everything the core has queued.
    async fn flush(&mut self) {
        while let Some(transmit) = self.core.poll_transmit() {
            let sent = match transmit.transport {
                Transport::Udp => send_udp(self.udp.as_deref(), &transmit).await,
                Transport::Tcp => self.send_stream(&transmit),
                ref other => {
                    tracing::debug!("no {other} transport on this profile");
                    false
                }
            };
            if !sent {
                self.core.transport_error(Instant::now(), &transmit);
            }
        }
    }

    /// RFC 3261 §18.2.2 for streams: on the connection the request came on when it is
    /// still open, else over a new connection to `received` (or the sent-by host) at the
    /// sent-by port.
    fn send_stream(&mut self, transmit: &Transmit) -> bool {
        let bytes = bytes::Bytes::from(transmit.message.to_bytes());
        trace_message("send", "TCP", transmit.dest, &bytes);
        match self.connections.send(transmit.dest, bytes.clone()) {
            connections::SendOutcome::Queued => return true,
            connections::SendOutcome::QueueFull => {
                Counters::bump(&self.counters.queue_overflows);
                return false;
            }
            connections::SendOutcome::NoConnection => {}
        }
        let Some(streams) = &self.streams else {
            return false;
        };
        let target = connections::reconnect_target(&transmit.message, transmit.dest);
        tracing::debug!(
            "connection to {} gone: opening one to {target}",
            transmit.dest
        );
        tcp::connect(target, bytes, streams.ctx.clone());
        true
    }
}

/// Sends over the profile's UDP socket. A free function, so that the driver (whose
/// dialog state is `Send` but not `Sync`) is not borrowed across the await.
async fn send_udp(socket: Option<&UdpSocket>, transmit: &Transmit) -> bool {
    let Some(socket) = socket else {
        return false;
    };
    let bytes = transmit.message.to_bytes();
    trace_message("send", "UDP", transmit.dest, &bytes);
    udp::send(socket, &bytes, transmit.dest).await;
    true
}

/// At log level debug, every message in and out, like `sofia global siptrace on`.
fn trace_message(direction: &str, transport: &str, peer: SocketAddr, bytes: &[u8]) {
    if tracing::enabled!(tracing::Level::DEBUG) {
        let shown = &bytes[..bytes.len().min(4096)];
        tracing::debug!(
            "{direction} {} bytes {} {peer} over {transport}:\n{}",
            bytes.len(),
            if direction == "recv" { "from" } else { "to" },
            String::from_utf8_lossy(shown).trim_end()
        );
    }
}

async fn recv_datagram(socket: Option<&UdpSocket>, buf: &mut [u8]) -> Option<(usize, SocketAddr)> {
    let Some(socket) = socket else {
        return std::future::pending().await;
    };
    match socket.recv_from(buf).await {
        Ok(received) => Some(received),
        Err(e) => {
            // ICMP errors of earlier sends surface here (ECONNREFUSED): not fatal.
            tracing::debug!("udp receive: {e}");
            None
        }
    }
}

async fn recv_stream_event(streams: Option<&mut StreamSide>) -> StreamEvent {
    let Some(streams) = streams else {
        return std::future::pending().await;
    };
    match streams.events.recv().await {
        Some(event) => event,
        // The driver holds a sender in its context, so this does not happen.
        None => std::future::pending().await,
    }
}

async fn recv_command<T>(commands: Option<&mut mpsc::UnboundedReceiver<T>>) -> T {
    let Some(commands) = commands else {
        return std::future::pending().await;
    };
    match commands.recv().await {
        Some(command) => command,
        // The call task has stopped (shutdown): nothing more will come.
        None => std::future::pending().await,
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await,
        None => std::future::pending().await,
    }
}
