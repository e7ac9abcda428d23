//! Hostile REGISTERs never panic the registrar: every byte-level mutation of a valid,
//! authenticated REGISTER that still parses is answered with some final response, and
//! memory stays within the configured limits. Deterministic pseudo-random mutations.

mod registrar_support;

use std::time::Instant;

use registrar_support::{Phone, directory};
use witswitch_sip::registrar::{RegistrarConfig, StoreLimits};
use witswitch_sip::{Message, Transport};

/// xorshift64*: small, deterministic, good enough to pick mutation sites.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n.max(1)).unwrap_or(1)).unwrap_or(0)
    }
}

const SPICE: &[&[u8]] = &[
    b"\"",
    b"\\",
    b",",
    b";",
    b"=",
    b"<",
    b">",
    b"*",
    b"0",
    b"4294967296",
    b"99999999999999999999",
    b"expires=0",
    b"\r\n Contact: *",
    b"algorithm=SHA-256-sess",
    b"qop=auth-int",
    b"%00",
    b"\xff",
    b"nc=zzzzzzzz",
    b"sips:",
    b"tel:+1",
    b"[::1]",
    b"\t",
];

#[test]
fn mutated_registers_never_panic_and_stay_bounded() {
    let t0 = Instant::now();
    let config = RegistrarConfig {
        limits: StoreLimits {
            max_contacts_per_aor: 3,
            max_bindings: 50,
        },
        ..RegistrarConfig::default()
    };
    let mut registrar = registrar_support::registrar_with(t0, config);
    let users = directory();
    let mut phone = Phone::new("1000", "192.0.2.10:5060");
    // A valid authenticated REGISTER to mutate.
    let first = phone.send(
        &mut registrar,
        t0,
        &["<sip:1000@192.0.2.10>"],
        Some(600),
        None,
    );
    phone.take_challenge(&first.response);
    let authorization = phone.authorization("bench-not-1234");
    let seed = phone.register_bytes(
        &[
            "<sip:1000@192.0.2.10>;q=0.5",
            "\"Desk\" <sip:1000@192.0.2.11:5070;transport=tcp>",
        ],
        Some(600),
        authorization.as_deref(),
    );
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut answered = 0usize;
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    for round in 0..10_000u64 {
        let mut bytes = seed.clone();
        for _ in 0..=rng.below(4) {
            let at = rng.below(bytes.len());
            match rng.below(3) {
                0 => {
                    let spice = SPICE[rng.below(SPICE.len())];
                    bytes.splice(at..at, spice.iter().copied());
                }
                1 => {
                    let end = (at + rng.below(8)).min(bytes.len());
                    bytes.drain(at..end);
                }
                _ => {
                    if let Some(byte) = bytes.get_mut(at) {
                        *byte = u8::try_from(rng.below(256)).unwrap_or(b'x');
                    }
                }
            }
        }
        let Ok(Message::Request(request)) = Message::parse(&bytes).map(|p| p.message) else {
            continue;
        };
        let now = t0 + std::time::Duration::from_millis(round);
        let outcome =
            registrar.handle_register(now, &request, phone.source, Transport::Udp, &users);
        assert!((200..700).contains(&outcome.response.status));
        let _printed = outcome.response.to_bytes();
        answered += 1;
        *statuses.entry(outcome.response.status).or_default() += 1;
        assert!(registrar.bindings().len() <= 50);
        for binding in registrar.bindings().iter() {
            assert!(registrar.lookup(&binding.aor).len() <= 3);
        }
    }
    assert!(answered > 2_500, "most mutations still parse: {answered}");
    // The mutations exercise accept, challenge, refusal and syntax paths alike.
    for status in [200, 400, 401, 403] {
        assert!(
            statuses.contains_key(&status),
            "no {status} among {statuses:?}"
        );
    }
}
