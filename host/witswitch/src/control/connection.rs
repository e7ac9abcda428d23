//! One event-socket connection: the driver loop of `docs/control.md` around a
//! sans-IO `EslSession`. API commands run in their own tasks (a slow one never
//! delays this client's events); the subscriber queue is popped only while little
//! output is pending, so a client that does not read backs up into its bounded
//! queue, where the bus drops and counts.

use std::sync::Arc;
use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{Notify, mpsc, oneshot};
use witswitch_config::Credential;
use witswitch_control::bus::SubscriberId;
use witswitch_control::call_site;
use witswitch_control::event::builders;
use witswitch_control::queue::QueueReceiver;
use witswitch_control::session::{EslSession, Now, Request, RequestId};

use super::{CallControl, ControlHub, api, new_uuid, now};

/// Stop popping queued events once this much output waits for the socket.
const OUTPUT_HIGH_WATER: usize = 256 * 1024;
/// Queue items delivered per wakeup before the loop looks at its other inputs.
const ITEMS_PER_TURN: usize = 256;

/// A deferred command's result, back from its task.
#[derive(Debug)]
enum Completion {
    Api(RequestId, String),
    Reply(RequestId, String),
    UserAuth(RequestId, bool),
}

/// The loop's view of its subscriber.
struct Subscriber {
    id: SubscriberId,
    queue: QueueReceiver,
    notify: Arc<Notify>,
}

/// Serves an inbound connection until it closes.
pub async fn serve_inbound(hub: Arc<ControlHub>, stream: TcpStream) {
    let config = witswitch_control::session::SessionConfig {
        password: hub.config.event_socket.password.clone(),
        limits: witswitch_control::wire::Limits::default(),
    };
    let session = EslSession::inbound(config, Arc::clone(hub.factory()), Box::new(new_uuid));
    drive(hub, session, stream).await;
}

/// Runs `session` over `stream` until it closes; returns the session (the outbound
/// socket looks at how it ended).
pub async fn drive(hub: Arc<ControlHub>, session: EslSession, stream: TcpStream) -> EslSession {
    let subscriber = hub.subscribe();
    drive_subscribed(hub, session, stream, subscriber).await
}

/// [`drive`] with a subscriber made earlier (the outbound socket subscribes before
/// it connects, so the channel's hangup cannot slip by in between).
pub async fn drive_subscribed(
    hub: Arc<ControlHub>,
    mut session: EslSession,
    stream: TcpStream,
    (id, queue): (SubscriberId, QueueReceiver),
) -> EslSession {
    let notify = Arc::new(Notify::new());
    let waker = Arc::clone(&notify);
    queue.set_waker(move || waker.notify_one());
    let subscriber = Subscriber { id, queue, notify };
    if let Err(e) = run(&hub, &mut session, stream, &subscriber).await {
        tracing::debug!("event socket connection ended: {e}");
    }
    hub.unsubscribe(subscriber.id);
    session
}

async fn run(
    hub: &Arc<ControlHub>,
    session: &mut EslSession,
    stream: TcpStream,
    subscriber: &Subscriber,
) -> std::io::Result<()> {
    let (mut reader, mut writer) = stream.into_split();
    let (done_tx, mut done_rx) = mpsc::unbounded_channel();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        handle_requests(hub, session, subscriber.id, &done_tx);
        while let Some(bytes) = session.poll_transmit() {
            writer.write_all(&bytes).await?;
        }
        if session.is_closed() {
            writer.shutdown().await?;
            return Ok(());
        }
        let deadline = session.poll_timeout();
        tokio::select! {
            read = reader.read(&mut buf), if session.wants_read() => match read {
                Ok(0) | Err(_) => session.handle_eof(),
                Ok(n) => session.handle_input(&buf[..n]),
            },
            () = subscriber.notify.notified() => deliver(session, subscriber),
            Some(done) = done_rx.recv() => match done {
                Completion::Api(id, body) => session.complete_api(id, &body),
                Completion::Reply(id, text) => session.complete_reply(id, &text),
                Completion::UserAuth(id, ok) => session.complete_userauth(id, ok),
            },
            () = sleep_until(deadline) => session.handle_timeout(Instant::now()),
        }
    }
}

/// Pops queued items into the session while its output is small.
fn deliver(session: &mut EslSession, subscriber: &Subscriber) {
    let mut delivered = 0;
    while delivered < ITEMS_PER_TURN && session.pending_output() < OUTPUT_HIGH_WATER {
        let Some(item) = subscriber.queue.pop() else {
            return;
        };
        let time = Now {
            instant: Instant::now(),
            wall: now(),
        };
        session.handle_item(item, time);
        delivered += 1;
    }
    // More is waiting: come back after writing what we have.
    if !subscriber.queue.is_empty() {
        subscriber.notify.notify_one();
    }
}

fn handle_requests(
    hub: &Arc<ControlHub>,
    session: &mut EslSession,
    id: SubscriberId,
    done: &mpsc::UnboundedSender<Completion>,
) {
    while let Some(request) = session.poll_request() {
        match request {
            Request::Api { id, command } => {
                let (hub, done) = (Arc::clone(hub), done.clone());
                tokio::spawn(async move {
                    let body = api::execute(&hub, &command).await;
                    let _ = done.send(Completion::Api(id, body));
                });
            }
            Request::BgApi { job_uuid, command } => {
                let hub = Arc::clone(hub);
                tokio::spawn(async move { background_job(&hub, job_uuid, command).await });
            }
            Request::SendMsg { id, uuid, command } => {
                let (tx, rx) = oneshot::channel();
                let message = CallControl::SendMsg {
                    uuid: uuid.clone(),
                    command,
                    reply: tx,
                };
                let sent = hub.calls.send(message).is_ok();
                let done = done.clone();
                tokio::spawn(async move {
                    let text = match sent {
                        true => rx.await.ok(),
                        false => None,
                    };
                    let text = text.unwrap_or_else(|| format!("-ERR invalid session id [{uuid}]"));
                    let _ = done.send(Completion::Reply(id, text));
                });
            }
            Request::GetVar { id, uuid, name } => {
                let (tx, rx) = oneshot::channel();
                let sent = hub
                    .calls
                    .send(CallControl::GetVar {
                        uuid,
                        name,
                        reply: tx,
                    })
                    .is_ok();
                let done = done.clone();
                tokio::spawn(async move {
                    let value = if sent { rx.await.ok().flatten() } else { None };
                    let text = value.unwrap_or_else(|| "_undef_".to_owned());
                    let _ = done.send(Completion::Reply(id, text));
                });
            }
            Request::UserAuth {
                id,
                user,
                domain,
                password,
            } => {
                let ok = hub.current_config().user(&user, &domain).is_some_and(
                    |u| matches!(&u.credential, Some(Credential::Password(p)) if *p == password),
                );
                let _ = done.send(Completion::UserAuth(id, ok));
            }
            Request::SendEvent { mut event, .. } => {
                hub.factory
                    .stamp(&mut event, now(), call_site!("parse_command"));
                hub.publish(event);
            }
            Request::Subscription(subscription) => hub.update(id, subscription),
            Request::LogLevel(level) => hub.set_log_level(id, level),
            Request::Resume | Request::DivertEvents(_) => {}
        }
    }
}

/// Runs a `bgapi` command and publishes its BACKGROUND_JOB.
async fn background_job(hub: &ControlHub, job_uuid: String, command: String) {
    let output = api::execute(hub, &command).await;
    let (name, args) = command
        .trim()
        .split_once(char::is_whitespace)
        .map_or((command.trim(), ""), |(n, a)| (n, a.trim()));
    let event = builders::background_job(
        &hub.factory,
        now(),
        call_site!("api_exec"),
        &job_uuid,
        name,
        args,
        output,
    );
    hub.publish(event);
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await,
        None => std::future::pending().await,
    }
}
