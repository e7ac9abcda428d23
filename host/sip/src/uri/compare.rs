//! SIP URI comparison (RFC 3261 §19.1.4) and address-of-record keys.

use super::escape::{escape_user, unescape};
use super::{Host, SipUri};

/// Parameters that, when present in either URI, must be present and equal
/// in both (RFC 3261 §19.1.4).
const MUST_MATCH: [&str; 5] = ["transport", "user", "ttl", "method", "maddr"];

pub(super) fn equivalent(a: &SipUri, b: &SipUri) -> bool {
    a.scheme == b.scheme
        && opt_bytes(a.user.as_deref()) == opt_bytes(b.user.as_deref())
        && opt_bytes(a.password.as_deref()) == opt_bytes(b.password.as_deref())
        && hosts_equal(&a.host, &b.host)
        && a.port == b.port
        && params_equivalent(a, b)
        && headers_equivalent(a, b)
}

fn opt_bytes(s: Option<&str>) -> Option<Vec<u8>> {
    s.map(unescape)
}

fn hosts_equal(a: &Host, b: &Host) -> bool {
    match (a, b) {
        (Host::Domain(x), Host::Domain(y)) => unescape(x).eq_ignore_ascii_case(&unescape(y)),
        _ => a == b,
    }
}

/// Parameter names compare case-insensitively after unescaping; values of
/// the known parameters case-insensitively, others as unescaped bytes
/// compared case-insensitively too (RFC 3261 §19.1.4: "comparison of ...
/// parameters ... is case-insensitive" unless stated otherwise).
fn params_equivalent(a: &SipUri, b: &SipUri) -> bool {
    let decoded = |u: &SipUri| -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
        u.params
            .iter()
            .map(|p| {
                let mut name = unescape(&p.name);
                name.make_ascii_lowercase();
                (name, p.value.as_deref().map(unescape))
            })
            .collect()
    };
    let (pa, pb) = (decoded(a), decoded(b));
    let find = |list: &[(Vec<u8>, Option<Vec<u8>>)], name: &[u8]| {
        list.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
    };
    let value_eq = |x: &Option<Vec<u8>>, y: &Option<Vec<u8>>| match (x, y) {
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
        (None, None) => true,
        _ => false,
    };
    for name in MUST_MATCH {
        match (find(&pa, name.as_bytes()), find(&pb, name.as_bytes())) {
            (None, None) => {}
            (Some(x), Some(y)) if value_eq(&x, &y) => {}
            _ => return false,
        }
    }
    // Any other parameter present in both must match; one-sided ones are
    // ignored.
    pa.iter().all(|(name, value)| match find(&pb, name) {
        Some(other) => value_eq(value, &other),
        None => true,
    })
}

/// Header components must all be present in both and equal (names
/// case-insensitive, values case-sensitive after unescaping).
fn headers_equivalent(a: &SipUri, b: &SipUri) -> bool {
    a.headers.len() == b.headers.len()
        && a.headers.iter().all(|(name, value)| {
            b.headers.iter().any(|(n, v)| {
                unescape(n).eq_ignore_ascii_case(&unescape(name)) && unescape(v) == unescape(value)
            })
        })
}

pub(super) fn aor(u: &SipUri) -> String {
    let host = match &u.host {
        Host::Domain(d) => d.to_ascii_lowercase(),
        other => other.to_string(),
    };
    match u.user_unescaped() {
        Some(user) => format!("{}:{}@{}", u.scheme.as_str(), escape_user(&user), host),
        None => format!("{}:{}", u.scheme.as_str(), host),
    }
}

#[cfg(test)]
mod tests {
    use crate::uri::{SipUri, Uri};

    fn sip(s: &str) -> SipUri {
        match Uri::parse(s) {
            Ok(Uri::Sip(u)) => u,
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn rfc3261_equivalent_examples() {
        let pairs = [
            (
                "sip:%61lice@atlanta.com;transport=TCP",
                "sip:alice@AtLanTa.CoM;Transport=tcp",
            ),
            ("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5"),
            (
                "sip:carol@chicago.com;security=on",
                "sip:carol@chicago.com;newparam=5",
            ),
            (
                "sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
                "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com",
            ),
            (
                "sip:alice@atlanta.com?subject=project%20x&priority=urgent",
                "sip:alice@atlanta.com?priority=urgent&subject=project%20x",
            ),
        ];
        for (a, b) in pairs {
            assert!(sip(a).equivalent(&sip(b)), "{a} == {b}");
        }
    }

    #[test]
    fn rfc3261_not_equivalent_examples() {
        let pairs = [
            (
                "SIP:ALICE@AtLanTa.CoM;Transport=udp",
                "sip:alice@AtLanTa.CoM;Transport=UDP",
            ),
            ("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"),
            ("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp"),
            (
                "sip:bob@biloxi.com",
                "sip:bob@biloxi.com:6000;transport=tcp",
            ),
            (
                "sip:carol@chicago.com",
                "sip:carol@chicago.com?Subject=next%20meeting",
            ),
            ("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4"),
        ];
        for (a, b) in pairs {
            assert!(!sip(a).equivalent(&sip(b)), "{a} != {b}");
        }
    }

    #[test]
    fn aor_normalises_escapes_and_host_case() {
        assert_eq!(
            sip("sip:%75se%72@Example.COM:5070;lr").aor(),
            "sip:user@example.com"
        );
        assert_eq!(
            sip("sip:null-%00-null@example.com").aor(),
            "sip:null-%00-null@example.com"
        );
        assert_ne!(sip("sip:%00@h").aor(), sip("sip:%00%00@h").aor());
    }
}
