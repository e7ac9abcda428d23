//! Many random interleavings of peer messages, TU calls, transport errors and time:
//! nothing panics, every event names a transaction the layer created, and once the TU
//! has answered everything and time has passed, no transaction, deadline or queued
//! output is left behind.

mod txn_support;

use std::collections::BTreeSet;

use txn_support::{Harness, outgoing, reply, request};
use witswitch_sip::transaction::{ClientTxKey, ServerTxKey, TxEvent, TxKey};
use witswitch_sip::{Request, Transport};

/// xorshift64*: deterministic, seedable, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len() as u64) as usize])
    }
}

const STATUSES: [u16; 7] = [100, 180, 183, 200, 404, 486, 503];

#[derive(Default)]
struct World {
    /// Requests the peer sent (kept to retransmit, ACK or CANCEL them).
    peer_requests: Vec<Request>,
    /// Requests we sent, with their client keys.
    our_requests: Vec<(ClientTxKey, Request)>,
    servers: BTreeSet<ServerTxKey>,
    clients: BTreeSet<ClientTxKey>,
    next_branch: u64,
}

fn transport(rng: &mut Rng) -> Transport {
    if rng.below(4) == 0 {
        Transport::Tcp
    } else {
        Transport::Udp
    }
}

fn step(h: &mut Harness, rng: &mut Rng, w: &mut World) {
    match rng.below(9) {
        0 | 1 => {
            w.next_branch += 1;
            let method = *rng
                .pick(&["INVITE", "OPTIONS", "BYE", "REGISTER"])
                .unwrap_or(&"INVITE");
            let req = request(method, &format!("z9hG4bKr{}", w.next_branch), 1);
            w.peer_requests.push(req.clone());
            let _ = h
                .layer
                .handle_incoming(h.now, req.into(), txn_support::peer(), transport(rng));
        }
        2 => {
            // Retransmission, ACK or CANCEL of an earlier peer request.
            if let Some(old) = rng.pick(&w.peer_requests).cloned() {
                let branch = old
                    .via_top()
                    .ok()
                    .and_then(|v| v.branch().map(str::to_owned));
                let method = *rng.pick(&["same", "ACK", "CANCEL"]).unwrap_or(&"same");
                let msg = match (method, branch) {
                    ("same", _) | (_, None) => old,
                    (m, Some(b)) => request(m, &b, 1),
                };
                let _ =
                    h.layer
                        .handle_incoming(h.now, msg.into(), txn_support::peer(), transport(rng));
            }
        }
        3 | 4 => {
            let keys: Vec<ServerTxKey> = w.servers.iter().copied().collect();
            if let (Some(key), Some(req)) = (rng.pick(&keys), rng.pick(&w.peer_requests)) {
                let status = STATUSES[rng.below(STATUSES.len() as u64) as usize];
                let _ = h.layer.send_response(h.now, *key, reply(req, status));
            }
        }
        5 => {
            w.next_branch += 1;
            let method = *rng.pick(&["INVITE", "OPTIONS"]).unwrap_or(&"OPTIONS");
            let req = outgoing(method, &format!("z9hG4bKo{}", w.next_branch), 1);
            if let Ok(key) =
                h.layer
                    .send_request(h.now, req.clone(), txn_support::peer(), transport(rng))
            {
                w.clients.insert(key);
                w.our_requests.push((key, req));
            }
        }
        6 => {
            if let Some((key, req)) = rng.pick(&w.our_requests).cloned() {
                let status = STATUSES[rng.below(STATUSES.len() as u64) as usize];
                let _ = h.layer.handle_incoming(
                    h.now,
                    reply(&req, status).into(),
                    txn_support::peer(),
                    Transport::Udp,
                );
                if rng.below(3) == 0
                    && let Ok(cancel_key) = h.layer.cancel(h.now, key)
                {
                    w.clients.insert(cancel_key);
                }
            }
        }
        7 => {
            let keys: Vec<ServerTxKey> = w.servers.iter().copied().collect();
            if let Some(key) = rng.pick(&keys) {
                h.layer.handle_transport_error(TxKey::Server(*key));
            }
        }
        _ => {
            let target = h.elapsed_ms() + rng.below(3_000);
            h.run_until(target);
        }
    }
    drain(h, w);
}

/// Applies events to the world, checking each names a transaction we know.
fn drain(h: &mut Harness, w: &mut World) {
    h.transmits();
    for event in h.events() {
        match event {
            TxEvent::NewRequest { key, .. } | TxEvent::Cancel { key, .. } => {
                assert!(w.servers.insert(key), "server key {key} reused");
            }
            TxEvent::Ack { key: Some(key), .. } => assert!(w.servers.contains(&key)),
            TxEvent::Ack { key: None, .. } => {}
            TxEvent::Response { key, .. } => assert!(w.clients.contains(&key)),
            TxEvent::Timeout { key, .. } | TxEvent::TransportError { key } => {
                assert!(is_live(w, key), "event for unknown {key}");
            }
            TxEvent::Terminated { key } => {
                assert!(is_live(w, key), "terminated twice or unknown: {key}");
                match key {
                    TxKey::Server(k) => w.servers.remove(&k),
                    TxKey::Client(k) => w.clients.remove(&k),
                };
            }
        }
    }
}

fn is_live(w: &World, key: TxKey) -> bool {
    match key {
        TxKey::Server(k) => w.servers.contains(&k),
        TxKey::Client(k) => w.clients.contains(&k),
    }
}

#[test]
fn random_interleavings_leave_nothing_behind() {
    for seed in 1..=40u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let mut h = Harness::new();
        let mut w = World::default();
        for _ in 0..300 {
            step(&mut h, &mut rng, &mut w);
        }
        // The TU answers everything still open; the peer answers everything we sent.
        for key in w.servers.clone() {
            if let Some(req) = w.peer_requests.first() {
                let _ = h.layer.send_response(h.now, key, reply(req, 486));
            }
        }
        for (_, req) in w.our_requests.clone() {
            let _ = h.layer.handle_incoming(
                h.now,
                reply(&req, 487).into(),
                txn_support::peer(),
                Transport::Udp,
            );
        }
        drain(&mut h, &mut w);
        let end = h.elapsed_ms() + 600_000;
        h.run_until(end);
        drain(&mut h, &mut w);
        assert_eq!(
            h.layer.server_count(),
            0,
            "seed {seed}: server transactions left"
        );
        assert_eq!(
            h.layer.client_count(),
            0,
            "seed {seed}: client transactions left"
        );
        assert_eq!(h.layer.poll_timeout(), None, "seed {seed}: deadlines left");
        assert!(
            w.servers.is_empty() && w.clients.is_empty(),
            "seed {seed}: no Terminated event for some"
        );
    }
}
