//! The digest `response` computation (RFC 7616 §3.4.1-§3.4.3, RFC 2617 §3.2.2.1), shared by
//! the server-side verifier and by client code (tests, benchmarks, outbound gateways).

use super::algorithm::{Algorithm, HexDigest};

/// The per-request inputs of a digest computation, as the client sent them.
#[derive(Debug, Clone, Copy)]
pub struct DigestInput<'a> {
    /// The algorithm in use.
    pub algorithm: Algorithm,
    /// The server nonce.
    pub nonce: &'a str,
    /// `Some(("00000001", cnonce, "auth"))` for qop=auth; `None` for RFC 2069 style digests.
    pub qop: Option<QopAuth<'a>>,
    /// Client nonce; required for `-sess` algorithms even without qop.
    pub cnonce: Option<&'a str>,
    /// The request method (`REGISTER`, `INVITE`, ...).
    pub method: &'a str,
    /// The `uri` parameter (digest-uri), which need not equal the Request-URI.
    pub uri: &'a str,
}

/// The qop=auth parameters that enter the response hash (RFC 7616 §3.4.1).
#[derive(Debug, Clone, Copy)]
pub struct QopAuth<'a> {
    /// `nc`, the nonce count, 8 hex digits as sent.
    pub nonce_count: &'a str,
    /// `cnonce`, the client nonce.
    pub cnonce: &'a str,
}

/// Session-adjusted HA1 (RFC 7616 §3.4.2): for `-sess` algorithms
/// `H(H(user:realm:pass) ":" nonce ":" cnonce)`, otherwise the base HA1 unchanged.
pub fn session_ha1(base_ha1: &HexDigest, input: &DigestInput<'_>) -> HexDigest {
    if !input.algorithm.is_session() {
        return *base_ha1;
    }
    let cnonce = input
        .qop
        .map(|qop| qop.cnonce)
        .or(input.cnonce)
        .unwrap_or_default();
    input.algorithm.hash().hex_of_parts(&[
        base_ha1.as_bytes(),
        input.nonce.as_bytes(),
        cnonce.as_bytes(),
    ])
}

/// The expected `response` value for `base_ha1 = H(username:realm:password)`.
pub fn expected_response(base_ha1: &HexDigest, input: &DigestInput<'_>) -> HexDigest {
    let hash = input.algorithm.hash();
    let ha1 = session_ha1(base_ha1, input);
    // A2 = Method ":" request-uri for qop=auth or no qop (RFC 7616 §3.4.3).
    let ha2 = hash.hex_of_parts(&[input.method.as_bytes(), input.uri.as_bytes()]);
    match input.qop {
        Some(qop) => hash.hex_of_parts(&[
            ha1.as_bytes(),
            input.nonce.as_bytes(),
            qop.nonce_count.as_bytes(),
            qop.cnonce.as_bytes(),
            b"auth",
            ha2.as_bytes(),
        ]),
        // RFC 2069 compatibility: response = H(HA1 ":" nonce ":" HA2) (RFC 2617 §3.2.2.1).
        None => hash.hex_of_parts(&[ha1.as_bytes(), input.nonce.as_bytes(), ha2.as_bytes()]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::algorithm::HashKind;
    use crate::auth::credential::Credential;

    #[test]
    fn rfc2617_section_3_5_example() {
        // RFC 2617 §3.5: Mufasa / "Circle Of Life", realm testrealm@host.com, GET /dir/index.html.
        let ha1 = Credential::Password("Circle Of Life".to_owned()).ha1(
            HashKind::Md5,
            "Mufasa",
            "testrealm@host.com",
        );
        let input = DigestInput {
            algorithm: Algorithm::Md5,
            nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
            qop: Some(QopAuth {
                nonce_count: "00000001",
                cnonce: "0a4f113b",
            }),
            cnonce: None,
            method: "GET",
            uri: "/dir/index.html",
        };
        let response = ha1.map(|ha1| expected_response(&ha1, &input).to_string());
        assert_eq!(
            response.as_deref(),
            Some("6629fae49393a05397450978507c4ef1")
        );
    }

    #[test]
    fn rfc7616_section_3_9_1_examples() {
        // RFC 7616 §3.9.1: Mufasa / "Circle of Life" (lower-case "of"), realm http-auth@example.org.
        let password = Credential::Password("Circle of Life".to_owned());
        let input = |algorithm| DigestInput {
            algorithm,
            nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
            qop: Some(QopAuth {
                nonce_count: "00000001",
                cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
            }),
            cnonce: None,
            method: "GET",
            uri: "/dir/index.html",
        };
        let md5 = password
            .ha1(HashKind::Md5, "Mufasa", "http-auth@example.org")
            .map(|ha1| expected_response(&ha1, &input(Algorithm::Md5)).to_string());
        assert_eq!(md5.as_deref(), Some("8ca523f5e9506fed4657c9700eebdbec"));
        let sha = password
            .ha1(HashKind::Sha256, "Mufasa", "http-auth@example.org")
            .map(|ha1| expected_response(&ha1, &input(Algorithm::Sha256)).to_string());
        assert_eq!(
            sha.as_deref(),
            Some("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")
        );
    }

    #[test]
    fn sipp_register_from_freeswitch_capture() {
        // testdata/freeswitch-1.10.12/sip/register.txt: user 1001, password bench-not-1234.
        let ha1 = Credential::Password("bench-not-1234".to_owned()).ha1(
            HashKind::Md5,
            "1001",
            "127.0.0.1",
        );
        let input = DigestInput {
            algorithm: Algorithm::Md5,
            nonce: "c2cd44d0-ac03-4490-b90f-cf57b078a829",
            qop: Some(QopAuth {
                nonce_count: "00000001",
                cnonce: "6b8b4567",
            }),
            cnonce: None,
            method: "REGISTER",
            uri: "sip:127.0.0.1:5060",
        };
        let response = ha1.map(|ha1| expected_response(&ha1, &input).to_string());
        assert_eq!(
            response.as_deref(),
            Some("d6b18e8dcbf1f0a55f3506f848111229")
        );
    }

    #[test]
    fn legacy_no_qop_and_session_variants_differ() {
        let ha1 = HashKind::Md5.hex_of_parts(&[b"u", b"r", b"p"]);
        let base = DigestInput {
            algorithm: Algorithm::Md5,
            nonce: "n",
            qop: None,
            cnonce: Some("c"),
            method: "REGISTER",
            uri: "sip:r",
        };
        let legacy = expected_response(&ha1, &base);
        let ha2 = HashKind::Md5.hex_of_parts(&[b"REGISTER", b"sip:r"]);
        let by_hand = HashKind::Md5.hex_of_parts(&[ha1.as_bytes(), b"n", ha2.as_bytes()]);
        assert_eq!(legacy, by_hand);
        let sess = expected_response(
            &ha1,
            &DigestInput {
                algorithm: Algorithm::Md5Sess,
                ..base
            },
        );
        let sess_ha1 = HashKind::Md5.hex_of_parts(&[ha1.as_bytes(), b"n", b"c"]);
        let sess_by_hand = HashKind::Md5.hex_of_parts(&[sess_ha1.as_bytes(), b"n", ha2.as_bytes()]);
        assert_eq!(sess, sess_by_hand);
        assert_ne!(sess, legacy);
    }
}
