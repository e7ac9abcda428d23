//! CHANNEL_STATE and CHANNEL_CALLSTATE: the engine changes a channel's state in
//! many places; rather than an event at each, the change is noticed and reported
//! before the channel's next event and at the end of every input (`drain`), so
//! subscribers see each state a channel settles in, in order, with FreeSWITCH's
//! headers (`Channel-State`, `Channel-Call-State`, `Original-Channel-Call-State`).
//! Only while events are on: otherwise nothing is compared.

use std::time::Instant;

use witswitch_types::ChannelId;

use crate::events::EventName;

use super::Engine;

impl Engine {
    /// Reports `id`'s state and call state if they changed since the last report.
    pub(crate) fn sync_states(&mut self, now: Instant, id: ChannelId) {
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        let current = (ch.state, ch.call_state);
        let Some(reported) = ch.reported.replace(current) else {
            // The channel's first event (CHANNEL_CREATE) carries its states.
            return;
        };
        if reported.0 != current.0 {
            self.push_event(now, id, EventName::ChannelState, Vec::new());
        }
        if reported.1 != current.1 {
            let original = vec![("Original-Channel-Call-State", reported.1.name().to_owned())];
            self.push_event(now, id, EventName::ChannelCallstate, original);
        }
    }

    /// Reports every channel's state changes (end of an input).
    pub(crate) fn flush_states(&mut self, now: Instant) {
        if !self.config.events {
            return;
        }
        let mut changed: Vec<ChannelId> = self
            .channels
            .values()
            .filter(|c| c.reported.is_some_and(|r| r != (c.state, c.call_state)))
            .map(|c| c.id)
            .collect();
        changed.sort();
        for id in changed {
            self.sync_states(now, id);
        }
    }
}
