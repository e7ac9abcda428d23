//! The event model: a name, ordered headers, an optional body — FreeSWITCH's
//! `switch_event_t` shape, filled by the binary from call-engine, registrar and core
//! events, serialized to the three ESL formats.

pub mod builders;
pub mod channel;
pub mod core_headers;
pub mod names;
pub mod serialize;

use std::fmt;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;

pub use core_headers::{CallSite, CoreIdentity, EventFactory, EventTime};
pub use serialize::EventFormat;

/// One event: headers in the order they were added (duplicates allowed, as FreeSWITCH
/// allows them: CHANNEL_HANGUP_COMPLETE carries `Hangup-Cause` twice) and an optional body.
///
/// The name is the `Event-Name` header, the subclass the `Event-Subclass` header; they
/// are not stored twice, so the headers are always the single source of truth.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Event {
    headers: Vec<(String, String)>,
    body: Option<String>,
}

impl Event {
    /// An event with only `Event-Name: <name>`.
    pub fn named(name: &str) -> Self {
        Self {
            headers: vec![("Event-Name".to_string(), name.to_string())],
            body: None,
        }
    }

    /// A CUSTOM event: `Event-Subclass` then `Event-Name: CUSTOM`, FreeSWITCH's order.
    pub fn custom(subclass: &str) -> Self {
        Self {
            headers: vec![
                ("Event-Subclass".to_string(), subclass.to_string()),
                ("Event-Name".to_string(), names::CUSTOM.to_string()),
            ],
            body: None,
        }
    }

    /// An event from raw parts (a parsed frame, a `sendevent`).
    pub fn from_parts(headers: Vec<(String, String)>, body: Option<String>) -> Self {
        let mut event = Self {
            headers,
            body: None,
        };
        event.set_body(body);
        event
    }

    /// The `Event-Name` header, or `""` when absent.
    pub fn name(&self) -> &str {
        self.header("Event-Name").unwrap_or("")
    }

    /// The `Event-Subclass` header of a CUSTOM event.
    pub fn subclass(&self) -> Option<&str> {
        self.header("Event-Subclass")
    }

    /// The first header of that name (case-insensitive, as `switch_event_get_header`).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// All headers in order.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// Appends a header (duplicates allowed).
    pub fn add_header(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.headers.push((name.into(), value.into()));
    }

    /// Replaces the first header of that name, or appends it.
    pub fn set_header(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        match self
            .headers
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some(slot) => slot.1 = value,
            None => self.headers.push((name.to_string(), value)),
        }
    }

    /// Inserts headers at `index` (clamped to the end), keeping their order.
    pub fn insert_headers(
        &mut self,
        index: usize,
        headers: impl IntoIterator<Item = (String, String)>,
    ) {
        let index = index.min(self.headers.len());
        self.headers.splice(index..index, headers);
    }

    /// Removes every header of that name; returns how many were removed.
    pub fn remove_header(&mut self, name: &str) -> usize {
        let before = self.headers.len();
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        before - self.headers.len()
    }

    /// The body, if any (never empty: an empty body is no body, as in FreeSWITCH).
    pub fn body(&self) -> Option<&str> {
        self.body.as_deref()
    }

    /// Sets or clears the body; an empty string clears it.
    pub fn set_body(&mut self, body: Option<String>) {
        self.body = body.filter(|b| !b.is_empty());
    }
}

impl fmt::Display for Event {
    /// The plain serialization without URL-encoding, for humans (`fs_cli`'s RECV EVENT).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, value) in &self.headers {
            writeln!(f, "{name}: {value}")?;
        }
        if let Some(body) = &self.body {
            write!(f, "\n{body}")?;
        }
        Ok(())
    }
}

/// An event published to many subscribers: shared, immutable, with each wire frame
/// (`Content-Length` + `Content-Type` + serialized event) built at most once per format
/// no matter how many subscribers want it.
#[derive(Debug, Clone)]
pub struct SharedEvent(Arc<SharedInner>);

#[derive(Debug)]
struct SharedInner {
    event: Event,
    frames: [OnceLock<Bytes>; 3],
}

impl SharedEvent {
    /// Wraps an event for publishing.
    pub fn new(event: Event) -> Self {
        Self(Arc::new(SharedInner {
            event,
            frames: Default::default(),
        }))
    }

    /// The event.
    pub fn event(&self) -> &Event {
        &self.0.event
    }

    /// The complete wire frame in `format` (cached).
    pub fn frame(&self, format: EventFormat) -> Bytes {
        let slot = &self.0.frames[format.index()];
        slot.get_or_init(|| Bytes::from(serialize::event_frame(&self.0.event, format)))
            .clone()
    }
}

impl From<Event> for SharedEvent {
    fn from(event: Event) -> Self {
        Self::new(event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_and_subclass_come_from_headers() {
        let event = Event::custom("sofia::register");
        assert_eq!(event.name(), "CUSTOM");
        assert_eq!(event.subclass(), Some("sofia::register"));
        assert_eq!(event.headers()[0].0, "Event-Subclass");
        assert_eq!(Event::default().name(), "");
    }

    #[test]
    fn header_edits_keep_order() {
        let mut event = Event::named("API");
        event.add_header("A", "1");
        event.add_header("B", "2");
        event.set_header("a", "one");
        event.insert_headers(1, [("X".to_string(), "x".to_string())]);
        let names: Vec<&str> = event.headers().iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["Event-Name", "X", "A", "B"]);
        assert_eq!(event.header("A"), Some("one"));
        assert_eq!(event.remove_header("x"), 1);
        event.set_body(Some(String::new()));
        assert_eq!(event.body(), None);
    }

    #[test]
    fn shared_event_frames_are_cached() {
        let shared = SharedEvent::new(Event::named("HEARTBEAT"));
        let first = shared.frame(EventFormat::Json);
        let second = shared.frame(EventFormat::Json);
        assert_eq!(first.as_ptr(), second.as_ptr());
        assert!(first.starts_with(b"Content-Length: "));
    }
}
