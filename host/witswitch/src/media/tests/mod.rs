//! Loopback tests of the media engine: real UDP sockets on 127.0.0.1 and
//! plain `tokio::net::UdpSocket` peers. Assertions are about packets,
//! numbers and audio, never about wall-clock timing; every wait has a
//! generous deadline so a loaded machine is slow, not flaky.

mod bridge;
mod dtmf;
mod echo;
mod harness;
mod lifecycle;
mod load;
mod play;
mod record;
