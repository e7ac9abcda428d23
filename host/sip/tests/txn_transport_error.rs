//! RFC 3261 §17.1.1.2 / §17.2.2: when the driver cannot send a transaction's message it
//! reports it; the TU hears of it and the transaction terminates (except an RFC 6026
//! Accepted INVITE server, which waits for the TU's next 2xx).

mod txn_support;

use txn_support::{Harness, invite, outgoing, reply};
use witswitch_sip::Transport;
use witswitch_sip::transaction::{TxEvent, TxKey};

#[test]
fn send_failure_ends_a_client_transaction() {
    let mut h = Harness::new();
    let key = h.send(outgoing("OPTIONS", "z9hG4bKterr", 1), Transport::Tcp);
    let sent = h.transmits();
    let failed = sent[0].key.expect("transaction send carries its key");
    h.layer.handle_transport_error(failed);
    assert_eq!(
        h.events(),
        [
            TxEvent::TransportError {
                key: TxKey::Client(key)
            },
            TxEvent::Terminated {
                key: TxKey::Client(key)
            },
        ]
    );
    // Reports for a finished transaction are ignored.
    h.layer.handle_transport_error(failed);
    assert!(h.events().is_empty());
}

#[test]
fn send_failure_of_a_2xx_keeps_the_accepted_server() {
    let mut h = Harness::new();
    let inv = invite("z9hG4bKterr-2xx");
    let key = h.accept(inv.clone(), Transport::Tcp);
    h.respond(key, reply(&inv, 200));
    h.layer.handle_transport_error(TxKey::Server(key));
    assert_eq!(
        h.events(),
        [TxEvent::TransportError {
            key: TxKey::Server(key)
        }]
    );
    assert!(h.layer.server_state(key).is_some());
}
