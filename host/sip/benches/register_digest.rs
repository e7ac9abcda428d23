//! REGISTER-with-digest throughput through the sans-IO core: parse the request bytes,
//! verify the digest, update the binding, build and print the 200 OK (issue 2 target:
//! ≥ 50k/s on one core). Time is virtual, so the nonce stays fresh for the whole run.

use std::collections::HashMap;
use std::hint::black_box;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use witswitch_sip::auth::{
    Algorithm, Credential, DigestInput, HashKind, QopAuth, expected_response,
};
use witswitch_sip::registrar::{Registrar, RegistrarConfig};
use witswitch_sip::{HeaderName, Message, Transport};

const USERS: u32 = 1000;
const PASSWORD: &str = "bench-not-1234";
const REALM: &str = "127.0.0.1";
const DIGEST_URI: &str = "sip:127.0.0.1:5060";

fn directory() -> HashMap<String, Credential> {
    (0..USERS)
        .map(|n| {
            (
                (10_000 + n).to_string(),
                Credential::Password(PASSWORD.to_owned()),
            )
        })
        .collect()
}

/// A sipp-style REGISTER for `user` with a valid digest over `nonce`; `id` (a token)
/// names the Call-ID, From tag and branch.
fn register_bytes(user: &str, id: &str, nonce: &str) -> Vec<u8> {
    let cnonce = "6b8b4567";
    let nc = "00000001";
    let response = Credential::Password(PASSWORD.to_owned())
        .ha1(HashKind::Md5, user, REALM)
        .map(|ha1| {
            expected_response(
                &ha1,
                &DigestInput {
                    algorithm: Algorithm::Md5,
                    nonce,
                    qop: Some(QopAuth {
                        nonce_count: nc,
                        cnonce,
                    }),
                    cnonce: None,
                    method: "REGISTER",
                    uri: DIGEST_URI,
                },
            )
            .to_string()
        })
        .unwrap_or_default();
    format!(
        "REGISTER sip:127.0.0.1:5060 SIP/2.0\r\n\
         Via: SIP/2.0/UDP 127.0.0.1:5092;branch=z9hG4bK-{id}-4\r\n\
         From: <sip:{user}@127.0.0.1>;tag={id}-tag\r\n\
         To: <sip:{user}@127.0.0.1>\r\n\
         Call-ID: {id}@bench\r\n\
         CSeq: 2 REGISTER\r\n\
         Contact: <sip:{user}@127.0.0.1:5092;transport=UDP>\r\n\
         Authorization: Digest username=\"{user}\",realm=\"{REALM}\",cnonce=\"{cnonce}\",nc={nc},qop=auth,uri=\"{DIGEST_URI}\",nonce=\"{nonce}\",response=\"{response}\",algorithm=MD5\r\n\
         Expires: 3600\r\n\
         Max-Forwards: 70\r\n\
         User-Agent: sipp-register\r\n\
         Content-Length: 0\r\n\r\n"
    )
    .into_bytes()
}

/// Gets a nonce the way a phone does: an unauthenticated REGISTER and its 401.
fn fetch_nonce(registrar: &mut Registrar, now: Instant, source: SocketAddr) -> String {
    let probe = String::from_utf8(register_bytes("10000", "probe", "none"))
        .unwrap_or_default()
        .lines()
        .filter(|line| !line.starts_with("Authorization"))
        .collect::<Vec<_>>()
        .join("\r\n");
    let Ok(Message::Request(request)) = Message::parse(probe.as_bytes()).map(|p| p.message) else {
        panic!("probe REGISTER does not parse");
    };
    let outcome = registrar.handle_register(now, &request, source, Transport::Udp, &directory());
    let challenge = outcome
        .response
        .headers
        .get(&HeaderName::WwwAuthenticate)
        .unwrap_or_default()
        .to_owned();
    challenge
        .split("nonce=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned()
}

fn register_with_digest(c: &mut Criterion) {
    let t0 = Instant::now();
    let now = t0 + Duration::from_secs(1);
    let source: SocketAddr = "127.0.0.1:5092"
        .parse()
        .unwrap_or(SocketAddr::from(([127, 0, 0, 1], 5092)));
    let mut registrar = Registrar::new(
        RegistrarConfig::default(),
        b"bench-secret-0123456789abcdef0123",
        t0,
    );
    let users = directory();
    let nonce = fetch_nonce(&mut registrar, now, source);
    // Two Call-IDs per user, sent alternately: each REGISTER comes from a Call-ID other than
    // the one stored, so RFC 3261 §10.3 step 7 accepts the same CSeq again and again.
    let requests: Vec<Vec<u8>> = ["a", "b"]
        .iter()
        .flat_map(|round| {
            let nonce = nonce.clone();
            (0..USERS).map(move |n| {
                let user = (10_000 + n).to_string();
                register_bytes(&user, &format!("{round}{n}"), &nonce)
            })
        })
        .collect();
    let mut out = Vec::with_capacity(1024);
    let mut next = 0usize;
    let mut group = c.benchmark_group("register");
    group.throughput(Throughput::Elements(1));
    group.bench_function("parse_verify_bind_print_200", |b| {
        b.iter(|| {
            let bytes = &requests[next % requests.len()];
            next += 1;
            let Ok(Message::Request(request)) = Message::parse(bytes).map(|p| p.message) else {
                panic!("REGISTER does not parse");
            };
            let outcome = registrar.handle_register(now, &request, source, Transport::Udp, &users);
            assert_eq!(
                outcome.response.status,
                200,
                "{}",
                String::from_utf8_lossy(bytes)
            );
            out.clear();
            outcome.response.write_to(&mut out);
            black_box(&out);
        })
    });
    group.finish();

    let credential = Credential::Password(PASSWORD.to_owned());
    c.bench_function("digest_md5_response_only", |b| {
        b.iter(|| {
            credential.ha1(HashKind::Md5, "1001", REALM).map(|ha1| {
                expected_response(
                    &ha1,
                    &DigestInput {
                        algorithm: Algorithm::Md5,
                        nonce: black_box("c2cd44d0-ac03-4490-b90f-cf57b078a829"),
                        qop: Some(QopAuth {
                            nonce_count: "00000001",
                            cnonce: "6b8b4567",
                        }),
                        cnonce: None,
                        method: "REGISTER",
                        uri: DIGEST_URI,
                    },
                )
            })
        })
    });
}

criterion_group!(benches, register_with_digest);
criterion_main!(benches);
