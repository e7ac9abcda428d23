//! Structured auth events whose `Display` is FreeSWITCH's log text, byte for byte, so stock
//! fail2ban filters keep working (sofia_reg.c; see
//! `testdata/freeswitch-1.10.12/log/register_badpass_log_auth_failures.log`).

use std::fmt;
use std::net::IpAddr;

/// A failed digest check: a wrong password or an unknown user (indistinguishable on purpose).
///
/// `Display` renders exactly
/// `SIP auth failure (REGISTER) on sofia profile 'internal' for [1000@example.com] from ip 203.0.113.5`;
/// the binary logs it at WARNING when the profile's `log-auth-failures` is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthFailure {
    /// The request method: `REGISTER`, or `INVITE` for call authentication.
    pub method: String,
    /// The SIP profile name (`internal`).
    pub profile: String,
    /// The user part FreeSWITCH prints: the To user of the request.
    pub user: String,
    /// The domain FreeSWITCH prints: the To host of the request.
    pub domain: String,
    /// Where the request came from (the packet source, not a header).
    pub source_ip: IpAddr,
}

impl fmt::Display for AuthFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SIP auth failure ({}) on sofia profile '{}' for [{}@{}] from ip {}",
            self.method, self.profile, self.user, self.domain, self.source_ip
        )
    }
}

/// A challenge was sent (FreeSWITCH logs this too, just before a failure, at WARNING with
/// `log-auth-failures` on): `SIP auth challenge (REGISTER) on sofia profile 'internal' for
/// [1002@127.0.0.1] from ip 127.0.0.1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthChallengeNotice {
    /// The request method.
    pub method: String,
    /// The SIP profile name.
    pub profile: String,
    /// The To user of the request.
    pub user: String,
    /// The To host of the request.
    pub domain: String,
    /// The packet source address.
    pub source_ip: IpAddr,
}

impl fmt::Display for AuthChallengeNotice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SIP auth challenge ({}) on sofia profile '{}' for [{}@{}] from ip {}",
            self.method, self.profile, self.user, self.domain, self.source_ip
        )
    }
}

impl From<AuthFailure> for AuthChallengeNotice {
    /// The same subject, reported as a challenge.
    fn from(subject: AuthFailure) -> Self {
        Self {
            method: subject.method,
            profile: subject.profile,
            user: subject.user,
            domain: subject.domain,
            source_ip: subject.source_ip,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn failure_line_matches_the_design_doc_example() {
        let failure = AuthFailure {
            method: "REGISTER".to_owned(),
            profile: "internal".to_owned(),
            user: "1000".to_owned(),
            domain: "example.com".to_owned(),
            source_ip: IpAddr::V4(Ipv4Addr::new(203, 0, 113, 5)),
        };
        assert_eq!(
            failure.to_string(),
            "SIP auth failure (REGISTER) on sofia profile 'internal' for [1000@example.com] from ip 203.0.113.5"
        );
    }

    #[test]
    fn ipv6_sources_print_bare() {
        let notice = AuthChallengeNotice {
            method: "INVITE".to_owned(),
            profile: "internal".to_owned(),
            user: "1000".to_owned(),
            domain: "example.com".to_owned(),
            source_ip: "2001:db8::1"
                .parse()
                .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        };
        assert!(notice.to_string().ends_with("from ip 2001:db8::1"));
    }
}
