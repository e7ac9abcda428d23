//! Command handling: one method per ESL command, replies as mod_event_socket words them
//! (recorded texts in `esl/*.txt`; see ESL.md's table).

use super::{EslSession, Linger, PendingKind, Phase, Request};
use crate::api::LogLevel;
use crate::event::{Event, EventFormat, names};
use crate::session::sendmsg::{CallCommand, packet_headers};
use crate::wire::{Packet, frames};

/// Commands an outbound socket without `full` may use.
const SINGLE_CHANNEL_COMMANDS: &[&str] = &[
    "exit",
    "auth",
    "filter",
    "resume",
    "connect",
    "getvar",
    "myevents",
    "divert_events",
    "sendmsg",
    "linger",
    "nolinger",
    "event",
    "nixevent",
    "noevents",
    "log",
    "nolog",
];

impl EslSession {
    pub(super) fn handle_packet(&mut self, packet: Packet) {
        let Some(first) = packet.lines.first().cloned() else {
            return;
        };
        let (word, rest) = first.split_once(' ').unwrap_or((first.as_str(), ""));
        let word = word.to_ascii_lowercase();
        let rest = rest.trim();
        if word == "exit" {
            self.reply("+OK bye");
            self.send(frames::disconnect_notice());
            self.phase = Phase::Closed;
            return;
        }
        if self.phase == Phase::Unauthenticated {
            self.unauthenticated(&word, rest);
            return;
        }
        let restricted = self.outbound.as_ref().is_some_and(|o| !o.full);
        if restricted && !SINGLE_CHANNEL_COMMANDS.contains(&word.as_str()) {
            self.reply("-ERR command not found");
            return;
        }
        self.dispatch(&word, rest, &packet);
    }

    fn dispatch(&mut self, word: &str, rest: &str, packet: &Packet) {
        match word {
            "api" => self.api(rest),
            "bgapi" => self.bgapi(rest, packet),
            "event" => self.event(rest),
            "nixevent" => self.nixevent(rest),
            "noevents" => self.noevents(),
            "myevents" => self.myevents(rest),
            "filter" => self.filter(rest),
            "sendmsg" => self.sendmsg(rest, packet),
            "sendevent" => self.sendevent(rest, packet),
            "log" => self.log(rest),
            "nolog" => self.nolog(),
            "linger" => self.linger(rest),
            "nolinger" => self.nolinger(),
            "connect" => self.connect(),
            "getvar" => self.getvar(rest),
            "resume" => self.resume(),
            "divert_events" => self.divert_events(rest),
            _ => self.reply("-ERR command not found"),
        }
    }

    fn unauthenticated(&mut self, word: &str, rest: &str) {
        match word {
            "auth" => {
                let accepted = rest == self.config.password;
                self.finish_auth(accepted);
            }
            "userauth" => {
                let parsed = rest.split_once(':').and_then(|(who, password)| {
                    let (user, domain) = who.split_once('@')?;
                    Some((user.to_string(), domain.to_string(), password.to_string()))
                });
                match parsed {
                    Some((user, domain, password)) => {
                        let id = self.defer(PendingKind::UserAuth);
                        self.requests.push_back(Request::UserAuth {
                            id,
                            user,
                            domain,
                            password,
                        });
                    }
                    None => self.finish_auth(false),
                }
            }
            _ => self.reply("-ERR command not found"),
        }
    }

    fn api(&mut self, command: &str) {
        if command.is_empty() {
            self.send(frames::api_response("-ERR no command specified\n"));
            return;
        }
        let id = self.defer(PendingKind::Api);
        self.requests.push_back(Request::Api {
            id,
            command: command.to_string(),
        });
    }

    fn bgapi(&mut self, command: &str, packet: &Packet) {
        if command.is_empty() {
            self.reply("-ERR no command specified");
            return;
        }
        let job_uuid = match packet.header("Job-UUID").filter(|j| !j.is_empty()) {
            Some(job) => job.to_string(),
            None => self.ids.next_uuid(),
        };
        self.send(frames::command_reply_with(
            &format!("+OK Job-UUID: {job_uuid}"),
            &[("Job-UUID", &job_uuid)],
        ));
        if self.subscription.only_bound() {
            self.subscription.remember_job(&job_uuid);
            self.subscription_changed();
        }
        self.requests.push_back(Request::BgApi {
            job_uuid,
            command: command.to_string(),
        });
    }

    fn event(&mut self, rest: &str) {
        let mut words: Vec<&str> = rest.split_whitespace().collect();
        let format = match Self::event_format_word(words.first().copied()) {
            Some(format) => {
                words.remove(0);
                format
            }
            None => EventFormat::Plain,
        };
        if self.subscription.enable(format, &words) == 0 {
            self.reply("-ERR no keywords supplied");
            return;
        }
        self.reply(&format!("+OK event listener enabled {}", format.as_str()));
        self.subscription_changed();
    }

    fn nixevent(&mut self, rest: &str) {
        let words: Vec<&str> = rest.split_whitespace().collect();
        if self.subscription.nix(&words) == 0 {
            self.reply("-ERR no keywords supplied");
            return;
        }
        self.reply("+OK events nixed");
        self.subscription_changed();
    }

    fn noevents(&mut self) {
        if self.subscription.stop() {
            self.reply("+OK no longer listening for events");
            self.subscription_changed();
        } else {
            self.reply("-ERR not listening for events");
        }
    }

    fn myevents(&mut self, rest: &str) {
        let mut words = rest.split_whitespace();
        let first = words.next();
        let (uuid, format_word) = match Self::event_format_word(first) {
            Some(_) => (None, first),
            None => (first, words.next()),
        };
        let format = Self::event_format_word(format_word).unwrap_or_default();
        let uuid = uuid
            .map(str::to_string)
            .or_else(|| self.subscription.bound_uuid().map(str::to_string));
        let Some(uuid) = uuid else {
            self.reply("-ERR invalid uuid");
            return;
        };
        self.subscription.my_events(&uuid, format);
        self.reply("+OK Events Enabled");
        self.subscription_changed();
    }

    fn filter(&mut self, rest: &str) {
        let (header, value) = rest
            .split_once(' ')
            .map_or((rest, ""), |(h, v)| (h, v.trim()));
        if header.eq_ignore_ascii_case("delete") && !value.is_empty() {
            let (target, target_value) = value
                .split_once(' ')
                .map_or((value, None), |(h, v)| (h, Some(v.trim())));
            if target.eq_ignore_ascii_case("all") {
                self.subscription.delete_all_filters();
            } else {
                self.subscription.delete_filter(target, target_value);
            }
            self.reply(&format!(
                "+OK filter deleted. [{target}][{}]",
                target_value.unwrap_or("")
            ));
            self.subscription_changed();
            return;
        }
        if header.is_empty() {
            self.reply("-ERR invalid syntax");
            return;
        }
        match self.subscription.add_filter(header, value) {
            Ok(()) => {
                self.reply(&format!("+OK filter added. [{header}]=[{value}]"));
                self.subscription_changed();
            }
            Err(error) => self.reply(&error.to_string()),
        }
    }

    fn sendmsg(&mut self, rest: &str, packet: &Packet) {
        let uuid = match rest.split_whitespace().next() {
            Some(uuid) => uuid.to_string(),
            None => match self.subscription.bound_uuid() {
                Some(uuid) => uuid.to_string(),
                None => {
                    self.reply("-ERR invalid session id []");
                    return;
                }
            },
        };
        match CallCommand::from_packet(packet) {
            Ok(command) => {
                let id = self.defer(PendingKind::Reply);
                self.requests
                    .push_back(Request::SendMsg { id, uuid, command });
            }
            Err(error) => self.reply(&error.to_string()),
        }
    }

    fn sendevent(&mut self, rest: &str, packet: &Packet) {
        let given = rest.split_whitespace().next().unwrap_or(names::CUSTOM);
        let name = names::canonical(given).map_or_else(|| given.to_string(), str::to_string);
        let mut event = Event::named(&name);
        let headers = packet_headers(packet);
        for (header, value) in &headers {
            if !header.eq_ignore_ascii_case("Content-Length")
                && !header.eq_ignore_ascii_case("Event-Name")
            {
                event.add_header(header.clone(), value.clone());
            }
        }
        if let (Some(subclass), true) =
            (event.subclass().map(str::to_string), name == names::CUSTOM)
        {
            // FreeSWITCH's order for CUSTOM: the subclass first.
            event.remove_header("Event-Subclass");
            event.insert_headers(0, [("Event-Subclass".to_string(), subclass)]);
        }
        let event_uuid = self.ids.next_uuid();
        event.add_header("Event-UUID", event_uuid.clone());
        event.set_body(
            packet
                .body
                .as_deref()
                .map(|b| String::from_utf8_lossy(b).into_owned()),
        );
        let target_uuid = event.header("Unique-ID").map(str::to_string);
        self.requests
            .push_back(Request::SendEvent { event, target_uuid });
        self.reply(&format!("+OK {event_uuid}"));
    }

    fn log(&mut self, rest: &str) {
        let level_word = rest.split_whitespace().next().unwrap_or("");
        let level = if level_word.is_empty() {
            Some(LogLevel::Debug)
        } else {
            LogLevel::parse(level_word)
        };
        match level {
            Some(level) => {
                self.log_level = Some(level);
                self.reply(&format!("+OK log level {level_word} [{}]", level.number()));
                self.requests.push_back(Request::LogLevel(Some(level)));
            }
            None => self.reply("-ERR invalid log level"),
        }
    }

    fn nolog(&mut self) {
        if self.log_level.take().is_some() {
            self.reply("+OK no longer logging");
            self.requests.push_back(Request::LogLevel(None));
        } else {
            // Sic: FreeSWITCH's spelling, kept for clients that compare it.
            self.reply("-ERR not loging");
        }
    }

    fn linger(&mut self, rest: &str) {
        if self.subscription.bound_uuid().is_none() {
            self.reply("-ERR not controlling a session");
            return;
        }
        match rest.split_whitespace().next().map(str::parse::<u32>) {
            Some(Ok(secs)) => {
                self.linger = Linger::On(Some(secs));
                self.reply(&format!("+OK will linger {secs} seconds"));
            }
            _ => {
                self.linger = Linger::On(None);
                self.reply("+OK will linger");
            }
        }
    }

    fn nolinger(&mut self) {
        if self.subscription.bound_uuid().is_none() {
            self.reply("-ERR not controlling a session");
            return;
        }
        self.linger = Linger::Off;
        self.reply("+OK will not linger");
    }

    /// Outbound `connect`: the channel data, url-encoded like a plain event, with the
    /// reply headers appended to the same header block.
    fn connect(&mut self) {
        let Some(outbound) = &self.outbound else {
            self.reply("-ERR command not found");
            return;
        };
        let mut event = outbound.channel_data.clone();
        event.set_body(None);
        event.add_header("Content-Type", "command/reply");
        event.add_header("Reply-Text", "+OK\n");
        event.add_header(
            "Socket-Mode",
            if outbound.async_mode {
                "async"
            } else {
                "static"
            },
        );
        event.add_header(
            "Control",
            if outbound.full {
                "full"
            } else {
                "single-channel"
            },
        );
        self.send(crate::event::serialize::to_plain(&event));
    }

    fn getvar(&mut self, rest: &str) {
        let Some(uuid) = self.subscription.bound_uuid().map(str::to_string) else {
            self.reply("-ERR not controlling a session");
            return;
        };
        let name = rest.split_whitespace().next().unwrap_or("").to_string();
        let id = self.defer(PendingKind::Reply);
        self.requests.push_back(Request::GetVar { id, uuid, name });
    }

    fn resume(&mut self) {
        if self.outbound.is_none() {
            self.reply("-ERR not controlling a session");
            return;
        }
        self.resumed = true;
        self.requests.push_back(Request::Resume);
        self.reply("+OK");
    }

    fn divert_events(&mut self, rest: &str) {
        if self.subscription.bound_uuid().is_none() {
            self.reply("-ERR not controlling a session.");
            return;
        }
        match rest.split_whitespace().next() {
            None => self.reply("-ERR missing value."),
            Some(word) => {
                let on = word.eq_ignore_ascii_case("on");
                self.requests.push_back(Request::DivertEvents(on));
                self.reply(if on {
                    "+OK events diverted"
                } else {
                    "+OK events not diverted"
                });
            }
        }
    }
}
