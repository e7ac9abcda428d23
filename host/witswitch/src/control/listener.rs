//! The inbound event socket listener (`[event-socket]` listen-ip:listen-port): the
//! inbound ACL is applied on accept, every accepted client gets its own task.

use std::sync::Arc;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::sync::watch;
use witswitch_control::wire::frames;

use super::ControlHub;
use super::connection::serve_inbound;

/// Binds the listener and spawns its accept loop. A bind failure is logged and the
/// switch runs on without the event socket (as FreeSWITCH does when :8021 is taken):
/// calls matter more than the control plane.
pub async fn start_listener(hub: Arc<ControlHub>, shutdown: watch::Receiver<bool>) {
    let addr = hub.config.event_socket.listen;
    let listener = match TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(e) => {
            tracing::error!("event socket: cannot listen on {addr}: {e}");
            return;
        }
    };
    tracing::info!("event socket listening on {addr}");
    tokio::spawn(accept_loop(hub, listener, shutdown));
}

async fn accept_loop(
    hub: Arc<ControlHub>,
    listener: TcpListener,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.changed() => return,
        };
        let (mut stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(e) => {
                tracing::warn!("event socket accept: {e}");
                continue;
            }
        };
        if !hub.allows(peer.ip()) {
            tracing::warn!("event socket: {peer} denied by the inbound ACL");
            tokio::spawn(async move {
                let _ = stream.write_all(&frames::rude_rejection()).await;
                let _ = stream.shutdown().await;
            });
            continue;
        }
        let _ = stream.set_nodelay(true);
        tracing::debug!("event socket: connection from {peer}");
        tokio::spawn(serve_inbound(Arc::clone(&hub), stream));
    }
}
