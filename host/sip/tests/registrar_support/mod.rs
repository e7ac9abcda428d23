//! A small SIP phone for registrar tests: builds REGISTER bytes, parses them with the real
//! message parser, and answers digest challenges with its own hashing (straight on the
//! `md-5`/`sha2` crates, independent of the crate's `auth` module).

#![allow(dead_code)] // each test file uses a different subset

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use md5::{Digest as _, Md5};
use sha2::Sha256;
use witswitch_sip::auth::Credential;
use witswitch_sip::registrar::{RegisterOutcome, Registrar, RegistrarConfig};
use witswitch_sip::{HeaderName, Message, Request, Response, Transport};

pub const SECRET: &[u8] = b"registrar-test-secret-0123456789abcdef";
pub const PASSWORD: &str = "bench-not-1234";

/// Users 1000..=1019 with the FreeSWITCH capture's password, plus 1100 stored as HA1 only.
pub fn directory() -> HashMap<String, Credential> {
    let mut users: HashMap<String, Credential> = (1000..=1019)
        .map(|n| (n.to_string(), Credential::Password(PASSWORD.to_owned())))
        .collect();
    users.insert(
        "1100".to_owned(),
        Credential::Ha1 {
            md5: Some(hex(&Md5::digest(b"1100:127.0.0.1:ha1-only"))),
            sha256: None,
        },
    );
    users
}

pub fn registrar(start: Instant) -> Registrar {
    Registrar::new(RegistrarConfig::default(), SECRET, start)
}

pub fn registrar_with(start: Instant, config: RegistrarConfig) -> Registrar {
    Registrar::new(config, SECRET, start)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn parse_request(bytes: &[u8]) -> Request {
    match Message::parse(bytes).map(|parsed| parsed.message) {
        Ok(Message::Request(request)) => request,
        other => panic!(
            "not a request: {other:?}\n{}",
            String::from_utf8_lossy(bytes)
        ),
    }
}

/// `name: value` of every `name` header in order.
pub fn header_values<'a>(response: &'a Response, name: &'a HeaderName) -> Vec<&'a str> {
    response.headers.get_all(name).collect()
}

/// A parameter of a `Digest a="b", c=d` challenge, unquoted.
pub fn challenge_param(challenge: &str, name: &str) -> Option<String> {
    let body = challenge.strip_prefix("Digest ")?;
    body.split(", ").find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key.trim() == name).then(|| value.trim().trim_matches('"').to_owned())
    })
}

/// What the phone answers a challenge with.
#[derive(Debug, Clone)]
pub struct Answer {
    pub realm: String,
    pub nonce: String,
    pub algorithm: String,
    pub nonce_count: u32,
}

/// A phone registering one user from one source address.
#[derive(Debug)]
pub struct Phone {
    pub user: String,
    pub password: String,
    pub domain: String,
    pub source: SocketAddr,
    pub transport: Transport,
    pub call_id: String,
    pub cseq: u32,
    /// The `uri` parameter of Authorization; sipp puts `sip:<ip>:<port>` here.
    pub digest_uri: String,
    pub last_answer: Option<Answer>,
    /// Prefer SHA-256 when offered.
    pub prefer_sha256: bool,
    pub user_agent: Option<String>,
}

impl Phone {
    pub fn new(user: &str, source: &str) -> Phone {
        Phone {
            user: user.to_owned(),
            password: PASSWORD.to_owned(),
            domain: "127.0.0.1".to_owned(),
            source: source.parse().unwrap_or_else(|e| panic!("{source}: {e}")),
            transport: Transport::Udp,
            call_id: format!("{user}-call@{source}"),
            cseq: 0,
            digest_uri: "sip:127.0.0.1:5060".to_owned(),
            last_answer: None,
            prefer_sha256: false,
            user_agent: Some("test-phone/1.0".to_owned()),
        }
    }

    /// REGISTER bytes; `contacts` are full Contact values, `expires` the Expires header.
    pub fn register_bytes(
        &mut self,
        contacts: &[&str],
        expires: Option<u32>,
        authorization: Option<&str>,
    ) -> Vec<u8> {
        self.cseq += 1;
        let mut text = format!(
            "REGISTER sip:{domain} SIP/2.0\r\n\
             Via: SIP/2.0/UDP {source};branch=z9hG4bK-{cseq}-{user}\r\n\
             From: <sip:{user}@{domain}>;tag=ft-{user}\r\n\
             To: <sip:{user}@{domain}>\r\n\
             Call-ID: {call_id}\r\n\
             CSeq: {cseq} REGISTER\r\n",
            domain = self.domain,
            source = self.source,
            cseq = self.cseq,
            user = self.user,
            call_id = self.call_id,
        );
        for contact in contacts {
            text.push_str(&format!("Contact: {contact}\r\n"));
        }
        if let Some(authorization) = authorization {
            text.push_str(&format!("Authorization: {authorization}\r\n"));
        }
        if let Some(expires) = expires {
            text.push_str(&format!("Expires: {expires}\r\n"));
        }
        if let Some(agent) = &self.user_agent {
            text.push_str(&format!("User-Agent: {agent}\r\n"));
        }
        text.push_str("Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
        text.into_bytes()
    }

    /// Picks a challenge from a 401 and remembers it.
    pub fn take_challenge(&mut self, response: &Response) -> Answer {
        assert_eq!(response.status, 401, "expected a challenge: {response:?}");
        let challenges = header_values(response, &HeaderName::WwwAuthenticate);
        let wanted = if self.prefer_sha256 { "SHA-256" } else { "MD5" };
        let chosen = challenges
            .iter()
            .find(|c| challenge_param(c, "algorithm").as_deref() == Some(wanted))
            .or(challenges.first())
            .unwrap_or_else(|| panic!("401 without WWW-Authenticate: {response:?}"));
        let answer = Answer {
            realm: challenge_param(chosen, "realm").unwrap_or_default(),
            nonce: challenge_param(chosen, "nonce").unwrap_or_default(),
            algorithm: challenge_param(chosen, "algorithm").unwrap_or_else(|| "MD5".to_owned()),
            nonce_count: 0,
        };
        self.last_answer = Some(answer.clone());
        answer
    }

    /// The Authorization value for the next request using the remembered challenge.
    pub fn authorization(&mut self, password: &str) -> Option<String> {
        let answer = self.last_answer.as_mut()?;
        answer.nonce_count += 1;
        let answer = answer.clone();
        let nc = format!("{:08x}", answer.nonce_count);
        let cnonce = format!("cn{}", self.cseq);
        let h = |text: String| -> String {
            if answer.algorithm == "SHA-256" {
                hex(&Sha256::digest(text.as_bytes()))
            } else {
                hex(&Md5::digest(text.as_bytes()))
            }
        };
        let ha1 = h(format!("{}:{}:{}", self.user, answer.realm, password));
        let ha2 = h(format!("REGISTER:{}", self.digest_uri));
        let response = h(format!("{ha1}:{}:{nc}:{cnonce}:auth:{ha2}", answer.nonce));
        Some(format!(
            "Digest username=\"{}\",realm=\"{}\",cnonce=\"{cnonce}\",nc={nc},qop=auth,uri=\"{}\",nonce=\"{}\",response=\"{response}\",algorithm={}",
            self.user, answer.realm, self.digest_uri, answer.nonce, answer.algorithm
        ))
    }

    /// Sends one REGISTER as built, returning the registrar's outcome.
    pub fn send(
        &mut self,
        registrar: &mut Registrar,
        now: Instant,
        contacts: &[&str],
        expires: Option<u32>,
        authorization: Option<&str>,
    ) -> RegisterOutcome {
        let bytes = self.register_bytes(contacts, expires, authorization);
        let request = parse_request(&bytes);
        registrar.handle_register(
            now,
            &request,
            self.source,
            self.transport.clone(),
            &directory(),
        )
    }

    /// Registers like a real phone: reuse the last nonce if any, answer a 401 once.
    pub fn register(
        &mut self,
        registrar: &mut Registrar,
        now: Instant,
        contacts: &[&str],
        expires: Option<u32>,
    ) -> RegisterOutcome {
        let password = self.password.clone();
        let authorization = self.authorization(&password);
        let first = self.send(registrar, now, contacts, expires, authorization.as_deref());
        if first.response.status != 401 {
            return first;
        }
        self.take_challenge(&first.response);
        let authorization = self.authorization(&password);
        self.send(registrar, now, contacts, expires, authorization.as_deref())
    }
}

/// Contact header values of a response, parsed to (uri text, expires).
pub fn contact_expiries(response: &Response) -> Vec<(String, Option<u32>)> {
    response
        .contacts()
        .ok()
        .map(|list| match list {
            witswitch_sip::ContactList::Star => Vec::new(),
            witswitch_sip::ContactList::Addresses(addresses) => addresses
                .iter()
                .map(|a| (a.uri.to_string(), a.expires()))
                .collect(),
        })
        .unwrap_or_default()
}

pub fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}
