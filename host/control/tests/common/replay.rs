//! Replays a recorded ESL session through `EslSession`: client commands are fed in,
//! a fake host answers requests, recorded events and log lines are injected as queue
//! items, and everything the session writes must equal the recorded server stream.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Instant;

use witswitch_control::api::command::{FsctlCommand, SofiaCommand};
use witswitch_control::api::sofia::{self, SofiaStatusRow};
use witswitch_control::api::{
    ApiCommand, Dispatch, PureContext, StatusInfo, VersionInfo, dispatch, replies, show,
};
use witswitch_control::event::{EventTime, SharedEvent};
use witswitch_control::queue::QueueItem;
use witswitch_control::session::{EslSession, IdSource, Now, Request};

use super::{Step, event_of, log_record, split_frames, steps};

/// The recorded switch's version strings.
pub fn recorded_version() -> VersionInfo {
    VersionInfo {
        product: "FreeSWITCH".into(),
        full: "1.10.12-release+git~20240802T210227Z~a88d069d6f~64bit".into(),
        full_human: "1.10.12-release git a88d069 2024-08-02 21:02:27Z 64bit".into(),
        revision_human: "git a88d069 2024-08-02 21:02:27Z 64bit".into(),
        short: "1.10.12".into(),
    }
}

/// Ids handed out in a fixed order (the recorded Job-UUIDs).
pub fn fixed_ids(ids: &[&str]) -> Box<dyn IdSource> {
    let mut queue: VecDeque<String> = ids.iter().map(|s| s.to_string()).collect();
    Box::new(move || {
        queue
            .pop_front()
            .unwrap_or_else(|| "00000000-0000-4000-8000-000000000000".to_string())
    })
}

/// A switch with no calls: answers live commands the way an idle FreeSWITCH did.
pub struct FakeHost {
    /// Answers for live commands whose output depends on calls (`originate ...`), in
    /// the order the command is sent (the last one repeats).
    pub answers: HashMap<String, VecDeque<String>>,
    /// What `status` reports.
    pub status: Option<StatusInfo>,
    /// What `sofia status` lists.
    pub sofia_rows: Vec<SofiaStatusRow>,
    /// Rows for `show` tables, by table.
    pub show_rows: HashMap<&'static str, Vec<Vec<String>>>,
    /// Global variables.
    pub globals: BTreeMap<String, String>,
    /// Requests seen, for assertions.
    pub seen: Vec<Request>,
}

impl Default for FakeHost {
    fn default() -> Self {
        Self {
            answers: HashMap::new(),
            status: None,
            sofia_rows: Vec::new(),
            show_rows: HashMap::new(),
            globals: [("domain".to_string(), "127.0.0.1".to_string())].into(),
            seen: Vec::new(),
        }
    }
}

impl FakeHost {
    /// Adds the next answer to `line`.
    pub fn answer(&mut self, line: impl Into<String>, body: impl Into<String>) {
        self.answers
            .entry(line.into())
            .or_default()
            .push_back(body.into());
    }

    fn api(&mut self, line: &str) -> String {
        if let Some(queue) = self.answers.get_mut(line) {
            let answer = if queue.len() > 1 {
                queue.pop_front()
            } else {
                queue.front().cloned()
            };
            return answer.unwrap_or_default();
        }
        let version = recorded_version();
        let ctx = PureContext {
            version: &version,
            globals: &self.globals,
        };
        match dispatch(line, &ctx) {
            Dispatch::Done(body) => body,
            Dispatch::Live(command) => self.live(line, command),
        }
    }

    fn live(&self, line: &str, command: ApiCommand) -> String {
        match command {
            ApiCommand::Status => self
                .status
                .as_ref()
                .map(StatusInfo::status_text)
                .unwrap_or_default(),
            ApiCommand::Show(show) => {
                let key = match show.table {
                    witswitch_control::api::ShowTable::Channels => "channels",
                    witswitch_control::api::ShowTable::Calls => "calls",
                    witswitch_control::api::ShowTable::Registrations => "registrations",
                };
                show::format(
                    &show,
                    self.show_rows
                        .get(key)
                        .map(Vec::as_slice)
                        .unwrap_or_default(),
                )
            }
            ApiCommand::Fsctl(FsctlCommand::LogLevel(level)) => level.fsctl_reply(),
            ApiCommand::Hupall { cause } => replies::hupall(cause.as_deref()),
            ApiCommand::ReloadXml => replies::RELOADXML_OK.to_string(),
            ApiCommand::UuidKill { .. } => replies::NO_SUCH_CHANNEL.to_string(),
            ApiCommand::Sofia(SofiaCommand::Status) => sofia::status(&self.sofia_rows),
            other => panic!("no fake answer for live command {line:?} ({other:?})"),
        }
    }

    /// Answers every request the session has queued.
    pub fn serve(&mut self, session: &mut EslSession) {
        while let Some(request) = session.poll_request() {
            match &request {
                Request::Api { id, command } => session.complete_api(*id, &self.api(command)),
                Request::SendMsg { id, .. } => session.complete_reply(*id, "+OK"),
                Request::GetVar { id, .. } => session.complete_reply(*id, "_undef_"),
                Request::UserAuth { id, .. } => session.complete_userauth(*id, false),
                _ => {}
            }
            self.seen.push(request);
        }
    }
}

fn drain(session: &mut EslSession, out: &mut Vec<u8>) {
    while let Some(bytes) = session.poll_transmit() {
        out.extend_from_slice(&bytes);
    }
}

/// The injected clock: replays do not depend on time.
pub fn now() -> Now {
    Now {
        instant: Instant::now(),
        wall: EventTime::default(),
    }
}

/// Runs the recording `name` through `session`; returns (actual, expected) bytes.
pub fn replay(name: &str, session: &mut EslSession, host: &mut FakeHost) -> (Vec<u8>, Vec<u8>) {
    let mut actual = Vec::new();
    let mut expected = Vec::new();
    drain(session, &mut actual);
    for step in steps(name) {
        match step {
            Step::Client(bytes) => {
                session.handle_input(&bytes);
                host.serve(session);
                drain(session, &mut actual);
            }
            Step::Server(bytes) => {
                for raw in split_frames(&bytes) {
                    if raw.frame.event_format().is_some() {
                        session
                            .handle_item(QueueItem::Event(SharedEvent::new(event_of(&raw))), now());
                    } else if raw.frame.content_type() == Some("log/data") {
                        session.handle_item(
                            QueueItem::Log(std::sync::Arc::new(log_record(&raw.frame))),
                            now(),
                        );
                    }
                }
                host.serve(session);
                drain(session, &mut actual);
                expected.extend_from_slice(&bytes);
            }
        }
    }
    (actual, expected)
}

/// Compares frame by frame, for a readable failure.
pub fn assert_same_stream(name: &str, actual: &[u8], expected: &[u8]) {
    let actual_frames = split_frames(actual);
    let expected_frames = split_frames(expected);
    for (index, (got, want)) in actual_frames.iter().zip(&expected_frames).enumerate() {
        assert!(
            got.bytes == want.bytes,
            "{name}: frame {index} differs\n--- expected ---\n{}\n--- actual ---\n{}",
            String::from_utf8_lossy(&want.bytes),
            String::from_utf8_lossy(&got.bytes)
        );
    }
    assert_eq!(
        actual_frames.len(),
        expected_frames.len(),
        "{name}: frame count"
    );
    assert!(actual == expected, "{name}: streams differ");
}
