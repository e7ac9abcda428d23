//! Gateway registration states with FreeSWITCH's names, and the state-change event
//! (`sofia::gateway_state`).

use std::fmt;

/// The outbound registration state (FreeSWITCH `reg_state_t`, printed the same way).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GatewayState {
    /// Not registered; a REGISTER is about to go out.
    Unreged,
    /// REGISTER sent, waiting for the final response.
    Trying,
    /// 200 OK received (a transient state on the way to `REGED`).
    Register,
    /// Registered; a refresh is scheduled.
    Reged,
    /// Unregistering (REGISTER with Expires: 0) on shutdown or `killgw`.
    Unregister,
    /// The registration failed (transient, on the way to `FAIL_WAIT`).
    Failed,
    /// Waiting `retry-seconds` (times the failure count) before trying again.
    FailWait,
    /// The registrar answered 200 but kept no binding for our Contact (expires 0).
    Expired,
    /// Not registering (`register = false`, or after unregistering).
    Noreg,
    /// No final response to the REGISTER (transient, on the way to `FAILED`).
    Timeout,
}

impl GatewayState {
    /// The FreeSWITCH spelling (`REGED`, `FAIL_WAIT`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            GatewayState::Unreged => "UNREGED",
            GatewayState::Trying => "TRYING",
            GatewayState::Register => "REGISTER",
            GatewayState::Reged => "REGED",
            GatewayState::Unregister => "UNREGISTER",
            GatewayState::Failed => "FAILED",
            GatewayState::FailWait => "FAIL_WAIT",
            GatewayState::Expired => "EXPIRED",
            GatewayState::Noreg => "NOREG",
            GatewayState::Timeout => "TIMEOUT",
        }
    }
}

impl fmt::Display for GatewayState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether calls may use the gateway (FreeSWITCH's gateway status / `Ping-Status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GatewayStatus {
    /// Registered (or not registering), and answering pings if pinged.
    Up,
    /// Registration failed, or pings go unanswered.
    Down,
}

impl GatewayStatus {
    /// `UP` or `DOWN`.
    pub fn as_str(self) -> &'static str {
        match self {
            GatewayStatus::Up => "UP",
            GatewayStatus::Down => "DOWN",
        }
    }
}

impl fmt::Display for GatewayStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A change of state or status, the content of FreeSWITCH's `sofia::gateway_state`
/// event (headers Gateway, State, Ping-Status, Status, Phrase).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayEvent {
    /// The gateway name.
    pub gateway: String,
    /// The new state.
    pub state: GatewayState,
    /// Up or down after the change.
    pub status: GatewayStatus,
    /// The SIP status behind a failure (908 for a timeout, as FreeSWITCH reports it).
    pub status_code: Option<u16>,
    /// The reason phrase behind a failure.
    pub phrase: Option<String>,
}
