//! The outbound event socket: the `socket` dialplan application connects to an
//! application server and runs an outbound `EslSession` there (the same driver loop
//! as inbound connections, bound to the channel from the start). When the
//! connection cannot be made, or once it closes, the call task hears it
//! ([`CallControl::SocketEnded`]) and the engine continues or hangs up the channel.

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpStream;
use witswitch_control::session::{EslSession, OutboundConfig, SessionConfig};
use witswitch_control::subscription::Subscription;
use witswitch_core::{ChannelEvent, SocketEnd, SocketTarget};

use super::{CallControl, ControlHub, channel_events, connection, new_uuid};

/// How long the connect may take (FreeSWITCH uses the OS default; a dead host
/// should not hold a ringing caller for minutes).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Connects for the channel of `data` and serves the session until it ends.
pub fn spawn(hub: Arc<ControlHub>, target: SocketTarget, data: &ChannelEvent) {
    let uuid = data.channel.uuid.clone();
    let channel_data = channel_events::connect_data(&hub, data);
    // Bound now, on the call task: a hangup while connecting is queued for the
    // session, which then says goodbye at once instead of waiting forever.
    let (id, queue) = hub.subscribe();
    let mut bound = Subscription::default();
    bound.bind(&uuid);
    hub.update(id, bound);
    tokio::spawn(async move {
        let addr = format!("{}:{}", target.host, target.port);
        let connected = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(&addr)).await;
        let stream = match connected {
            Ok(Ok(stream)) => stream,
            Ok(Err(e)) => {
                tracing::error!("[{uuid}] socket {addr}: {e}");
                hub.unsubscribe(id);
                return ended(&hub, uuid, SocketEnd::Refused);
            }
            Err(_) => {
                tracing::error!("[{uuid}] socket {addr}: connect timed out");
                hub.unsubscribe(id);
                return ended(&hub, uuid, SocketEnd::Refused);
            }
        };
        let _ = stream.set_nodelay(true);
        let config = SessionConfig {
            password: hub.config.event_socket.password.clone(),
            limits: witswitch_control::wire::Limits::default(),
        };
        let outbound = OutboundConfig {
            channel_data,
            async_mode: target.async_mode,
            full: target.full,
        };
        let session = EslSession::outbound(
            config,
            Arc::clone(hub.factory()),
            Box::new(new_uuid),
            outbound,
        );
        let subscriber = (id, queue);
        let session =
            connection::drive_subscribed(Arc::clone(&hub), session, stream, subscriber).await;
        let resume = session.resumed();
        ended(&hub, uuid, SocketEnd::Closed { resume });
    });
}

fn ended(hub: &ControlHub, uuid: String, end: SocketEnd) {
    // The call task is gone only at shutdown, when the channel is gone too.
    let _ = hub.calls.send(CallControl::SocketEnded { uuid, end });
}
