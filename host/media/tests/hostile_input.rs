//! Network input never panics: random and mutated datagrams through every
//! parser and state machine that sees them (a deterministic PRNG, no deps).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use witswitch_media::dtmf::EventPayload;
use witswitch_media::rtp::{RtpHeader, parse, write};
use witswitch_media::{DtmfReceiver, JitterBuffer, RelayRewriter, RtpSession, RtpSessionConfig};

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn bytes(&mut self, max: usize) -> Vec<u8> {
        let len = (self.next() as usize) % (max + 1);
        (0..len).map(|_| self.next() as u8).collect()
    }
}

fn valid_packet(rng: &mut XorShift) -> Vec<u8> {
    let header = RtpHeader {
        payload_type: (rng.next() % 128) as u8,
        marker: rng.next().is_multiple_of(2),
        sequence: rng.next() as u16,
        timestamp: rng.next() as u32,
        ssrc: (rng.next() % 3) as u32,
    };
    let payload = rng.bytes(200);
    let mut buf = vec![0u8; 300];
    let n = write(&header, &payload, &mut buf).unwrap();
    buf.truncate(n);
    buf
}

#[test]
fn random_and_mutated_datagrams_are_handled() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let t0 = Instant::now();
    let mut session = RtpSession::new(t0, RtpSessionConfig::new(1, 1, 1, 8000));
    let mut relay = RelayRewriter::new(2, 2, 2, 8000);
    let mut jitter = JitterBuffer::new(3, 32);
    let mut dtmf = DtmfReceiver::new(8000);
    let sources: [SocketAddr; 2] = ["10.0.0.1:1".parse().unwrap(), "10.0.0.2:2".parse().unwrap()];
    let (mut accepted, mut refused) = (0u32, 0u32);
    for i in 0..20_000u32 {
        let mut datagram = match i % 3 {
            0 => rng.bytes(64),
            _ => valid_packet(&mut rng),
        };
        if i % 3 == 2 && !datagram.is_empty() {
            // flip a few bits of a valid packet
            for _ in 0..3 {
                let at = (rng.next() as usize) % datagram.len();
                datagram[at] ^= 1 << (rng.next() % 8);
            }
        }
        let now = t0 + Duration::from_millis(u64::from(i) * 7);
        let from = sources[(rng.next() % 2) as usize];
        match session.handle_packet(now, &datagram, from) {
            Ok(got) => {
                accepted += 1;
                jitter.push(got.header.sequence, got.header.timestamp, got.payload);
                let _ = dtmf.handle(got.header.timestamp, got.payload);
            }
            Err(_) => refused += 1,
        }
        let _ = jitter.pop();
        let _ = EventPayload::parse(&datagram);
        let before = datagram.len();
        if relay.rewrite(now, &mut datagram).is_ok() {
            assert_eq!(datagram.len(), before);
            let (header, _) = parse(&datagram).unwrap();
            assert_eq!(header.ssrc, 2);
        }
    }
    assert!(
        accepted > 1000 && refused > 1000,
        "{accepted} accepted, {refused} refused"
    );
    let stats = session.stats();
    assert_eq!(stats.packets_received, u64::from(accepted));
    assert!(stats.malformed > 0 && stats.foreign_dropped > 0);
}
