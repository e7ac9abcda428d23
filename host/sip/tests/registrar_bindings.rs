//! Registrar binding rules (RFC 3261 §10.3) driven with virtual time: expiry policy and 423,
//! several contacts, removal by `Expires: 0` and `*`, refresh, CSeq ordering, expiry, the
//! NAT source address, and memory limits.

mod registrar_support;

use std::time::Instant;

use registrar_support::{Phone, contact_expiries, registrar, registrar_with, secs};
use witswitch_sip::registrar::{
    Aor, BindingChange, ExpiryPolicy, RegistrarConfig, RemovalReason, StoreLimits,
};
use witswitch_sip::{HeaderName, Transport};

const DESK: &str = "<sip:1000@192.168.1.20:5060>";
const SOFT: &str = "<sip:1000@10.0.0.7:5062;transport=tcp>";

fn aor(user: &str) -> Aor {
    Aor::new(user, "127.0.0.1")
}

#[test]
fn too_brief_interval_gets_423_with_min_expires() {
    let t0 = Instant::now();
    let mut registrar = registrar(t0);
    let mut phone = Phone::new("1000", "198.51.100.10:5060");
    let outcome = phone.register(&mut registrar, t0, &[DESK], Some(30));
    assert_eq!(outcome.response.status, 423);
    assert_eq!(outcome.response.reason, "Interval Too Brief");
    assert_eq!(
        outcome.response.headers.get(&HeaderName::MinExpires),
        Some("60")
    );
    assert!(outcome.changes.is_empty());
    assert!(registrar.lookup(&aor("1000")).is_empty());
    // Retrying with the minimum works.
    let retry = phone.register(&mut registrar, t0, &[DESK], Some(60));
    assert_eq!(retry.response.status, 200);
}

#[test]
fn one_brief_contact_fails_the_whole_request() {
    let t0 = Instant::now();
    let mut registrar = registrar(t0);
    let mut phone = Phone::new("1000", "198.51.100.10:5060");
    let brief_soft = "<sip:1000@10.0.0.7:5062;transport=tcp>;expires=10";
    let outcome = phone.register(&mut registrar, t0, &[DESK, brief_soft], Some(600));
    assert_eq!(outcome.response.status, 423);
    assert!(
        registrar.lookup(&aor("1000")).is_empty(),
        "nothing committed"
    );
}

#[test]
fn expiry_defaults_and_is_clamped_to_the_maximum() {
    let t0 = Instant::now();
    let mut registrar = registrar_with(
        t0,
        RegistrarConfig {
            expiry: ExpiryPolicy {
                min: 60,
                default: 1800,
                max: 3600,
            },
            ..RegistrarConfig::default()
        },
    );
    let mut phone = Phone::new("1000", "198.51.100.10:5060");
    let defaulted = phone.register(&mut registrar, t0, &[DESK], None);
    assert_eq!(
        contact_expiries(&defaulted.response),
        vec![("sip:1000@192.168.1.20:5060".to_owned(), Some(1800))]
    );
    let clamped = phone.register(
        &mut registrar,
        t0,
        &["<sip:1000@192.168.1.20:5060>;expires=86400"],
        Some(60),
    );
    assert_eq!(
        contact_expiries(&clamped.response),
        vec![("sip:1000@192.168.1.20:5060".to_owned(), Some(3600))]
    );
}

#[test]
fn several_contacts_per_aor_and_the_200_lists_them_all() {
    let t0 = Instant::now();
    let mut registrar = registrar(t0);
    let mut desk = Phone::new("1000", "198.51.100.10:5060");
    let mut soft = Phone::new("1000", "203.0.113.44:40000");
    soft.call_id = "softphone-call".to_owned();
    soft.transport = Transport::Tcp;
    assert_eq!(
        desk.register(&mut registrar, t0, &[DESK], Some(3600))
            .response
            .status,
        200
    );
    let later = t0 + secs(100);
    let second = soft.register(&mut registrar, later, &[SOFT], Some(600));
    assert_eq!(second.response.status, 200);
    let mut listed = contact_expiries(&second.response);
    listed.sort();
    assert_eq!(
        listed,
        vec![
            ("sip:1000@10.0.0.7:5062;transport=tcp".to_owned(), Some(600)),
            ("sip:1000@192.168.1.20:5060".to_owned(), Some(3500)),
        ]
    );
    let bindings = registrar.lookup(&aor("1000"));
    assert_eq!(bindings.len(), 2);
    // NAT: each binding remembers where its REGISTER came from and over what.
    let soft_binding = bindings
        .iter()
        .find(|b| b.contact.uri.to_string().contains("10.0.0.7"));
    assert_eq!(
        soft_binding.map(|b| b.source),
        "203.0.113.44:40000".parse().ok()
    );
    assert_eq!(
        soft_binding.map(|b| b.transport.clone()),
        Some(Transport::Tcp)
    );
    assert_eq!(
        soft_binding.and_then(|b| b.user_agent.clone()).as_deref(),
        Some("test-phone/1.0")
    );
    assert_eq!(
        soft_binding.map(|b| b.call_id.as_str()),
        Some("softphone-call")
    );
}

#[test]
fn two_contacts_in_one_request() {
    let t0 = Instant::now();
    let mut registrar = registrar(t0);
    let mut phone = Phone::new("1000", "198.51.100.10:5060");
    let outcome = phone.register(
        &mut registrar,
        t0,
        &[DESK, "<sip:1000@192.168.1.20:5070>;expires=120"],
        Some(900),
    );
    assert_eq!(outcome.response.status, 200);
    let mut listed = contact_expiries(&outcome.response);
    listed.sort();
    assert_eq!(
        listed,
        vec![
            ("sip:1000@192.168.1.20:5060".to_owned(), Some(900)),
            ("sip:1000@192.168.1.20:5070".to_owned(), Some(120)),
        ]
    );
    assert_eq!(outcome.changes.len(), 2);
    assert!(
        outcome
            .changes
            .iter()
            .all(|c| matches!(c, BindingChange::Added(_)))
    );
}

#[test]
fn expires_zero_removes_one_contact_and_keeps_the_other() {
    let t0 = Instant::now();
    let mut registrar = registrar(t0);
    let mut phone = Phone::new("1000", "198.51.100.10:5060");
    assert_eq!(
        phone
            .register(&mut registrar, t0, &[DESK, SOFT], Some(3600))
            .response
            .status,
        200
    );
    let removal = phone.register(
        &mut registrar,
        t0 + secs(5),
        &["<sip:1000@10.0.0.7:5062;transport=tcp>;expires=0"],
        None,
    );
    assert_eq!(removal.response.status, 200);
    assert_eq!(
        contact_expiries(&removal.response),
        vec![("sip:1000@192.168.1.20:5060".to_owned(), Some(3595))]
    );
    assert!(matches!(
        removal.changes.as_slice(),
        [BindingChange::Removed {
            reason: RemovalReason::Unregistered,
            ..
        }]
    ));
    // The Expires header form removes the last one (how sipp unregisters).
    let last = phone.register(&mut registrar, t0 + secs(6), &[DESK], Some(0));
    assert_eq!(last.response.status, 200);
    assert!(contact_expiries(&last.response).is_empty());
    assert!(registrar.lookup(&aor("1000")).is_empty());
    assert_eq!(registrar.poll_timeout(), None);
}

#[test]
fn star_with_expires_zero_removes_everything() {
    let t0 = Instant::now();
    let mut registrar = registrar(t0);
    let mut phone = Phone::new("1000", "198.51.100.10:5060");
    let mut other = Phone::new("1000", "198.51.100.11:5060");
    other.call_id = "other-device".to_owned();
    assert_eq!(
        phone
            .register(&mut registrar, t0, &[DESK], None)
            .response
            .status,
        200
    );
    assert_eq!(
        other
            .register(&mut registrar, t0, &[SOFT], None)
            .response
            .status,
        200
    );
    assert_eq!(registrar.lookup(&aor("1000")).len(), 2);
    let cleared = phone.register(&mut registrar, t0 + secs(1), &["*"], Some(0));
    assert_eq!(cleared.response.status, 200);
    assert_eq!(cleared.changes.len(), 2);
    assert!(registrar.lookup(&aor("1000")).is_empty());
    assert!(registrar.bindings().is_empty());
}

#[test]
fn star_without_expires_zero_is_a_bad_request() {
    let t0 = Instant::now();
    let mut registrar = registrar(t0);
    let mut phone = Phone::new("1000", "198.51.100.10:5060");
    assert_eq!(
        phone
            .register(&mut registrar, t0, &[DESK], None)
            .response
            .status,
        200
    );
    let outcome = phone.register(&mut registrar, t0, &["*"], Some(3600));
    assert_eq!(outcome.response.status, 400);
    let no_expires = phone.register(&mut registrar, t0, &["*"], None);
    assert_eq!(no_expires.response.status, 400);
    assert_eq!(
        registrar.lookup(&aor("1000")).len(),
        1,
        "bindings untouched"
    );
}

#[test]
fn refresh_keeps_one_binding_per_contact() {
    let t0 = Instant::now();
    let mut registrar = registrar(t0);
    let mut phone = Phone::new("1000", "198.51.100.10:5060");
    assert_eq!(
        phone
            .register(&mut registrar, t0, &[DESK], Some(600))
            .response
            .status,
        200
    );
    let first_id = registrar.lookup(&aor("1000")).first().map(|b| b.id);
    // Same contact by §19.1.4 (a parameter only one side has is ignored), after a NAT rebind.
    phone.source = "198.51.100.10:61000".parse().unwrap_or(phone.source);
    let refreshed = phone.register(
        &mut registrar,
        t0 + secs(300),
        &["<sip:1000@192.168.1.20:5060;line=abc>"],
        Some(600),
    );
    assert_eq!(refreshed.response.status, 200);
    assert!(matches!(
        refreshed.changes.as_slice(),
        [BindingChange::Refreshed(_)]
    ));
    let bindings = registrar.lookup(&aor("1000"));
    assert_eq!(bindings.len(), 1);
    let binding = &bindings[0];
    assert_eq!(Some(binding.id), first_id);
    assert_eq!(binding.expires_at, t0 + secs(900));
    assert_eq!(binding.registered_at, t0);
    assert_eq!(
        binding.source,
        "198.51.100.10:61000".parse().unwrap_or(binding.source)
    );
    // A refresh from a new Call-ID (phone rebooted) also updates in place.
    phone.call_id = "after-reboot".to_owned();
    phone.cseq = 0;
    let rebooted = phone.register(
        &mut registrar,
        t0 + secs(400),
        &["<sip:1000@192.168.1.20:5060>"],
        Some(600),
    );
    assert_eq!(rebooted.response.status, 200);
    assert_eq!(registrar.lookup(&aor("1000")).len(), 1);
    assert_eq!(registrar.lookup(&aor("1000"))[0].call_id, "after-reboot");
}

#[test]
fn reordered_cseq_for_the_same_call_id_fails_with_500() {
    let t0 = Instant::now();
    let mut registrar = registrar(t0);
    let mut phone = Phone::new("1000", "198.51.100.10:5060");
    assert_eq!(
        phone
            .register(&mut registrar, t0, &[DESK], Some(600))
            .response
            .status,
        200
    );
    let stored_cseq = registrar.lookup(&aor("1000"))[0].cseq;
    // Replay an older CSeq on the same Call-ID (a delayed retransmission).
    phone.cseq = stored_cseq.saturating_sub(2);
    let old = phone.register(&mut registrar, t0 + secs(1), &[DESK], Some(0));
    assert_eq!(old.response.status, 500, "{:?}", old.response);
    assert_eq!(
        registrar.lookup(&aor("1000")).len(),
        1,
        "stale removal ignored"
    );
}

#[test]
fn bindings_expire_in_virtual_time() {
    let t0 = Instant::now();
    let mut registrar = registrar(t0);
    let mut phone = Phone::new("1000", "198.51.100.10:5060");
    assert_eq!(
        phone
            .register(&mut registrar, t0, &[DESK], Some(120))
            .response
            .status,
        200
    );
    assert_eq!(
        phone
            .register(&mut registrar, t0, &[SOFT], Some(300))
            .response
            .status,
        200
    );
    assert_eq!(registrar.poll_timeout(), Some(t0 + secs(120)));
    assert!(registrar.expire(t0 + secs(119)).is_empty());
    let gone = registrar.expire(t0 + secs(120));
    assert!(matches!(
        gone.as_slice(),
        [BindingChange::Removed { reason: RemovalReason::Expired, binding }] if binding.contact.uri.to_string() == "sip:1000@192.168.1.20:5060"
    ));
    assert_eq!(registrar.lookup(&aor("1000")).len(), 1);
    assert_eq!(registrar.poll_timeout(), Some(t0 + secs(300)));
    assert_eq!(registrar.expire(t0 + secs(1000)).len(), 1);
    assert!(registrar.lookup(&aor("1000")).is_empty());
    assert_eq!(registrar.poll_timeout(), None);
}

#[test]
fn a_lapsed_binding_is_not_listed_even_before_expire_runs() {
    let t0 = Instant::now();
    let mut registrar = registrar(t0);
    let mut phone = Phone::new("1000", "198.51.100.10:5060");
    assert_eq!(
        phone
            .register(&mut registrar, t0, &[DESK], Some(60))
            .response
            .status,
        200
    );
    let later = phone.register(&mut registrar, t0 + secs(61), &[SOFT], Some(600));
    assert_eq!(
        contact_expiries(&later.response),
        vec![("sip:1000@10.0.0.7:5062;transport=tcp".to_owned(), Some(600))]
    );
    assert!(later.changes.iter().any(|c| matches!(
        c,
        BindingChange::Removed {
            reason: RemovalReason::Expired,
            ..
        }
    )));
}

#[test]
fn query_without_contact_lists_bindings_and_changes_nothing() {
    let t0 = Instant::now();
    let mut registrar = registrar(t0);
    let mut phone = Phone::new("1000", "198.51.100.10:5060");
    assert_eq!(
        phone
            .register(&mut registrar, t0, &[DESK], Some(600))
            .response
            .status,
        200
    );
    let query = phone.register(&mut registrar, t0 + secs(10), &[], None);
    assert_eq!(query.response.status, 200);
    assert!(query.changes.is_empty());
    assert_eq!(
        contact_expiries(&query.response),
        vec![("sip:1000@192.168.1.20:5060".to_owned(), Some(590))]
    );
}

#[test]
fn contact_and_table_limits_bound_memory() {
    let t0 = Instant::now();
    let mut registrar = registrar_with(
        t0,
        RegistrarConfig {
            limits: StoreLimits {
                max_contacts_per_aor: 2,
                max_bindings: 3,
            },
            ..RegistrarConfig::default()
        },
    );
    let mut phone = Phone::new("1000", "198.51.100.10:5060");
    assert_eq!(
        phone
            .register(&mut registrar, t0, &[DESK, SOFT], None)
            .response
            .status,
        200
    );
    let third = phone.register(&mut registrar, t0, &["<sip:1000@192.168.1.21>"], None);
    assert_eq!(third.response.status, 403);
    assert_eq!(registrar.lookup(&aor("1000")).len(), 2);
    // Refreshing existing contacts is still allowed at the limit.
    assert_eq!(
        phone
            .register(&mut registrar, t0, &[DESK], None)
            .response
            .status,
        200
    );
    let mut other = Phone::new("1001", "198.51.100.12:5060");
    assert_eq!(
        other
            .register(&mut registrar, t0, &["<sip:1001@192.168.1.30>"], None)
            .response
            .status,
        200
    );
    let full = other.register(&mut registrar, t0, &["<sip:1001@192.168.1.31>"], None);
    assert_eq!(full.response.status, 503);
    assert_eq!(registrar.bindings().len(), 3);
}

#[test]
fn realm_is_fixed_when_configured_and_bindings_live_under_it() {
    let t0 = Instant::now();
    let mut registrar = registrar_with(
        t0,
        RegistrarConfig {
            realm: Some("PBX.Example.com".to_owned()),
            ..RegistrarConfig::default()
        },
    );
    let mut phone = Phone::new("1000", "198.51.100.10:5060");
    let outcome = phone.register(&mut registrar, t0, &[DESK], None);
    assert_eq!(outcome.response.status, 200);
    assert_eq!(
        registrar.lookup(&Aor::new("1000", "pbx.example.com")).len(),
        1
    );
}

#[test]
fn response_headers_from_the_profile_are_added() {
    let t0 = Instant::now();
    let mut registrar = registrar_with(
        t0,
        RegistrarConfig {
            response_headers: vec![
                (HeaderName::UserAgent, "witswitch".to_owned()),
                (
                    HeaderName::Allow,
                    "INVITE, ACK, BYE, CANCEL, OPTIONS, REGISTER".to_owned(),
                ),
            ],
            ..RegistrarConfig::default()
        },
    );
    let mut phone = Phone::new("1000", "198.51.100.10:5060");
    let first = phone.send(&mut registrar, t0, &[DESK], None, None);
    assert_eq!(
        first.response.headers.get(&HeaderName::UserAgent),
        Some("witswitch")
    );
    let ok = phone.register(&mut registrar, t0, &[DESK], None);
    assert_eq!(
        ok.response.headers.get(&HeaderName::UserAgent),
        Some("witswitch")
    );
    assert!(ok.response.headers.get(&HeaderName::Allow).is_some());
}
