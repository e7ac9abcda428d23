//! witswitch control plane: the FreeSWITCH-compatible event socket as a sans-IO state
//! machine, the event model and its three wire formats, bounded subscriber queues,
//! the API command parser and output formatters, and (feature `cli`) the
//! `witswitch cli` client.
//!
//! Nothing here opens a socket or reads the clock except the `cli` module: the binary
//! feeds bytes, events and times in, and writes out what the session produces.

pub mod api;
pub mod bus;
#[cfg(feature = "cli")]
pub mod cli;
pub mod client;
pub mod event;
pub mod json;
pub mod queue;
pub mod session;
pub mod subscription;
pub mod urlenc;
pub mod wire;
