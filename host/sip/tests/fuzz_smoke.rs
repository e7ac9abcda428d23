//! Stable-Rust smoke run of the `parse_message` fuzz target body: every
//! prefix of every RFC 4475 message, plus deterministic random mutations
//! (byte flips, insertions of delimiter bytes, deletions, splices). No
//! input may panic, and the printer invariants in the body must hold.

mod common;

#[path = "../fuzz/body/parse_message.rs"]
mod fuzz_body;

use fuzz_body::parse_message;

/// xorshift64*: deterministic, dependency-free randomness for mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Bytes that steer the parser into its delimiter handling.
const INTERESTING: &[u8] = b":;,\"<>\\%@?&=[] \t\r\n\0\x7f\xff\xc3/";

fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut data = input.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(data.len() + 1);
        match rng.below(5) {
            0 if at < data.len() => data[at] ^= 1 << rng.below(8),
            1 => data.insert(at, INTERESTING[rng.below(INTERESTING.len())]),
            2 if at < data.len() => {
                let end = (at + 1 + rng.below(16)).min(data.len());
                data.drain(at..end);
            }
            3 => {
                let from = rng.below(other.len());
                let end = (from + rng.below(64)).min(other.len());
                data.splice(at..at, other[from..end].iter().copied());
            }
            _ if at < data.len() => data[at] = INTERESTING[rng.below(INTERESTING.len())],
            _ => data.push(b'\n'),
        }
    }
    data
}

#[test]
fn every_prefix_of_every_corpus_file() {
    for (name, bytes) in common::all() {
        for end in 0..=bytes.len() {
            let prefix = &bytes[..end];
            let outcome = std::panic::catch_unwind(|| parse_message(prefix));
            assert!(outcome.is_ok(), "{name}: prefix of {end} bytes panicked");
        }
    }
}

/// Rounds per corpus file; `SIP_FUZZ_ROUNDS` and `SIP_FUZZ_SEED` allow a
/// longer or different run without nightly (`cargo test --release`).
fn rounds_and_seed() -> (usize, u64) {
    let var = |name: &str| std::env::var(name).ok().and_then(|v| v.parse().ok());
    (
        var("SIP_FUZZ_ROUNDS").map_or(400, |r: u64| r as usize),
        var("SIP_FUZZ_SEED").unwrap_or(0x005e_ed0f_5107),
    )
}

#[test]
fn random_mutations_of_corpus_files() {
    let files = common::all();
    let (rounds, seed) = rounds_and_seed();
    let mut rng = Rng(seed.max(1));
    for (index, (name, bytes)) in files.iter().enumerate() {
        let other = &files[(index + 7) % files.len()].1;
        for round in 0..rounds {
            let data = mutate(&mut rng, bytes, other);
            let outcome = std::panic::catch_unwind(|| parse_message(&data));
            assert!(
                outcome.is_ok(),
                "{name} mutation {round} panicked on {:?}",
                String::from_utf8_lossy(&data)
            );
        }
    }
}

#[test]
fn hand_written_edge_cases() {
    let cases: &[&[u8]] = &[
        b"",
        b"\r\n",
        b"\r\n\r\n",
        b"SIP/",
        b"SIP/2.0 ",
        b"SIP/2.0 200",
        b"SIP/2.0 99 x\r\n\r\n",
        b"INVITE \xff SIP/2.0\r\n\r\n",
        b"\xc3\xa9 sip:a SIP/2.0\r\n\r\n",
        b"A sip:a SIP/2.0\r\n :\r\n\r\n",
        b"A sip:a SIP/2.0\r\nVia: SIP/2.0/UDP [::1]:\r\n\r\n",
        b"A sip:a SIP/2.0\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        b"A sip:a SIP/2.0\r\nl: 3\r\nl: 3\r\n\r\nabcdef",
        b"A sip:a SIP/2.0\r\nContact: \"\\\r\n\r\n",
        b"A sip:a SIP/2.0\r\nContact: <\r\n\r\n",
        b"A sip:a SIP/2.0\r\nAuthorization: Digest a=\"\\\r\n\r\n",
        b"A sip:a SIP/2.0\n\nbody",
    ];
    for case in cases {
        parse_message(case);
    }
}
