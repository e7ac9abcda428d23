//! What one event-socket client wants to receive: event names and CUSTOM subclasses
//! (`event`, `nixevent`, `noevents`), header filters (`filter`), the channel it is bound
//! to (`myevents`, outbound mode), and the format.
//!
//! Matching follows mod_event_socket: the name (or ALL) must be subscribed; a CUSTOM
//! event needs its subclass subscribed (ALL takes every subclass); with `myevents` only
//! the bound channel's events pass (plus the BACKGROUND_JOB results of this client's own
//! `bgapi` jobs); then filters: once a positive filter exists an event must match one of
//! them, and any matching `-value` filter drops it. (FreeSWITCH passes nothing when only
//! negative filters exist; here negative-only filters drop matches and pass the rest,
//! which is what users of `filter Unique-ID -<uuid>` expect.)

use std::collections::{HashSet, VecDeque};

use regex::Regex;
use thiserror::Error;

use crate::api::regex as fsregex;
use crate::event::{Event, EventFormat, names};

/// How many of its own bgapi job ids a `myevents` client remembers.
const MAX_OWN_JOBS: usize = 256;

/// A header filter.
#[derive(Debug, Clone)]
pub struct Filter {
    /// Header name (matched case-insensitively).
    pub header: String,
    /// The value as given (with its `+`/`-` prefix), for `filter delete` and replies.
    pub value: String,
    negative: bool,
    matcher: Matcher,
}

#[derive(Debug, Clone)]
enum Matcher {
    /// Case-insensitive equality (`strcasecmp`).
    Exact(String),
    /// `/regex/flags`.
    Regex(Regex),
}

/// Why a filter was not added.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum FilterError {
    /// `filter <header>` without a value.
    #[error("-ERR invalid syntax")]
    MissingValue,
    /// A `/.../` value that does not compile.
    #[error("-ERR invalid regex")]
    BadRegex,
}

impl Filter {
    /// A filter on `header`: `value`, `+value`, `-value`, `/regex/`, `-/regex/`.
    pub fn new(header: &str, value: &str) -> Result<Self, FilterError> {
        let trimmed = value.trim_start_matches([' ', '+', '-']);
        let negative = value[..value.len() - trimmed.len()]
            .rfind(['+', '-'])
            .is_some_and(|i| value.as_bytes()[i] == b'-');
        if trimmed.is_empty() {
            return Err(FilterError::MissingValue);
        }
        let matcher = if trimmed.starts_with('/') {
            Matcher::Regex(fsregex::compile(trimmed).ok_or(FilterError::BadRegex)?)
        } else {
            Matcher::Exact(trimmed.to_string())
        };
        Ok(Self {
            header: header.to_string(),
            value: value.to_string(),
            negative,
            matcher,
        })
    }

    fn matches(&self, header_value: &str) -> bool {
        match &self.matcher {
            Matcher::Exact(want) => header_value.eq_ignore_ascii_case(want),
            Matcher::Regex(regex) => regex.is_match(header_value),
        }
    }
}

/// One client's subscription state.
#[derive(Debug, Clone, Default)]
pub struct Subscription {
    format: Option<EventFormat>,
    all: bool,
    all_custom: bool,
    names: HashSet<String>,
    subclasses: HashSet<String>,
    filters: Vec<Filter>,
    bound_uuid: Option<String>,
    only_bound: bool,
    own_jobs: VecDeque<String>,
}

impl Subscription {
    /// Whether any event is wanted (`event`/`myevents` ran and no `noevents` since).
    pub fn listening(&self) -> bool {
        self.format.is_some()
    }

    /// The format events are sent in, when listening.
    pub fn format(&self) -> Option<EventFormat> {
        self.format
    }

    /// `event [fmt] <words>`: adds names, `ALL`, `CUSTOM <subclass...>`. Returns how
    /// many words were understood (0 = "-ERR no keywords supplied"; nothing changes).
    pub fn enable(&mut self, format: EventFormat, words: &[&str]) -> usize {
        let mut understood = 0;
        let mut custom = false;
        let mut names_added = Vec::new();
        let mut subclasses_added = Vec::new();
        for word in words {
            if custom {
                subclasses_added.push(word.to_string());
            } else if word.eq_ignore_ascii_case(names::CUSTOM) {
                custom = true;
                names_added.push(names::CUSTOM.to_string());
            } else if let Some(name) = names::canonical(word) {
                names_added.push(name.to_string());
            } else {
                continue;
            }
            understood += 1;
        }
        if understood == 0 {
            return 0;
        }
        for name in names_added {
            if name == names::ALL {
                self.all = true;
            }
            self.names.insert(name);
        }
        self.subclasses.extend(subclasses_added);
        self.format = Some(format);
        understood
    }

    /// `nixevent <words>`: removes names or CUSTOM subclasses; `ALL` removes everything.
    /// Returns how many words were understood.
    pub fn nix(&mut self, words: &[&str]) -> usize {
        let mut understood = 0;
        let mut custom = false;
        for word in words {
            if custom {
                self.subclasses.remove(*word);
            } else if word.eq_ignore_ascii_case(names::CUSTOM) {
                custom = true;
            } else if let Some(name) = names::canonical(word) {
                if name == names::ALL {
                    self.all = false;
                    self.all_custom = false;
                    self.names.clear();
                    self.subclasses.clear();
                } else {
                    self.expand_all();
                    self.names.remove(name);
                }
            } else {
                continue;
            }
            understood += 1;
        }
        understood
    }

    /// Turns ALL into the explicit list, so one name can be taken out of it.
    fn expand_all(&mut self) {
        if self.all {
            self.all = false;
            self.all_custom = true;
            self.names.extend(
                names::KNOWN
                    .iter()
                    .filter(|n| **n != names::ALL)
                    .map(|n| n.to_string()),
            );
            self.names.remove(names::ALL);
        }
    }

    /// `noevents`: stops all events (filters stay). Returns whether it was listening.
    pub fn stop(&mut self) -> bool {
        let was = self.listening();
        self.format = None;
        self.all = false;
        self.all_custom = false;
        self.only_bound = false;
        self.names.clear();
        self.subclasses.clear();
        was
    }

    /// `myevents`: every event of the bound channel, in `format`.
    pub fn my_events(&mut self, uuid: &str, format: EventFormat) {
        self.bind(uuid);
        self.only_bound = true;
        self.all = true;
        self.names.insert(names::ALL.to_string());
        self.format = Some(format);
    }

    /// Binds the subscription to a channel (outbound mode, `myevents <uuid>`).
    pub fn bind(&mut self, uuid: &str) {
        self.bound_uuid = Some(uuid.to_string());
    }

    /// The bound channel.
    pub fn bound_uuid(&self) -> Option<&str> {
        self.bound_uuid.as_deref()
    }

    /// Remembers a bgapi job of this client (its result passes `myevents`).
    pub fn remember_job(&mut self, job_uuid: &str) {
        if self.own_jobs.len() == MAX_OWN_JOBS {
            self.own_jobs.pop_front();
        }
        self.own_jobs.push_back(job_uuid.to_string());
    }

    /// Forgets a job whose result was delivered.
    pub fn forget_job(&mut self, job_uuid: &str) {
        self.own_jobs.retain(|j| j != job_uuid);
    }

    /// Whether `myevents` restricts events to the bound channel.
    pub fn only_bound(&self) -> bool {
        self.only_bound
    }

    /// `filter <header> <value>`.
    pub fn add_filter(&mut self, header: &str, value: &str) -> Result<(), FilterError> {
        self.filters.push(Filter::new(header, value)?);
        Ok(())
    }

    /// `filter delete <header> [value]` (every filter on the header without a value).
    pub fn delete_filter(&mut self, header: &str, value: Option<&str>) {
        self.filters.retain(|f| {
            !(f.header.eq_ignore_ascii_case(header) && value.is_none_or(|v| f.value == v))
        });
    }

    /// `filter delete all`.
    pub fn delete_all_filters(&mut self) {
        self.filters.clear();
    }

    /// The filters in the order they were added.
    pub fn filters(&self) -> &[Filter] {
        &self.filters
    }

    /// Whether this is the bound channel's CHANNEL_HANGUP_COMPLETE, after which a
    /// controlled socket gets its disconnect notice (delivered even when not subscribed).
    pub fn is_bound_hangup(&self, event: &Event) -> bool {
        self.bound_uuid.as_deref().is_some_and(|uuid| {
            event.name() == names::CHANNEL_HANGUP_COMPLETE
                && event.header("Unique-ID") == Some(uuid)
        })
    }

    /// Whether the event should be sent to this client.
    pub fn matches(&self, event: &Event) -> bool {
        if !self.listening() || !self.name_subscribed(event) {
            return false;
        }
        if self.only_bound && !self.is_bound_event(event) {
            return false;
        }
        self.filters_pass(event)
    }

    /// Whether a queue feeding this subscriber should take the event at all.
    pub fn wants(&self, event: &Event) -> bool {
        self.matches(event) || self.is_bound_hangup(event)
    }

    fn name_subscribed(&self, event: &Event) -> bool {
        if self.all {
            return true;
        }
        let name = event.name();
        if name == names::CUSTOM {
            return self.names.contains(names::CUSTOM)
                && (self.all_custom
                    || event.subclass().is_none_or(|s| self.subclasses.contains(s)));
        }
        self.names.contains(name)
    }

    fn is_bound_event(&self, event: &Event) -> bool {
        let Some(uuid) = self.bound_uuid.as_deref() else {
            return false;
        };
        if event.header("Unique-ID") == Some(uuid) {
            return true;
        }
        event.name() == names::BACKGROUND_JOB
            && event
                .header("Job-UUID")
                .is_some_and(|job| self.own_jobs.iter().any(|own| own == job))
    }

    fn filters_pass(&self, event: &Event) -> bool {
        let mut has_positive = false;
        let mut positive_match = false;
        for filter in &self.filters {
            has_positive |= !filter.negative;
            let Some(value) = event.header(&filter.header) else {
                continue;
            };
            if filter.matches(value) {
                if filter.negative {
                    return false;
                }
                positive_match = true;
            }
        }
        !has_positive || positive_match
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(name: &str, uuid: &str) -> Event {
        let mut event = Event::named(name);
        event.add_header("Unique-ID", uuid);
        event
    }

    #[test]
    fn names_custom_and_all() {
        let mut sub = Subscription::default();
        assert!(!sub.matches(&event("CHANNEL_ANSWER", "u")));
        assert_eq!(
            sub.enable(
                EventFormat::Plain,
                &["channel_answer", "bogus", "CUSTOM", "sofia::register"]
            ),
            3
        );
        assert!(sub.matches(&event("CHANNEL_ANSWER", "u")));
        assert!(!sub.matches(&event("CHANNEL_HANGUP", "u")));
        assert!(sub.matches(&Event::custom("sofia::register")));
        assert!(!sub.matches(&Event::custom("sofia::unregister")));
        assert_eq!(sub.enable(EventFormat::Json, &["nothing"]), 0);
        assert_eq!(sub.format(), Some(EventFormat::Plain));
        sub.enable(EventFormat::Json, &["ALL"]);
        assert!(sub.matches(&Event::custom("anything::else")));
        assert_eq!(sub.format(), Some(EventFormat::Json));
    }

    #[test]
    fn nix_takes_one_name_out_of_all() {
        let mut sub = Subscription::default();
        sub.enable(EventFormat::Plain, &["ALL"]);
        assert_eq!(sub.nix(&["CHANNEL_STATE"]), 1);
        assert!(!sub.matches(&event("CHANNEL_STATE", "u")));
        assert!(sub.matches(&event("CHANNEL_ANSWER", "u")));
        assert!(sub.matches(&Event::custom("sofia::register")));
        sub.nix(&["ALL"]);
        assert!(!sub.matches(&event("CHANNEL_ANSWER", "u")));
        assert!(sub.stop());
        assert!(!sub.stop());
    }

    #[test]
    fn filters_positive_negative_regex() {
        let mut sub = Subscription::default();
        sub.enable(EventFormat::Plain, &["ALL"]);
        sub.add_filter("Event-Name", "CHANNEL_ANSWER").ok();
        sub.add_filter("Event-Name", "channel_hangup").ok();
        assert!(sub.matches(&event("CHANNEL_ANSWER", "u")));
        assert!(sub.matches(&event("CHANNEL_HANGUP", "u")));
        assert!(!sub.matches(&event("CHANNEL_STATE", "u")));
        sub.add_filter("Unique-ID", "-bad").ok();
        assert!(!sub.matches(&event("CHANNEL_ANSWER", "bad")));
        sub.delete_all_filters();
        sub.add_filter("Unique-ID", "/^ab+c$/").ok();
        assert!(sub.matches(&event("X", "abbbc")));
        assert!(!sub.matches(&event("X", "ac")));
        sub.delete_filter("unique-id", None);
        sub.add_filter("Unique-ID", "-/^tmp-/").ok();
        assert!(!sub.matches(&event("X", "tmp-1")));
        assert!(
            sub.matches(&event("X", "keep")),
            "negative-only filters pass the rest"
        );
        assert_eq!(
            sub.add_filter("A", "/(/").err(),
            Some(FilterError::BadRegex)
        );
        assert_eq!(
            sub.add_filter("A", "-").err(),
            Some(FilterError::MissingValue)
        );
    }

    #[test]
    fn myevents_binds_to_one_channel_and_own_jobs() {
        let mut sub = Subscription::default();
        sub.my_events("u1", EventFormat::Plain);
        sub.remember_job("j1");
        assert!(sub.matches(&event("CHANNEL_ANSWER", "u1")));
        assert!(!sub.matches(&event("CHANNEL_ANSWER", "u2")));
        let mut job = Event::named("BACKGROUND_JOB");
        job.add_header("Job-UUID", "j1");
        assert!(sub.matches(&job));
        sub.forget_job("j1");
        assert!(!sub.matches(&job));
        assert!(sub.is_bound_hangup(&event("CHANNEL_HANGUP_COMPLETE", "u1")));
        sub.stop();
        assert!(sub.wants(&event("CHANNEL_HANGUP_COMPLETE", "u1")));
        assert!(!sub.wants(&event("CHANNEL_HANGUP", "u1")));
    }
}
