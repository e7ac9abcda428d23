//! Typed accessors on [`Headers`]; [`Request`](crate::message::Request) and
//! [`Response`](crate::message::Response) expose the same methods.

use super::{
    CSeq, ContactList, DigestChallenge, DigestCredentials, HeaderError, NameAddr, Problem, Via,
};
use crate::message::{HeaderName, Headers};
use crate::text::{parse_decimal, trim_ws};

impl Headers {
    /// The value of a header that must appear exactly once.
    pub fn single(&self, name: &HeaderName) -> Result<&str, HeaderError> {
        let mut values = self.get_all(name);
        let first = values
            .next()
            .ok_or_else(|| HeaderError::Missing(name.clone()))?;
        match values.next() {
            Some(_) => Err(HeaderError::Multiple(name.clone())),
            None => Ok(first),
        }
    }

    /// The value of a header that may appear at most once.
    fn optional_single(&self, name: &HeaderName) -> Result<Option<&str>, HeaderError> {
        match self.single(name) {
            Ok(v) => Ok(Some(v)),
            Err(HeaderError::Missing(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The topmost Via (the one naming the previous hop).
    pub fn via_top(&self) -> Result<Via, HeaderError> {
        let value = self
            .get(&HeaderName::Via)
            .ok_or(HeaderError::Missing(HeaderName::Via))?;
        Via::parse(value).map_err(|p| p.at(HeaderName::Via))
    }

    /// Every Via, top first.
    pub fn vias(&self) -> Result<Vec<Via>, HeaderError> {
        self.get_all(&HeaderName::Via)
            .map(|v| Via::parse(v).map_err(|p| p.at(HeaderName::Via)))
            .collect()
    }

    /// Replaces the topmost Via (e.g. after adding `received`/`rport`).
    pub fn set_via_top(&mut self, via: &Via) -> Result<(), HeaderError> {
        if self.replace_first(&HeaderName::Via, via.to_string()) {
            Ok(())
        } else {
            Err(HeaderError::Missing(HeaderName::Via))
        }
    }

    /// The CSeq header.
    pub fn cseq(&self) -> Result<CSeq, HeaderError> {
        CSeq::parse(self.single(&HeaderName::CSeq)?).map_err(|p| p.at(HeaderName::CSeq))
    }

    /// The Call-ID (RFC 3261 §20.8; compared byte for byte).
    pub fn call_id(&self) -> Result<&str, HeaderError> {
        let value = self.single(&HeaderName::CallId)?;
        if value.is_empty() {
            return Err(Problem::Empty.at(HeaderName::CallId));
        }
        Ok(value)
    }

    /// The From header.
    pub fn from(&self) -> Result<NameAddr, HeaderError> {
        self.name_addr(HeaderName::From)
    }

    /// The To header.
    pub fn to(&self) -> Result<NameAddr, HeaderError> {
        self.name_addr(HeaderName::To)
    }

    fn name_addr(&self, name: HeaderName) -> Result<NameAddr, HeaderError> {
        NameAddr::parse(self.single(&name)?).map_err(|p| p.at(name))
    }

    /// Sets the tag of the To header (a UAS adding its tag, RFC 3261 §8.2.6.2).
    pub fn set_to_tag(&mut self, tag: &str) -> Result<(), HeaderError> {
        let mut to = self.to()?;
        to.set_tag(tag);
        self.set(HeaderName::To, to.to_string());
        Ok(())
    }

    /// Every address of a header holding name-addrs (Route, Record-Route,
    /// Path, P-Asserted-Identity, ...), in order.
    pub fn name_addrs(&self, name: &HeaderName) -> Result<Vec<NameAddr>, HeaderError> {
        self.get_all(name)
            .map(|v| NameAddr::parse(v).map_err(|p| p.at(name.clone())))
            .collect()
    }

    /// The Contact headers: `*` alone, or a list of addresses (empty when
    /// there is no Contact).
    pub fn contacts(&self) -> Result<ContactList, HeaderError> {
        let values: Vec<&str> = self.get_all(&HeaderName::Contact).collect();
        if values.iter().any(|v| trim_ws(v) == "*") {
            // RFC 3261 §10.2.2: '*' must be the only Contact value.
            return if values.len() == 1 {
                Ok(ContactList::Star)
            } else {
                Err(HeaderError::Multiple(HeaderName::Contact))
            };
        }
        self.name_addrs(&HeaderName::Contact)
            .map(ContactList::Addresses)
    }

    fn number<T: std::str::FromStr>(&self, name: HeaderName) -> Result<Option<T>, HeaderError> {
        match self.optional_single(&name)? {
            Some(v) => parse_decimal(trim_ws(v))
                .map(Some)
                .ok_or(Problem::Number.at(name)),
            None => Ok(None),
        }
    }

    /// The Expires header in seconds (0 to 2^32-1, RFC 3261 §20.19).
    pub fn expires(&self) -> Result<Option<u32>, HeaderError> {
        self.number(HeaderName::Expires)
    }

    /// The Min-Expires header.
    pub fn min_expires(&self) -> Result<Option<u32>, HeaderError> {
        self.number(HeaderName::MinExpires)
    }

    /// The Max-Forwards header (0 to 255, RFC 3261 §20.22).
    pub fn max_forwards(&self) -> Result<Option<u8>, HeaderError> {
        self.number(HeaderName::MaxForwards)
    }

    /// The Content-Length header. Several Content-Length headers with the
    /// same value count as one (the parser already refused differing ones).
    pub fn content_length(&self) -> Result<Option<usize>, HeaderError> {
        let mut result = None;
        for v in self.get_all(&HeaderName::ContentLength) {
            let n: usize =
                parse_decimal(trim_ws(v)).ok_or(Problem::Number.at(HeaderName::ContentLength))?;
            if result.is_some_and(|prev| prev != n) {
                return Err(HeaderError::Multiple(HeaderName::ContentLength));
            }
            result = Some(n);
        }
        Ok(result)
    }

    /// The Content-Type header value as received.
    pub fn content_type(&self) -> Option<&str> {
        self.get(&HeaderName::ContentType)
    }

    /// The Digest challenges of `WWW-Authenticate` or `Proxy-Authenticate`.
    pub fn digest_challenges(
        &self,
        name: &HeaderName,
    ) -> Result<Vec<DigestChallenge>, HeaderError> {
        self.get_all(name)
            .map(|v| DigestChallenge::parse(v).map_err(|p| p.at(name.clone())))
            .collect()
    }

    /// The Digest credentials of `Authorization` or `Proxy-Authorization`
    /// for `realm`, if the client sent some (RFC 3261 §22.4 allows one per
    /// realm). Headers with other schemes are skipped; malformed Digest
    /// headers are errors.
    pub fn digest_credentials(
        &self,
        name: &HeaderName,
        realm: &str,
    ) -> Result<Option<DigestCredentials>, HeaderError> {
        for value in self.get_all(name) {
            match DigestCredentials::parse(value) {
                Ok(c) if c.realm == realm => return Ok(Some(c)),
                Ok(_) | Err(Problem::AuthScheme(_)) => {}
                Err(p) => return Err(p.at(name.clone())),
            }
        }
        Ok(None)
    }
}
