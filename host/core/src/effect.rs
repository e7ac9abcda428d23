//! What the engine asks its driver to do, drained with
//! [`Engine::poll_effect`](crate::Engine::poll_effect).

use witswitch_types::ChannelId;

use crate::action::LogLevel;
use crate::app_io::{AppError, AppResponse, RequestId};
use crate::call_info::CallInfo;
use crate::cdr::CdrRecord;
use crate::events::ChannelEvent;
use crate::http_io::HttpRequest;
use crate::media_io::MediaCommand;
use crate::sip_io::SipCommand;

/// Names one `user/` location lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LookupId(pub u64);

/// One output of the engine.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// A SIP action on a channel's dialog, on `profile`.
    Sip {
        /// The channel.
        channel: ChannelId,
        /// The profile whose UA owns the dialog.
        profile: String,
        /// What to do.
        command: SipCommand,
    },
    /// A media engine command.
    Media(MediaCommand),
    /// Run the context's dialplan; answer with
    /// [`Engine::handle_route_result`](crate::Engine::handle_route_result).
    Route {
        /// The channel.
        channel: ChannelId,
        /// What the dialplan sees (context and destination included).
        call_info: Box<CallInfo>,
    },
    /// Start the `app` component `name` on the channel; report its end with
    /// [`Engine::handle_app_finished`](crate::Engine::handle_app_finished).
    RunApp {
        /// The channel.
        channel: ChannelId,
        /// The app script.
        name: String,
        /// Its arguments (also in the `app_args` variable).
        args: String,
        /// The call as the app sees it.
        call_info: Box<CallInfo>,
    },
    /// The reply to an app request.
    AppReply {
        /// The channel.
        channel: ChannelId,
        /// The request answered.
        request: RequestId,
        /// The result.
        result: Result<AppResponse, AppError>,
    },
    /// Find the registered contacts of a directory user; answer with
    /// [`Engine::handle_locate_result`](crate::Engine::handle_locate_result).
    Locate {
        /// The lookup.
        lookup: LookupId,
        /// The user id.
        user: String,
        /// The domain, when the dial string named one.
        domain: Option<String>,
    },
    /// Perform the `curl` application's request (with the switch's timeout and
    /// size cap, one log line); answer with
    /// [`Engine::handle_http_result`](crate::Engine::handle_http_result).
    Http {
        /// The channel whose dialplan waits.
        channel: ChannelId,
        /// The request.
        request: Box<HttpRequest>,
    },
    /// A finished leg's record (write the JSON line).
    Cdr(Box<CdrRecord>),
    /// A channel event.
    Event(Box<ChannelEvent>),
    /// A log line about a channel (`log` action, unknown applications,
    /// failed scripts).
    Log {
        /// The channel, when there is one.
        channel: Option<ChannelId>,
        /// Its uuid (for the log prefix).
        uuid: String,
        /// Severity.
        level: LogLevel,
        /// Text.
        message: String,
    },
    /// The outcome of an API originate ([`Engine::originate`](crate::Engine::originate)):
    /// the answered channel's uuid, or the cause every leg failed with.
    Originated {
        /// The job named by the driver.
        job: crate::engine::OriginateJob,
        /// `Ok(uuid)` / `Err(cause)`.
        result: Result<String, witswitch_types::HangupCause>,
    },
    /// The `socket` application: connect to the application server, hand it the
    /// channel data on `connect`, report the end with
    /// [`Engine::socket_ended`](crate::Engine::socket_ended).
    Socket {
        /// The channel.
        channel: ChannelId,
        /// Where to connect and how.
        target: crate::engine::SocketTarget,
        /// CHANNEL_DATA: the channel's snapshot and variables now.
        data: Box<ChannelEvent>,
    },
    /// The channel is gone: the driver drops its dialog mapping.
    Destroyed {
        /// The channel.
        channel: ChannelId,
    },
}
