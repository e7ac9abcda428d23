//! The event bus: fans events and log lines out to subscriber queues.
//!
//! Publishing checks each subscriber's [`Subscription`] (a copy the session keeps up to
//! date through [`crate::session::Request::Subscription`]) so unwanted events never take
//! queue space, then pushes without blocking: a full queue drops and counts. Each event
//! is wrapped once in a [`SharedEvent`], so its wire frames are built once however many
//! subscribers receive it.

use std::sync::Arc;

use crate::api::LogLevel;
use crate::event::{Event, SharedEvent};
use crate::queue::{PushOutcome, QueueItem, QueueReceiver, QueueSender, channel};
use crate::subscription::Subscription;
use crate::wire::LogRecord;

/// Names a subscriber of one bus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubscriberId(u64);

#[derive(Debug)]
struct Subscriber {
    id: SubscriberId,
    subscription: Subscription,
    log_level: Option<LogLevel>,
    sender: QueueSender,
}

/// What one publish did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PublishStats {
    /// Subscribers that got the item.
    pub queued: usize,
    /// Subscribers whose queue was full.
    pub dropped: usize,
}

/// Subscribers and their queues.
#[derive(Debug)]
pub struct EventBus {
    subscribers: Vec<Subscriber>,
    next_id: u64,
    queue_capacity: usize,
}

impl EventBus {
    /// A bus whose subscriber queues hold `queue_capacity` items each.
    pub fn new(queue_capacity: usize) -> Self {
        Self {
            subscribers: Vec::new(),
            next_id: 1,
            queue_capacity,
        }
    }

    /// Adds a subscriber (wanting nothing yet); the receiver feeds its session.
    pub fn subscribe(&mut self) -> (SubscriberId, QueueReceiver) {
        let id = SubscriberId(self.next_id);
        self.next_id += 1;
        let (sender, receiver) = channel(self.queue_capacity);
        self.subscribers.push(Subscriber {
            id,
            subscription: Subscription::default(),
            log_level: None,
            sender,
        });
        (id, receiver)
    }

    /// Replaces a subscriber's subscription.
    pub fn update(&mut self, id: SubscriberId, subscription: Subscription) {
        if let Some(subscriber) = self.subscribers.iter_mut().find(|s| s.id == id) {
            subscriber.subscription = subscription;
        }
    }

    /// Sets (or with `None` stops) a subscriber's log level.
    pub fn set_log_level(&mut self, id: SubscriberId, level: Option<LogLevel>) {
        if let Some(subscriber) = self.subscribers.iter_mut().find(|s| s.id == id) {
            subscriber.log_level = level;
        }
    }

    /// Removes a subscriber (also happens by itself once its receiver is dropped).
    pub fn unsubscribe(&mut self, id: SubscriberId) {
        self.subscribers.retain(|s| s.id != id);
    }

    /// Subscribers still connected.
    pub fn len(&self) -> usize {
        self.subscribers
            .iter()
            .filter(|s| !s.sender.is_closed())
            .count()
    }

    /// Whether there are no subscribers.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether any subscriber wants this event (lets producers skip building
    /// expensive events nobody listens to).
    pub fn wants(&self, event: &Event) -> bool {
        self.subscribers.iter().any(|s| s.subscription.wants(event))
    }

    /// Fans an event out.
    pub fn publish(&mut self, event: Event) -> PublishStats {
        self.subscribers.retain(|s| !s.sender.is_closed());
        let mut stats = PublishStats::default();
        // Moved, not cloned: every subscriber shares this one allocation.
        let shared = SharedEvent::new(event);
        for subscriber in &self.subscribers {
            let event = shared.event();
            let bound_hangup = subscriber.subscription.is_bound_hangup(event);
            if !bound_hangup && !subscriber.subscription.matches(event) {
                continue;
            }
            let item = QueueItem::Event(shared.clone());
            let outcome = if bound_hangup {
                subscriber.sender.send_control(item)
            } else {
                subscriber.sender.send(item)
            };
            count(&mut stats, outcome);
        }
        stats
    }

    /// Fans a log line out to subscribers logging at its level or finer.
    pub fn publish_log(&mut self, record: LogRecord) -> PublishStats {
        self.subscribers.retain(|s| !s.sender.is_closed());
        let record = Arc::new(record);
        let mut stats = PublishStats::default();
        for subscriber in &self.subscribers {
            if subscriber
                .log_level
                .is_some_and(|level| record.level <= level)
            {
                count(
                    &mut stats,
                    subscriber.sender.send(QueueItem::Log(record.clone())),
                );
            }
        }
        stats
    }
}

fn count(stats: &mut PublishStats, outcome: PushOutcome) {
    match outcome {
        PushOutcome::Queued => stats.queued += 1,
        PushOutcome::Dropped => stats.dropped += 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventFormat;

    fn event(name: &str) -> Event {
        let mut event = Event::named(name);
        event.add_header("Unique-ID", "u1");
        event
    }

    #[test]
    fn publishes_only_to_matching_subscribers() {
        let mut bus = EventBus::new(4);
        let (answer_id, answer_rx) = bus.subscribe();
        let (_, idle_rx) = bus.subscribe();
        let mut sub = Subscription::default();
        sub.enable(EventFormat::Plain, &["CHANNEL_ANSWER"]);
        bus.update(answer_id, sub);
        assert_eq!(
            bus.publish(event("CHANNEL_ANSWER")),
            PublishStats {
                queued: 1,
                dropped: 0
            }
        );
        assert_eq!(
            bus.publish(event("CHANNEL_HANGUP")),
            PublishStats::default()
        );
        assert_eq!(answer_rx.len(), 1);
        assert!(idle_rx.is_empty());
    }

    #[test]
    fn shares_one_event_between_subscribers() {
        let mut bus = EventBus::new(4);
        let mut receivers = Vec::new();
        for _ in 0..3 {
            let (id, rx) = bus.subscribe();
            let mut sub = Subscription::default();
            sub.enable(EventFormat::Json, &["ALL"]);
            bus.update(id, sub);
            receivers.push(rx);
        }
        bus.publish(event("HEARTBEAT"));
        let frames: Vec<_> = receivers
            .iter()
            .filter_map(|rx| match rx.pop() {
                Some(QueueItem::Event(shared)) => Some(shared.frame(EventFormat::Json)),
                _ => None,
            })
            .collect();
        assert_eq!(frames.len(), 3);
        assert!(
            frames.iter().all(|f| f.as_ptr() == frames[0].as_ptr()),
            "frame built once"
        );
    }

    #[test]
    fn closed_subscribers_go_away_and_logs_respect_levels() {
        let mut bus = EventBus::new(4);
        let (id, rx) = bus.subscribe();
        bus.set_log_level(id, Some(LogLevel::Warning));
        let record = |level| LogRecord {
            level,
            text_channel: 0,
            file: "f".into(),
            function: "g".into(),
            line: 1,
            user_data: None,
            body: "x\n".into(),
        };
        assert_eq!(bus.publish_log(record(LogLevel::Debug)).queued, 0);
        assert_eq!(bus.publish_log(record(LogLevel::Err)).queued, 1);
        drop(rx);
        assert!(bus.is_empty());
        assert_eq!(bus.publish_log(record(LogLevel::Err)).queued, 0);
    }

    #[test]
    fn bound_hangup_is_delivered_even_when_full() {
        let mut bus = EventBus::new(1);
        let (id, rx) = bus.subscribe();
        let mut sub = Subscription::default();
        sub.enable(EventFormat::Plain, &["ALL"]);
        sub.bind("u1");
        bus.update(id, sub);
        bus.publish(event("CHANNEL_ANSWER"));
        assert_eq!(bus.publish(event("CHANNEL_HANGUP")).dropped, 1);
        assert_eq!(bus.publish(event("CHANNEL_HANGUP_COMPLETE")).queued, 1);
        assert_eq!(rx.len(), 3, "event, loss notice, hangup");
    }
}
