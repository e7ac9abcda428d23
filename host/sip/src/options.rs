//! Answering OPTIONS (RFC 3261 §11.2): 200 OK with what this switch can do.

use crate::message::{HeaderName, Request, Response};

/// What an OPTIONS answer advertises; the driver fills it from the profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    /// Methods for `Allow` (RFC 3261 §20.5).
    pub allow: Vec<String>,
    /// Body types for `Accept` (RFC 3261 §20.1); `application/sdp` for a switch.
    pub accept: Vec<String>,
    /// Option tags for `Supported` (RFC 3261 §20.37).
    pub supported: Vec<String>,
}

impl Default for Capabilities {
    /// What witswitch implements: the FreeSWITCH method list minus what it does not do yet,
    /// SDP bodies, and no option tags.
    fn default() -> Self {
        let methods = [
            "INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "INFO", "REGISTER",
        ];
        Self {
            allow: methods.iter().map(|m| (*m).to_owned()).collect(),
            accept: vec!["application/sdp".to_owned()],
            supported: Vec::new(),
        }
    }
}

/// The 200 OK to an out-of-dialog OPTIONS: Via/From/To/Call-ID/CSeq copied, `to_tag` added
/// to the To header (RFC 3261 §8.2.6.2; the driver can take one from
/// [`ToTagMinter`](crate::registrar::ToTagMinter)) unless the request had one (in-dialog),
/// then Allow, Accept and Supported. An empty list still prints its header once (`Supported:`
/// with no tags is legal, §20.37, and tells the peer "none" rather than "unknown").
pub fn options_response(request: &Request, capabilities: &Capabilities, to_tag: &str) -> Response {
    let mut response = Response::for_request(request, 200, "OK");
    let has_tag = response
        .headers
        .to()
        .ok()
        .is_some_and(|to| to.tag().is_some());
    if !has_tag {
        // An unparsable To is echoed untouched; the message parser normally rejects those.
        let _untagged = response.headers.set_to_tag(to_tag);
    }
    // One header field per element: the message model keeps list headers split
    // (`Headers` invariant), so the answer compares equal to its own re-parse.
    push_list(&mut response, HeaderName::Allow, &capabilities.allow);
    push_list(&mut response, HeaderName::Accept, &capabilities.accept);
    push_list(
        &mut response,
        HeaderName::Supported,
        &capabilities.supported,
    );
    response
}

fn push_list(response: &mut Response, name: HeaderName, values: &[String]) {
    if values.is_empty() {
        response.headers.push(name, "");
        return;
    }
    for value in values {
        response.headers.push(name.clone(), value.clone());
    }
}
