//! REGISTER with digest authentication through the sans-IO registrar: challenge, answer,
//! 200; stale nonces; the digest uri taken from the Authorization header; no user
//! enumeration; malformed and foreign credentials.

mod registrar_support;

use std::time::Instant;

use registrar_support::{Phone, challenge_param, contact_expiries, header_values, registrar, secs};
use witswitch_sip::HeaderName;
use witswitch_sip::auth::Algorithm;
use witswitch_sip::registrar::{AuthEvent, BindingChange};

/// realm, algorithm, qop, nonce length of one challenge.
type ChallengeShape = (Option<String>, Option<String>, Option<String>, usize);

const CONTACT: &str = "<sip:1001@127.0.0.1:5092;transport=UDP>";

#[test]
fn challenge_then_answer_registers_with_md5() {
    let t0 = Instant::now();
    let mut registrar = registrar(t0);
    let mut phone = Phone::new("1001", "127.0.0.1:5092");

    let first = phone.send(&mut registrar, t0, &[CONTACT], Some(3600), None);
    assert_eq!(first.response.status, 401);
    assert!(first.changes.is_empty());
    assert!(matches!(first.auth, Some(AuthEvent::Challenged(_))));
    let challenges = header_values(&first.response, &HeaderName::WwwAuthenticate);
    assert_eq!(challenges.len(), 2, "MD5 then SHA-256: {challenges:?}");
    assert_eq!(
        challenge_param(challenges[0], "algorithm").as_deref(),
        Some("MD5")
    );
    assert_eq!(
        challenge_param(challenges[1], "algorithm").as_deref(),
        Some("SHA-256")
    );
    assert_eq!(
        challenge_param(challenges[0], "realm").as_deref(),
        Some("127.0.0.1")
    );
    assert_eq!(
        challenge_param(challenges[0], "qop").as_deref(),
        Some("auth")
    );
    assert_eq!(challenge_param(challenges[0], "stale"), None);
    let to = first.response.to().map(|to| to.tag().map(str::to_owned));
    assert!(
        matches!(to, Ok(Some(ref tag)) if !tag.is_empty()),
        "401 carries a To tag"
    );

    phone.take_challenge(&first.response);
    let authorization = phone.authorization("bench-not-1234");
    let second = phone.send(
        &mut registrar,
        t0,
        &[CONTACT],
        Some(3600),
        authorization.as_deref(),
    );
    assert_eq!(second.response.status, 200, "{:?}", second.response);
    assert_eq!(
        second.auth,
        Some(AuthEvent::Authenticated {
            username: "1001".to_owned(),
            algorithm: Algorithm::Md5
        })
    );
    assert_eq!(
        contact_expiries(&second.response),
        vec![(
            "sip:1001@127.0.0.1:5092;transport=UDP".to_owned(),
            Some(3600)
        )]
    );
    assert!(matches!(second.changes.as_slice(), [BindingChange::Added(b)] if b.aor.user == "1001"));
}

#[test]
fn sha256_answers_are_accepted() {
    let t0 = Instant::now();
    let mut registrar = registrar(t0);
    let mut phone = Phone::new("1002", "127.0.0.1:5093");
    phone.prefer_sha256 = true;
    let outcome = phone.register(&mut registrar, t0, &[CONTACT], Some(600));
    assert_eq!(outcome.response.status, 200);
    assert!(matches!(
        outcome.auth,
        Some(AuthEvent::Authenticated {
            algorithm: Algorithm::Sha256,
            ..
        })
    ));
}

#[test]
fn stored_ha1_users_authenticate_with_md5() {
    let t0 = Instant::now();
    let mut registrar = registrar(t0);
    let mut phone = Phone::new("1100", "127.0.0.1:5094");
    phone.password = "ha1-only".to_owned();
    let outcome = phone.register(&mut registrar, t0, &["<sip:1100@127.0.0.1:5094>"], None);
    assert_eq!(outcome.response.status, 200);
    // The same user choosing SHA-256 has no SHA-256 secret on file: refused like a bad password.
    let mut sha_phone = Phone::new("1100", "127.0.0.1:5095");
    sha_phone.password = "ha1-only".to_owned();
    sha_phone.prefer_sha256 = true;
    let refused = sha_phone.register(&mut registrar, t0, &["<sip:1100@127.0.0.1:5095>"], None);
    assert_eq!(refused.response.status, 403);
}

#[test]
fn digest_uri_from_the_header_is_used_not_the_request_uri() {
    let t0 = Instant::now();
    let mut registrar = registrar(t0);
    // The Request-URI is sip:127.0.0.1; the digest uri says sip:127.0.0.1:5060 as sipp does.
    let mut phone = Phone::new("1003", "127.0.0.1:5096");
    phone.digest_uri = "sip:127.0.0.1:5060".to_owned();
    assert_eq!(
        phone
            .register(&mut registrar, t0, &[CONTACT], None)
            .response
            .status,
        200
    );
    // A response hashed over one uri but claiming another fails.
    let first = phone.send(&mut registrar, t0, &[CONTACT], None, None);
    phone.take_challenge(&first.response);
    let forged = phone
        .authorization("bench-not-1234")
        .map(|a| a.replace("uri=\"sip:127.0.0.1:5060\"", "uri=\"sip:127.0.0.1\""));
    let outcome = phone.send(&mut registrar, t0, &[CONTACT], None, forged.as_deref());
    assert_eq!(outcome.response.status, 403);
}

#[test]
fn expired_nonce_with_right_password_gets_stale_challenge() {
    let t0 = Instant::now();
    let mut registrar = registrar(t0);
    let mut phone = Phone::new("1004", "127.0.0.1:5097");
    assert_eq!(
        phone
            .register(&mut registrar, t0, &[CONTACT], None)
            .response
            .status,
        200
    );
    // Default nonce TTL is 60 s; 61 s later the remembered nonce is stale.
    let later = t0 + secs(61);
    let authorization = phone.authorization("bench-not-1234");
    let stale = phone.send(
        &mut registrar,
        later,
        &[CONTACT],
        None,
        authorization.as_deref(),
    );
    assert_eq!(stale.response.status, 401);
    assert!(
        matches!(stale.auth, Some(AuthEvent::Challenged(_))),
        "no failure counted"
    );
    let challenges = header_values(&stale.response, &HeaderName::WwwAuthenticate);
    assert!(
        challenges
            .iter()
            .all(|c| challenge_param(c, "stale").as_deref() == Some("true"))
    );
    // Answering the new nonce succeeds.
    phone.take_challenge(&stale.response);
    let authorization = phone.authorization("bench-not-1234");
    let ok = phone.send(
        &mut registrar,
        later,
        &[CONTACT],
        None,
        authorization.as_deref(),
    );
    assert_eq!(ok.response.status, 200);
    // A stale nonce with a WRONG password is a failure, not a stale challenge.
    let authorization = phone.authorization("wrong");
    let bad = phone.send(
        &mut registrar,
        later + secs(120),
        &[CONTACT],
        None,
        authorization.as_deref(),
    );
    assert_eq!(bad.response.status, 403);
    assert!(matches!(bad.auth, Some(AuthEvent::Failed(_))));
}

#[test]
fn unknown_user_gets_the_same_challenge_shape_and_the_same_refusal() {
    let t0 = Instant::now();
    let mut registrar = registrar(t0);
    let mut known = Phone::new("1005", "127.0.0.1:5098");
    let mut unknown = Phone::new("9999", "127.0.0.1:5099");
    let known_first = known.send(&mut registrar, t0, &[CONTACT], None, None);
    let unknown_first = unknown.send(&mut registrar, t0, &[CONTACT], None, None);
    let shape = |response: &witswitch_sip::Response| {
        let names: Vec<String> = response
            .headers
            .iter()
            .map(|h| h.name.to_string())
            .collect();
        let challenges: Vec<ChallengeShape> = header_values(response, &HeaderName::WwwAuthenticate)
            .iter()
            .map(|c| {
                (
                    challenge_param(c, "realm"),
                    challenge_param(c, "algorithm"),
                    challenge_param(c, "qop"),
                    challenge_param(c, "nonce").map(|n| n.len()).unwrap_or(0),
                )
            })
            .collect();
        (response.status, response.reason.clone(), names, challenges)
    };
    assert_eq!(shape(&known_first.response), shape(&unknown_first.response));

    known.take_challenge(&known_first.response);
    unknown.take_challenge(&unknown_first.response);
    let wrong = known.authorization("wrong-password");
    let guess = unknown.authorization("bench-not-1234");
    let known_refused = known.send(&mut registrar, t0, &[CONTACT], None, wrong.as_deref());
    let unknown_refused = unknown.send(&mut registrar, t0, &[CONTACT], None, guess.as_deref());
    assert_eq!(known_refused.response.status, 403);
    assert_eq!(unknown_refused.response.status, 403);
    assert_eq!(
        shape(&known_refused.response),
        shape(&unknown_refused.response)
    );
    assert!(matches!(known_refused.auth, Some(AuthEvent::Failed(_))));
    assert!(matches!(unknown_refused.auth, Some(AuthEvent::Failed(_))));
}

#[test]
fn foreign_or_forged_nonce_is_rechallenged_not_counted() {
    let t0 = Instant::now();
    let mut registrar = registrar(t0);
    let mut phone = Phone::new("1006", "127.0.0.1:5100");
    let first = phone.send(&mut registrar, t0, &[CONTACT], None, None);
    phone.take_challenge(&first.response);
    if let Some(answer) = phone.last_answer.as_mut() {
        answer.nonce = "c2cd44d0-ac03-4490-b90f-cf57b078a829".to_owned();
    }
    let authorization = phone.authorization("bench-not-1234");
    let outcome = phone.send(
        &mut registrar,
        t0,
        &[CONTACT],
        None,
        authorization.as_deref(),
    );
    assert_eq!(outcome.response.status, 401);
    assert!(matches!(outcome.auth, Some(AuthEvent::Challenged(_))));
}

#[test]
fn credentials_for_another_realm_are_ignored_and_rechallenged() {
    let t0 = Instant::now();
    let mut registrar = registrar(t0);
    let mut phone = Phone::new("1007", "127.0.0.1:5101");
    let first = phone.send(&mut registrar, t0, &[CONTACT], None, None);
    phone.take_challenge(&first.response);
    if let Some(answer) = phone.last_answer.as_mut() {
        answer.realm = "elsewhere.example".to_owned();
    }
    let authorization = phone.authorization("bench-not-1234");
    let outcome = phone.send(
        &mut registrar,
        t0,
        &[CONTACT],
        None,
        authorization.as_deref(),
    );
    assert_eq!(outcome.response.status, 401);
}

#[test]
fn legacy_answer_without_qop_is_accepted() {
    use md5::{Digest as _, Md5};
    let t0 = Instant::now();
    let mut registrar = registrar(t0);
    let mut phone = Phone::new("1008", "127.0.0.1:5102");
    let first = phone.send(&mut registrar, t0, &[CONTACT], None, None);
    let answer = phone.take_challenge(&first.response);
    let h = |text: String| registrar_support::hex(&Md5::digest(text.as_bytes()));
    let ha1 = h(format!("1008:{}:bench-not-1234", answer.realm));
    let ha2 = h("REGISTER:sip:127.0.0.1".to_owned());
    let response = h(format!("{ha1}:{}:{ha2}", answer.nonce));
    let authorization = format!(
        "Digest username=\"1008\", realm=\"{}\", nonce=\"{}\", uri=\"sip:127.0.0.1\", response=\"{response}\"",
        answer.realm, answer.nonce
    );
    let outcome = phone.send(&mut registrar, t0, &[CONTACT], None, Some(&authorization));
    assert_eq!(outcome.response.status, 200);
}

#[test]
fn malformed_authorization_is_a_bad_request() {
    let t0 = Instant::now();
    let mut registrar = registrar(t0);
    let mut phone = Phone::new("1009", "127.0.0.1:5103");
    let outcome = phone.send(
        &mut registrar,
        t0,
        &[CONTACT],
        None,
        Some("Digest username=\"1009\", realm=\"127.0.0.1\", nonce=\"x\", uri=\"sip:a\""),
    );
    assert_eq!(outcome.response.status, 400);
    assert!(outcome.changes.is_empty());
}

#[test]
fn authenticated_user_may_not_register_someone_else() {
    let t0 = Instant::now();
    let mut registrar = registrar(t0);
    let mut phone = Phone::new("1010", "127.0.0.1:5104");
    let first = phone.send(&mut registrar, t0, &[CONTACT], None, None);
    phone.take_challenge(&first.response);
    // Valid credentials of 1010 on a REGISTER whose To is 1011.
    let authorization = phone.authorization("bench-not-1234");
    phone.user = "1011".to_owned();
    let outcome = phone.send(
        &mut registrar,
        t0,
        &[CONTACT],
        None,
        authorization.as_deref(),
    );
    assert_eq!(outcome.response.status, 403);
    assert!(outcome.changes.is_empty());
    assert!(
        matches!(outcome.auth, Some(AuthEvent::Authenticated { .. })),
        "not a digest failure"
    );
}

#[test]
fn to_without_angle_brackets_gets_the_tag_as_a_header_parameter() {
    let t0 = Instant::now();
    let mut registrar = registrar(t0);
    let mut phone = Phone::new("1012", "127.0.0.1:5105");
    let bytes = String::from_utf8(phone.register_bytes(&[CONTACT], None, None))
        .unwrap_or_default()
        .replace("To: <sip:1012@127.0.0.1>", "To: sip:1012@127.0.0.1");
    let request = registrar_support::parse_request(bytes.as_bytes());
    let outcome = registrar.handle_register(
        t0,
        &request,
        phone.source,
        phone.transport.clone(),
        &registrar_support::directory(),
    );
    assert_eq!(outcome.response.status, 401);
    let to = outcome.response.to();
    let Ok(to) = to else {
        panic!("To does not parse: {to:?}");
    };
    assert!(to.tag().is_some_and(|tag| !tag.is_empty()));
    assert_eq!(
        to.uri.to_string(),
        "sip:1012@127.0.0.1",
        "tag is not a URI parameter"
    );
}
