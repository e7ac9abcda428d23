//! libFuzzer target: every parser entry point of witswitch-sip over
//! arbitrary bytes. Seed it with the RFC 4475 corpus:
//! `cargo +nightly fuzz run parse_message ../../../shared/testdata/rfc4475`.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../body/parse_message.rs"]
mod body;

fuzz_target!(|data: &[u8]| body::parse_message(data));
