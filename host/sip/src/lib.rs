//! SIP messages, URIs, transactions, digest auth and registrar bindings; sans-IO.

pub mod auth;
pub mod limiter;
