//! Outbound gateways (FreeSWITCH `sofia/gateway/<name>`): registration with a carrier,
//! digest answers, OPTIONS keepalives, and the outline of calls through the gateway.
//!
//! Each [`Gateway`] is a sans-IO state machine over a borrowed
//! [`TransactionLayer`](crate::transaction::TransactionLayer), with FreeSWITCH's state
//! names ([`GatewayState`]: `UNREGED`, `TRYING`, `REGISTER`, `REGED`, `UNREGISTER`,
//! `FAILED`, `FAIL_WAIT`, `EXPIRED`, `NOREG`, and `TIMEOUT` as FreeSWITCH 1.10 has it)
//! and a [`GatewayEvent`] per change for `sofia::gateway_state`.

mod machine;
mod request;
mod settings;
mod state;

pub use machine::{Gateway, GatewayError, refresh_delay};
pub use request::CallerId;
pub use settings::{DEFAULT_EXPIRE_SECONDS, DEFAULT_RETRY_SECONDS, GatewaySettings};
pub use state::{GatewayEvent, GatewayState, GatewayStatus};
