//! REGISTER-with-digest throughput through the sans-IO core.
use criterion::{Criterion, criterion_group, criterion_main};

fn digest_math(c: &mut Criterion) {
    use witswitch_sip::auth::{
        Algorithm, Credential, DigestInput, HashKind, QopAuth, expected_response,
    };
    let credential = Credential::Password("bench-not-1234".to_owned());
    c.bench_function("digest_md5_response", |b| {
        b.iter(|| {
            let ha1 = credential.ha1(HashKind::Md5, "1001", "127.0.0.1");
            ha1.map(|ha1| {
                expected_response(
                    &ha1,
                    &DigestInput {
                        algorithm: Algorithm::Md5,
                        nonce: "c2cd44d0-ac03-4490-b90f-cf57b078a829",
                        qop: Some(QopAuth {
                            nonce_count: "00000001",
                            cnonce: "6b8b4567",
                        }),
                        cnonce: None,
                        method: "REGISTER",
                        uri: "sip:127.0.0.1:5060",
                    },
                )
            })
        })
    });
}

criterion_group!(benches, digest_math);
criterion_main!(benches);
