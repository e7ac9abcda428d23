//! Uniform views over the two client and the two server state machines, so the layer
//! can drive timers and report states without caring which kind it holds.

use std::time::Instant;

use super::client_invite::{InviteClient, InviteClientState};
use super::client_non_invite::{NonInviteClient, NonInviteClientState};
use super::common::{RetransmitAction, TimerOutcome};
use super::server_invite::{InviteServer, InviteServerState};
use super::server_non_invite::{NonInviteServer, NonInviteServerState};
use super::timer::Timer;

/// The state of a client transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientState {
    /// An INVITE client transaction (§17.1.1).
    Invite(InviteClientState),
    /// A non-INVITE client transaction (§17.1.2).
    NonInvite(NonInviteClientState),
}

/// The state of a server transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerState {
    /// An INVITE server transaction (§17.2.1).
    Invite(InviteServerState),
    /// A non-INVITE server transaction (§17.2.2).
    NonInvite(NonInviteServerState),
}

/// Either client state machine.
#[derive(Debug, Clone)]
pub(crate) enum ClientFsm {
    Invite(InviteClient),
    NonInvite(NonInviteClient),
}

impl ClientFsm {
    pub(crate) fn state(&self) -> ClientState {
        match self {
            ClientFsm::Invite(fsm) => ClientState::Invite(fsm.state()),
            ClientFsm::NonInvite(fsm) => ClientState::NonInvite(fsm.state()),
        }
    }

    pub(crate) fn is_terminated(&self) -> bool {
        matches!(
            self.state(),
            ClientState::Invite(InviteClientState::Terminated)
                | ClientState::NonInvite(NonInviteClientState::Terminated)
        )
    }

    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        match self {
            ClientFsm::Invite(fsm) => fsm.next_deadline(),
            ClientFsm::NonInvite(fsm) => fsm.next_deadline(),
        }
    }

    pub(crate) fn on_timer(&mut self, now: Instant) -> Option<(Timer, TimerOutcome)> {
        match self {
            ClientFsm::Invite(fsm) => fsm.on_timer(now),
            ClientFsm::NonInvite(fsm) => fsm.on_timer(now),
        }
    }

    pub(crate) fn on_transport_error(&mut self) {
        match self {
            ClientFsm::Invite(fsm) => fsm.on_transport_error(),
            ClientFsm::NonInvite(fsm) => fsm.on_transport_error(),
        }
    }
}

/// Either server state machine.
#[derive(Debug, Clone)]
pub(crate) enum ServerFsm {
    Invite(InviteServer),
    NonInvite(NonInviteServer),
}

impl ServerFsm {
    pub(crate) fn state(&self) -> ServerState {
        match self {
            ServerFsm::Invite(fsm) => ServerState::Invite(fsm.state()),
            ServerFsm::NonInvite(fsm) => ServerState::NonInvite(fsm.state()),
        }
    }

    pub(crate) fn is_terminated(&self) -> bool {
        matches!(
            self.state(),
            ServerState::Invite(InviteServerState::Terminated)
                | ServerState::NonInvite(NonInviteServerState::Terminated)
        )
    }

    /// True in the states that only absorb retransmissions (INVITE Confirmed, non-INVITE
    /// Completed): the TU is done with them, so they are the first to go under pressure.
    pub(crate) fn is_lingering(&self) -> bool {
        matches!(
            self.state(),
            ServerState::Invite(InviteServerState::Confirmed)
                | ServerState::NonInvite(NonInviteServerState::Completed)
        )
    }

    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        match self {
            ServerFsm::Invite(fsm) => fsm.next_deadline(),
            ServerFsm::NonInvite(fsm) => fsm.next_deadline(),
        }
    }

    pub(crate) fn on_timer(&mut self, now: Instant) -> Option<(Timer, TimerOutcome)> {
        match self {
            ServerFsm::Invite(fsm) => fsm.on_timer(now),
            ServerFsm::NonInvite(fsm) => fsm.on_timer(now),
        }
    }

    pub(crate) fn on_retransmission(&self) -> RetransmitAction {
        match self {
            ServerFsm::Invite(fsm) => fsm.on_retransmission(),
            ServerFsm::NonInvite(fsm) => fsm.on_retransmission(),
        }
    }

    /// Feeds a TU response; `Err` carries the state that forbids it.
    pub(crate) fn on_tu_response(&mut self, now: Instant, status: u16) -> Result<(), ServerState> {
        match self {
            ServerFsm::Invite(fsm) => fsm.on_tu_response(now, status).map_err(ServerState::Invite),
            ServerFsm::NonInvite(fsm) => fsm
                .on_tu_response(now, status)
                .map_err(ServerState::NonInvite),
        }
    }

    pub(crate) fn on_transport_error(&mut self) {
        match self {
            ServerFsm::Invite(fsm) => fsm.on_transport_error(),
            ServerFsm::NonInvite(fsm) => fsm.on_transport_error(),
        }
    }
}
