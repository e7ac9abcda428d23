//! Which dialog of which profile is which channel of the engine.
//!
//! An outgoing leg has no dialog until its profile task names it
//! (`InviteStarted`); commands the engine issues meanwhile (a CANCEL when the
//! caller hangs up at once) wait here and go out when it does, even when the
//! channel is already destroyed in the engine.

use std::collections::HashMap;
use std::hash::Hash;

use witswitch_core::{ChannelId, SipCommand};
use witswitch_sip::dialog::DialogKey;

use super::link::ProfileIndex;

#[derive(Debug)]
enum Leg<K> {
    /// The dialog is known.
    Bound { profile: ProfileIndex, dialog: K },
    /// The INVITE is on its way to the profile task.
    Dialing {
        profile: ProfileIndex,
        queued: Vec<SipCommand>,
        destroyed: bool,
    },
}

/// Where a command for a channel goes now.
#[derive(Debug, PartialEq)]
pub enum Route<K = DialogKey> {
    /// Send it on this dialog.
    Dialog(ProfileIndex, K),
    /// Held until the dialog is known.
    Queued,
    /// No dialog for this channel (never had one, or it is gone).
    Unknown,
}

/// The channel ↔ dialog map of the call task (`K`: the user agent's dialog key).
#[derive(Debug)]
pub struct SipMap<K = DialogKey> {
    legs: HashMap<ChannelId, Leg<K>>,
    by_dialog: HashMap<(ProfileIndex, K), ChannelId>,
}

impl<K> Default for SipMap<K> {
    fn default() -> Self {
        SipMap {
            legs: HashMap::new(),
            by_dialog: HashMap::new(),
        }
    }
}

impl<K: Copy + Eq + Hash> SipMap<K> {
    /// An inbound dialog became `channel`.
    pub fn bind(&mut self, channel: ChannelId, profile: ProfileIndex, dialog: K) {
        self.legs.insert(channel, Leg::Bound { profile, dialog });
        self.by_dialog.insert((profile, dialog), channel);
    }

    /// `channel`'s INVITE was handed to `profile`.
    pub fn dialing(&mut self, channel: ChannelId, profile: ProfileIndex) {
        self.legs.insert(
            channel,
            Leg::Dialing {
                profile,
                queued: Vec::new(),
                destroyed: false,
            },
        );
    }

    /// The profile named the dialog of a dialing channel. Returns the
    /// commands that waited for it, and whether the channel still lives in
    /// the engine (when not, the mapping is dropped after the flush).
    pub fn started(&mut self, channel: ChannelId, dialog: K) -> (Vec<SipCommand>, bool) {
        let Some(Leg::Dialing {
            profile,
            queued,
            destroyed,
        }) = self.legs.remove(&channel)
        else {
            return (Vec::new(), false);
        };
        if destroyed {
            return (queued, false);
        }
        self.bind(channel, profile, dialog);
        (queued, true)
    }

    /// The profile could not send the INVITE: true if the engine still has
    /// the channel (it must hear of the failure).
    pub fn failed(&mut self, channel: ChannelId) -> bool {
        match self.legs.remove(&channel) {
            Some(Leg::Dialing { destroyed, .. }) => !destroyed,
            Some(bound @ Leg::Bound { .. }) => {
                self.legs.insert(channel, bound);
                false
            }
            None => false,
        }
    }

    /// Where a command for `channel` goes; queues it for a dialing channel.
    pub fn route(&mut self, channel: ChannelId, command: &SipCommand) -> Route<K> {
        match self.legs.get_mut(&channel) {
            Some(Leg::Bound { profile, dialog }) => Route::Dialog(*profile, *dialog),
            Some(Leg::Dialing { queued, .. }) => {
                queued.push(command.clone());
                Route::Queued
            }
            None => Route::Unknown,
        }
    }

    /// The channel of a dialog.
    pub fn channel(&self, profile: ProfileIndex, dialog: K) -> Option<ChannelId> {
        self.by_dialog.get(&(profile, dialog)).copied()
    }

    /// The engine destroyed `channel`.
    pub fn destroyed(&mut self, channel: ChannelId) {
        match self.legs.get_mut(&channel) {
            Some(Leg::Dialing { destroyed, .. }) => *destroyed = true,
            Some(Leg::Bound { profile, dialog }) => {
                self.by_dialog.remove(&(*profile, *dialog));
                self.legs.remove(&channel);
            }
            None => {}
        }
    }

    /// The user agent released a dialog.
    pub fn ended(&mut self, profile: ProfileIndex, dialog: K) -> Option<ChannelId> {
        let channel = self.by_dialog.remove(&(profile, dialog))?;
        self.legs.remove(&channel);
        Some(channel)
    }

    /// Channels with a SIP leg.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.legs.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use witswitch_core::HangupCause;

    fn cancel() -> SipCommand {
        SipCommand::Cancel {
            cause: HangupCause::OriginatorCancel,
        }
    }

    #[test]
    fn inbound_dialogs_map_both_ways_until_destroyed() {
        let mut map = SipMap::<u64>::default();
        map.bind(ChannelId(1), 0, 77);
        assert_eq!(map.channel(0, 77), Some(ChannelId(1)));
        assert_eq!(map.channel(1, 77), None, "dialog keys are per profile");
        assert_eq!(map.route(ChannelId(1), &cancel()), Route::Dialog(0, 77));
        map.destroyed(ChannelId(1));
        assert_eq!(map.channel(0, 77), None);
        assert_eq!(map.route(ChannelId(1), &cancel()), Route::Unknown);
        assert_eq!(map.len(), 0);
    }

    #[test]
    fn commands_wait_for_the_outgoing_dialog_even_after_destroy() {
        let mut map = SipMap::<u64>::default();
        map.dialing(ChannelId(2), 1);
        assert_eq!(map.route(ChannelId(2), &cancel()), Route::Queued);
        map.destroyed(ChannelId(2));
        let (queued, alive) = map.started(ChannelId(2), 9);
        assert_eq!(queued, vec![cancel()]);
        assert!(!alive);
        assert_eq!(map.channel(1, 9), None);
        assert_eq!(map.len(), 0);
    }

    #[test]
    fn a_started_dialog_is_bound_and_failures_reach_live_channels_only() {
        let mut map = SipMap::<u64>::default();
        map.dialing(ChannelId(3), 0);
        let (queued, alive) = map.started(ChannelId(3), 5);
        assert!(queued.is_empty() && alive);
        assert_eq!(map.ended(0, 5), Some(ChannelId(3)));
        map.dialing(ChannelId(4), 0);
        assert!(map.failed(ChannelId(4)));
        map.dialing(ChannelId(5), 0);
        map.destroyed(ChannelId(5));
        assert!(!map.failed(ChannelId(5)));
    }
}
