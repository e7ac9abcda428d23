//! TCP: a listener per profile, one task per connection (RFC 3261 §18.1.1, §18.2.1).
//!
//! A connection task owns its socket, frames what it reads and forwards whole messages
//! to the driver; the driver writes through the connection's bounded queue. A framing
//! error gets a best-effort 400 (when the header bytes name where it goes) and closes
//! the connection: after it the stream position is unknown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::time::{Instant, sleep_until, timeout};

use super::bad_request::error_response;
use super::framing::{ContentLengthFraming, Frame, StreamFraming};
use super::{ConnId, Counters, Limits, StreamEvent};

/// Size of one read from a connection.
const READ_CHUNK: usize = 16 * 1024;

/// Shared by a profile's listener and outbound connects.
#[derive(Debug, Clone)]
pub struct StreamContext {
    /// Where connection events go.
    pub events: mpsc::Sender<StreamEvent>,
    /// Caps.
    pub limits: Limits,
    /// Refusal counters.
    pub counters: Arc<Counters>,
    /// Connection slots (max_connections permits).
    pub slots: Arc<Semaphore>,
    /// Source of connection ids.
    pub next_id: Arc<AtomicU64>,
}

impl StreamContext {
    /// A context for a profile's streams.
    pub fn new(events: mpsc::Sender<StreamEvent>, limits: Limits, counters: Arc<Counters>) -> Self {
        StreamContext {
            events,
            limits,
            counters,
            slots: Arc::new(Semaphore::new(limits.max_connections)),
            next_id: Arc::new(AtomicU64::new(1)),
        }
    }

    fn new_conn_id(&self) -> ConnId {
        ConnId(self.next_id.fetch_add(1, Ordering::Relaxed))
    }
}

/// Accepts connections until the listener fails or the driver goes away.
pub async fn accept_loop(listener: TcpListener, ctx: StreamContext) {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // EMFILE and friends: log and keep accepting; the limit protects us.
                tracing::warn!("tcp accept failed: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = ctx.slots.clone().try_acquire_owned() else {
            Counters::bump(&ctx.counters.refused_connections);
            tracing::debug!("tcp connection from {peer} refused: connection limit reached");
            continue;
        };
        if ctx.events.is_closed() {
            return;
        }
        let _ = stream.set_nodelay(true);
        tokio::spawn(run_connection(stream, peer, ctx.clone(), permit));
    }
}

/// Opens a connection to `peer` (used when a response's connection has gone, §18.2.2,
/// or for requests to a TCP contact). The connection announces itself with
/// [`StreamEvent::Opened`] like an accepted one; `first` is written once it is up.
pub fn connect(peer: SocketAddr, first: Bytes, ctx: StreamContext) {
    let Ok(permit) = ctx.slots.clone().try_acquire_owned() else {
        Counters::bump(&ctx.counters.refused_connections);
        return;
    };
    tokio::spawn(async move {
        let stream = match timeout(ctx.limits.write_timeout, TcpStream::connect(peer)).await {
            Ok(Ok(stream)) => stream,
            Ok(Err(e)) => {
                tracing::debug!("tcp connect to {peer} failed: {e}");
                return;
            }
            Err(_) => {
                tracing::debug!("tcp connect to {peer} timed out");
                return;
            }
        };
        let _ = stream.set_nodelay(true);
        let (read_half, mut write_half) = stream.into_split();
        if timeout(ctx.limits.write_timeout, write_half.write_all(&first))
            .await
            .map_or(true, |r| r.is_err())
        {
            return;
        }
        serve(read_half, write_half, peer, ctx, permit).await;
    });
}

async fn run_connection(
    stream: TcpStream,
    peer: SocketAddr,
    ctx: StreamContext,
    permit: OwnedSemaphorePermit,
) {
    let (read_half, write_half) = stream.into_split();
    serve(read_half, write_half, peer, ctx, permit).await;
}

/// The connection loop, generic over the stream so that TLS can reuse it.
async fn serve<R, W>(
    mut reader: R,
    mut writer: W,
    peer: SocketAddr,
    ctx: StreamContext,
    _permit: OwnedSemaphorePermit,
) where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let conn = ctx.new_conn_id();
    let (outbound_tx, mut outbound) = mpsc::channel::<Bytes>(ctx.limits.connection_queue);
    let opened = StreamEvent::Opened {
        conn,
        peer,
        outbound: outbound_tx,
    };
    if ctx.events.send(opened).await.is_err() {
        return;
    }
    let mut framing = ContentLengthFraming::new(ctx.limits.message_limits());
    let mut chunk = vec![0u8; READ_CHUNK];
    let mut idle_deadline = Instant::now() + ctx.limits.idle_timeout;
    loop {
        tokio::select! {
            read = reader.read(&mut chunk) => {
                let n = match read {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                idle_deadline = Instant::now() + ctx.limits.idle_timeout;
                framing.push(&chunk[..n]);
                if !drain_frames(&mut framing, &mut writer, peer, &ctx).await {
                    break;
                }
            }
            out = outbound.recv() => {
                let Some(bytes) = out else { break };
                if !write_bounded(&mut writer, &bytes, &ctx).await {
                    break;
                }
            }
            () = sleep_until(idle_deadline) => {
                tracing::debug!("tcp connection {peer} idle: closing");
                break;
            }
        }
    }
    let _ = writer.shutdown().await;
    // The driver may be gone at shutdown; nothing to tell then.
    let _ = ctx.events.send(StreamEvent::Closed { conn }).await;
}

/// Hands every complete frame to the driver. `false` means close the connection.
async fn drain_frames<W: AsyncWrite + Unpin>(
    framing: &mut ContentLengthFraming,
    writer: &mut W,
    peer: SocketAddr,
    ctx: &StreamContext,
) -> bool {
    loop {
        match framing.next_frame() {
            Ok(None) => return true,
            Ok(Some(Frame::KeepAlivePing)) => {
                // RFC 5626 §4.4.1: a CRLF CRLF ping is answered by one CRLF pong.
                if !write_bounded(writer, b"\r\n", ctx).await {
                    return false;
                }
            }
            Ok(Some(Frame::Message(data))) => {
                let event = StreamEvent::Message { peer, data };
                if ctx.events.send(event).await.is_err() {
                    return false;
                }
            }
            Err(error) => {
                Counters::bump(&ctx.counters.framing_errors);
                tracing::debug!("tcp connection {peer}: {error}; closing");
                match error_response(framing.pending(), &error) {
                    Some(response) => {
                        Counters::bump(&ctx.counters.bad_requests);
                        let _ = write_bounded(writer, &response.to_bytes(), ctx).await;
                    }
                    None => Counters::bump(&ctx.counters.dropped),
                }
                return false;
            }
        }
    }
}

async fn write_bounded<W: AsyncWrite + Unpin>(
    writer: &mut W,
    bytes: &[u8],
    ctx: &StreamContext,
) -> bool {
    matches!(
        timeout(ctx.limits.write_timeout, writer.write_all(bytes)).await,
        Ok(Ok(()))
    )
}
