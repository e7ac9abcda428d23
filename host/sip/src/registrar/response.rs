//! Building the registrar's responses (RFC 3261 §10.3, §21).

use std::time::Instant;

use crate::auth::Challenge;
use crate::message::{HeaderName, Request, Response};

use super::binding::Binding;
use super::tag::ToTagMinter;

/// Response-building context shared by every answer to one REGISTER.
pub(crate) struct Responder<'a> {
    pub(crate) request: &'a Request,
    pub(crate) tags: &'a ToTagMinter,
    /// Headers the profile adds to every response (User-Agent, Allow, Supported, ...).
    pub(crate) extra: &'a [(HeaderName, String)],
    /// Whether the request's To already has a tag, when the To header is known to parse;
    /// `None` means "not checked yet" (the 400 path).
    pub(crate) to_has_tag: Option<bool>,
}

impl Responder<'_> {
    /// A response copying Via/From/To/Call-ID/CSeq, with our To tag (§8.2.6.2) unless the
    /// request already had one, then the profile's extra headers.
    pub(crate) fn base(&self, status: u16, reason: &str) -> Response {
        let mut response = Response::for_request(self.request, status, reason);
        match self.to_has_tag {
            Some(true) => {}
            Some(false) => {
                // The To header parsed and has no tag: appending `;tag=` to its text is
                // exact for both name-addr and addr-spec forms (a parameter after an
                // addr-spec belongs to the header, RFC 3261 §20), and avoids a re-parse.
                let tagged = response
                    .headers
                    .get(&HeaderName::To)
                    .map(|to| format!("{to};tag={}", self.tags.tag_for(self.request)));
                if let Some(tagged) = tagged {
                    response.headers.replace_first(&HeaderName::To, tagged);
                }
            }
            None => {
                let has_tag = response
                    .headers
                    .to()
                    .ok()
                    .is_some_and(|to| to.tag().is_some());
                if !has_tag {
                    // A To header too broken to re-tag is left as received (400 path).
                    let _untagged = response
                        .headers
                        .set_to_tag(&self.tags.tag_for(self.request));
                }
            }
        }
        response
    }

    fn finish(&self, mut response: Response) -> Response {
        for (name, value) in self.extra {
            response.headers.push(name.clone(), value.clone());
        }
        response
    }

    /// 401 with one WWW-Authenticate per challenge (RFC 3261 §22.2).
    pub(crate) fn unauthorized(&self, challenges: &[Challenge]) -> Response {
        let mut response = self.finish(self.base(401, "Unauthorized"));
        for challenge in challenges {
            response
                .headers
                .push(HeaderName::WwwAuthenticate, challenge.to_string());
        }
        response
    }

    /// A final response with no extra headers of its own.
    pub(crate) fn plain(&self, status: u16, reason: &str) -> Response {
        self.finish(self.base(status, reason))
    }

    /// 423 Interval Too Brief with Min-Expires (RFC 3261 §10.3 step 7, §21.4.17).
    pub(crate) fn interval_too_brief(&self, min_expires: u32) -> Response {
        let mut response = self.base(423, "Interval Too Brief");
        response
            .headers
            .push(HeaderName::MinExpires, min_expires.to_string());
        self.finish(response)
    }

    /// 200 OK listing every current binding with its remaining time (§10.3 step 8).
    pub(crate) fn ok<'b>(
        &self,
        now: Instant,
        bindings: impl Iterator<Item = &'b Binding>,
    ) -> Response {
        let mut response = self.base(200, "OK");
        for binding in bindings {
            response
                .headers
                .push(HeaderName::Contact, binding.contact_with_expires(now));
        }
        self.finish(response)
    }
}
