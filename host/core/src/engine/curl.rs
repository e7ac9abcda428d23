//! The `curl` application: the dialplan waits while the binary performs the
//! request (see [`crate::http_io`]).

use std::time::Instant;

use witswitch_types::ChannelId;

use crate::action::LogLevel;
use crate::app_io::AppResponse;
use crate::channel::Owner;
use crate::effect::Effect;
use crate::http_io::{HttpId, HttpReply, curl_variables, parse_curl};

use super::Engine;
use super::exec::Flow;
use super::ops::OpKind;

impl Engine {
    /// Sends the request out and waits for its answer.
    pub(crate) fn start_curl(&mut self, id: ChannelId, data: &str) -> Flow {
        let http = HttpId(self.alloc_id());
        let request = match parse_curl(data, http) {
            Ok(request) => request,
            Err(why) => {
                self.log(id, LogLevel::Err, why);
                return Flow::Continue;
            }
        };
        let output = request.output;
        let owner = Owner::Dialplan { var: None };
        self.set_op(id, owner, OpKind::Http(http, output), None);
        self.effects.push_back(Effect::Http {
            channel: id,
            request: Box::new(request),
        });
        Flow::Wait
    }

    pub(crate) fn http_result(
        &mut self,
        now: Instant,
        id: ChannelId,
        http: HttpId,
        result: Result<HttpReply, String>,
    ) {
        let output = match self.channels.get(&id).and_then(|c| c.op.as_ref()) {
            Some(op) => match op.kind {
                OpKind::Http(waiting, output) if waiting == http => output,
                _ => return,
            },
            None => return,
        };
        let (code, data) = curl_variables(output, &result);
        self.set_var(id, "curl_response_code", code);
        self.set_var(id, "curl_response_data", data);
        self.finish_op(now, id, Ok(AppResponse::Done));
    }
}
