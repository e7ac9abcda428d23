//! Header field names: case-insensitive, with canonical spellings for the
//! known ones and the compact forms of RFC 3261 §7.3.3 and later RFCs.

use std::fmt;
use std::hash::{Hash, Hasher};

macro_rules! header_names {
    ($( $(#[$doc:meta])* $variant:ident => $canonical:literal, $lower:literal, $compact:expr; )*) => {
        /// A header field name. Known names compare by variant; other names
        /// are kept as received and compare case-insensitively (RFC 3261
        /// §7.3.1: "field names are always case-insensitive").
        #[derive(Debug, Clone)]
        pub enum HeaderName {
            $( $(#[$doc])* #[doc = concat!("`", $canonical, "`")] $variant, )*
            /// Any other name, spelled as received.
            Other(String),
        }

        impl HeaderName {
            /// The canonical spelling (the received spelling for `Other`).
            pub fn as_str(&self) -> &str {
                match self {
                    $( HeaderName::$variant => $canonical, )*
                    HeaderName::Other(s) => s,
                }
            }

            /// The compact form letter, if the header has one.
            pub fn compact_form(&self) -> Option<char> {
                match self {
                    $( HeaderName::$variant => $compact, )*
                    HeaderName::Other(_) => None,
                }
            }

            /// Known names by lowercase spelling, indexed by `KNOWN_INDEX`.
            const KNOWN: &'static [(&'static str, HeaderName)] = &[
                $( ($lower, HeaderName::$variant), )*
            ];

            fn from_lowercase(lower: &[u8]) -> Option<HeaderName> {
                let mut slot = name_hash(lower);
                loop {
                    let index = *KNOWN_INDEX.get(slot)?;
                    if index == EMPTY_SLOT {
                        return None;
                    }
                    let (known, name) = Self::KNOWN.get(usize::from(index))?;
                    if known.as_bytes() == lower {
                        return Some(name.clone());
                    }
                    slot = (slot + 1) % INDEX_SLOTS;
                }
            }

            fn from_compact(c: u8) -> Option<HeaderName> {
                match c.to_ascii_lowercase() as char {
                    $( c if Some(c) == $compact => Some(HeaderName::$variant), )*
                    _ => None,
                }
            }
        }
    };
}

header_names! {
    Accept => "Accept", "accept", None;
    AcceptEncoding => "Accept-Encoding", "accept-encoding", None;
    AcceptLanguage => "Accept-Language", "accept-language", None;
    AlertInfo => "Alert-Info", "alert-info", None;
    Allow => "Allow", "allow", None;
    AllowEvents => "Allow-Events", "allow-events", Some('u');
    AuthenticationInfo => "Authentication-Info", "authentication-info", None;
    Authorization => "Authorization", "authorization", None;
    CallId => "Call-ID", "call-id", Some('i');
    CallInfo => "Call-Info", "call-info", None;
    Contact => "Contact", "contact", Some('m');
    ContentDisposition => "Content-Disposition", "content-disposition", None;
    ContentEncoding => "Content-Encoding", "content-encoding", Some('e');
    ContentLanguage => "Content-Language", "content-language", None;
    ContentLength => "Content-Length", "content-length", Some('l');
    ContentType => "Content-Type", "content-type", Some('c');
    CSeq => "CSeq", "cseq", None;
    Date => "Date", "date", None;
    ErrorInfo => "Error-Info", "error-info", None;
    Event => "Event", "event", Some('o');
    Expires => "Expires", "expires", None;
    From => "From", "from", Some('f');
    InReplyTo => "In-Reply-To", "in-reply-to", None;
    MaxForwards => "Max-Forwards", "max-forwards", None;
    MimeVersion => "MIME-Version", "mime-version", None;
    MinExpires => "Min-Expires", "min-expires", None;
    MinSe => "Min-SE", "min-se", None;
    Organization => "Organization", "organization", None;
    PAssertedIdentity => "P-Asserted-Identity", "p-asserted-identity", None;
    PPreferredIdentity => "P-Preferred-Identity", "p-preferred-identity", None;
    Path => "Path", "path", None;
    Priority => "Priority", "priority", None;
    Privacy => "Privacy", "privacy", None;
    ProxyAuthenticate => "Proxy-Authenticate", "proxy-authenticate", None;
    ProxyAuthorization => "Proxy-Authorization", "proxy-authorization", None;
    ProxyRequire => "Proxy-Require", "proxy-require", None;
    RAck => "RAck", "rack", None;
    Reason => "Reason", "reason", None;
    RecordRoute => "Record-Route", "record-route", None;
    ReferTo => "Refer-To", "refer-to", Some('r');
    ReferredBy => "Referred-By", "referred-by", Some('b');
    ReplyTo => "Reply-To", "reply-to", None;
    Require => "Require", "require", None;
    RetryAfter => "Retry-After", "retry-after", None;
    Route => "Route", "route", None;
    RSeq => "RSeq", "rseq", None;
    Server => "Server", "server", None;
    ServiceRoute => "Service-Route", "service-route", None;
    SessionExpires => "Session-Expires", "session-expires", Some('x');
    Subject => "Subject", "subject", Some('s');
    SubscriptionState => "Subscription-State", "subscription-state", None;
    Supported => "Supported", "supported", Some('k');
    Timestamp => "Timestamp", "timestamp", None;
    To => "To", "to", Some('t');
    Unsupported => "Unsupported", "unsupported", None;
    UserAgent => "User-Agent", "user-agent", None;
    Via => "Via", "via", Some('v');
    Warning => "Warning", "warning", None;
    WwwAuthenticate => "WWW-Authenticate", "www-authenticate", None;
}

/// Slots of the open-addressing table that maps lowercase names to their
/// position in `HeaderName::KNOWN`; a quarter full, so probes are short.
const INDEX_SLOTS: usize = 256;
const EMPTY_SLOT: u8 = u8::MAX;

/// Cheap hash of a lowercase name: length, first, middle and last byte.
const fn name_hash(b: &[u8]) -> usize {
    let n = b.len();
    if n == 0 {
        return 0;
    }
    (n * 31 + b[0] as usize * 7 + b[n / 2] as usize * 5 + b[n - 1] as usize * 3) % INDEX_SLOTS
}

/// Built at compile time from `HeaderName::KNOWN`.
static KNOWN_INDEX: [u8; INDEX_SLOTS] = {
    let mut table = [EMPTY_SLOT; INDEX_SLOTS];
    let mut i = 0;
    while i < HeaderName::KNOWN.len() {
        let mut slot = name_hash(HeaderName::KNOWN[i].0.as_bytes());
        while table[slot] != EMPTY_SLOT {
            slot = (slot + 1) % INDEX_SLOTS;
        }
        table[slot] = i as u8;
        i += 1;
    }
    table
};

/// Longest known name ("Authentication-Info", "P-Preferred-Identity" ...)
/// fits comfortably; longer names are never known ones.
const MAX_KNOWN_LEN: usize = 32;

impl HeaderName {
    /// Interprets a received name: compact forms and any capitalisation of a
    /// known name map to its variant; other names are kept verbatim.
    pub fn parse(name: &str) -> HeaderName {
        let bytes = name.as_bytes();
        if let [c] = bytes
            && let Some(known) = HeaderName::from_compact(*c)
        {
            return known;
        }
        if bytes.len() <= MAX_KNOWN_LEN {
            let mut buf = [0u8; MAX_KNOWN_LEN];
            let lower = &mut buf[..bytes.len()];
            lower.copy_from_slice(bytes);
            lower.make_ascii_lowercase();
            if let Some(known) = HeaderName::from_lowercase(lower) {
                return known;
            }
        }
        HeaderName::Other(name.to_owned())
    }

    /// True for headers whose values may be joined by commas on one line
    /// (RFC 3261 §7.3.1); [`Headers`] splits such lines into values on
    /// access. Authentication headers are deliberately absent: their commas
    /// separate parameters, not values.
    ///
    /// [`Headers`]: crate::message::Headers
    pub fn is_list(&self) -> bool {
        matches!(
            self,
            HeaderName::Accept
                | HeaderName::AcceptEncoding
                | HeaderName::AcceptLanguage
                | HeaderName::AlertInfo
                | HeaderName::Allow
                | HeaderName::AllowEvents
                | HeaderName::CallInfo
                | HeaderName::Contact
                | HeaderName::ContentEncoding
                | HeaderName::ContentLanguage
                | HeaderName::ErrorInfo
                | HeaderName::InReplyTo
                | HeaderName::PAssertedIdentity
                | HeaderName::PPreferredIdentity
                | HeaderName::Path
                | HeaderName::ProxyRequire
                | HeaderName::RecordRoute
                | HeaderName::Require
                | HeaderName::Route
                | HeaderName::ServiceRoute
                | HeaderName::Supported
                | HeaderName::Unsupported
                | HeaderName::Via
                | HeaderName::Warning
        )
    }
}

impl From<&str> for HeaderName {
    fn from(name: &str) -> HeaderName {
        HeaderName::parse(name)
    }
}

impl PartialEq for HeaderName {
    fn eq(&self, other: &HeaderName) -> bool {
        match (self, other) {
            (HeaderName::Other(a), HeaderName::Other(b)) => a.eq_ignore_ascii_case(b),
            (HeaderName::Other(_), _) | (_, HeaderName::Other(_)) => false,
            _ => std::mem::discriminant(self) == std::mem::discriminant(other),
        }
    }
}

impl Eq for HeaderName {}

impl Hash for HeaderName {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            HeaderName::Other(s) => {
                for b in s.bytes() {
                    state.write_u8(b.to_ascii_lowercase());
                }
            }
            known => std::mem::discriminant(known).hash(state),
        }
    }
}

impl fmt::Display for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_insensitive_and_compact_forms_map() {
        assert_eq!(HeaderName::parse("MaX-fOrWaRdS"), HeaderName::MaxForwards);
        assert_eq!(HeaderName::parse("cseq"), HeaderName::CSeq);
        for (c, full) in [
            ("i", "Call-ID"),
            ("m", "Contact"),
            ("e", "Content-Encoding"),
            ("l", "Content-Length"),
            ("c", "Content-Type"),
            ("f", "From"),
            ("k", "Supported"),
            ("s", "Subject"),
            ("t", "To"),
            ("v", "Via"),
            ("o", "Event"),
            ("u", "Allow-Events"),
            ("L", "Content-Length"),
        ] {
            assert_eq!(HeaderName::parse(c).as_str(), full, "compact {c}");
        }
        let odd = HeaderName::parse("NewFangledHeader");
        assert_eq!(odd.as_str(), "NewFangledHeader");
        assert_eq!(odd, HeaderName::parse("newfangledheader"));
        assert_ne!(odd, HeaderName::Via);
        assert_eq!(HeaderName::parse("q"), HeaderName::Other("Q".to_owned()));
    }

    #[test]
    fn every_known_name_is_found_by_the_hash_index() {
        for (lower, name) in HeaderName::KNOWN {
            assert_eq!(name.as_str().to_ascii_lowercase(), *lower);
            assert_eq!(&HeaderName::parse(name.as_str()), name);
        }
    }

    #[test]
    fn every_compact_form_round_trips() {
        for c in b'a'..=b'z' {
            if let Some(name) = HeaderName::from_compact(c) {
                assert_eq!(name.compact_form(), Some(c as char));
            }
        }
    }
}
