//! Call detail records: one [`CdrRecord`] per leg at hangup, written as one
//! JSON line, and the size-based [`CdrRotation`] policy the binary applies
//! to the CDR file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use witswitch_types::HangupCause;

use crate::action::ScriptIdent;
use crate::states::CallDirection;

/// A leg's record, written when the channel reaches CS_REPORTING.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CdrRecord {
    /// The channel's uuid.
    pub uuid: String,
    /// The call's uuid (the A leg's).
    pub call_uuid: String,
    /// `inbound` / `outbound`.
    pub direction: CallDirection,
    /// The SIP profile.
    pub profile: String,
    /// `sofia/<profile>/<user>@<host>`.
    pub channel_name: String,
    /// Caller id name.
    pub caller_id_name: String,
    /// Caller id number.
    pub caller_id_number: String,
    /// The called party (To user for B legs).
    pub callee: String,
    /// The routing context.
    pub context: String,
    /// `destination_number`.
    pub destination_number: String,
    /// Where the INVITE came from / went to.
    pub network_addr: String,
    /// The authenticated user.
    pub username: Option<String>,
    /// The other leg of a bridge.
    pub other_leg_uuid: Option<String>,
    /// Creation time, µs since the epoch.
    pub created_us: u64,
    /// Answer time, µs since the epoch (`None` if never answered).
    pub answered_us: Option<u64>,
    /// Hangup time, µs since the epoch.
    pub ended_us: u64,
    /// Whole seconds from creation to hangup.
    pub duration: u64,
    /// Whole seconds from answer to hangup.
    pub billsec: u64,
    /// The hangup cause name.
    pub hangup_cause: HangupCause,
    /// Its Q.850 value.
    pub hangup_cause_q850: u8,
    /// The final SIP status of the leg (`sip_term_status`): what we sent to
    /// reject it, or what the far end answered; 200 for answered calls.
    pub sip_term_status: Option<u16>,
    /// `send_bye`, `recv_bye`, `send_refuse`, `recv_refuse`, `send_cancel`, `recv_cancel`.
    pub sip_hangup_disposition: String,
    /// The codec in use (`PCMU`).
    pub read_codec: Option<String>,
    /// Its sampling rate.
    pub read_rate: Option<u32>,
    /// Same as read: one codec per leg.
    pub write_codec: Option<String>,
    /// Its sampling rate.
    pub write_rate: Option<u32>,
    /// The dialplan script that routed the call.
    pub script: Option<ScriptIdent>,
    /// `RECORD_*` variables and the files `record_session` wrote.
    pub recording: BTreeMap<String, String>,
    /// `last_bridge_hangup_cause`, when the leg bridged.
    pub last_bridge_hangup_cause: Option<String>,
}

/// The record could not be serialized.
#[derive(Debug, thiserror::Error)]
pub enum CdrError {
    /// serde_json failed.
    #[error("cannot serialize CDR: {0}")]
    Json(#[from] serde_json::Error),
}

impl CdrRecord {
    /// The record as one JSON line, with the trailing newline.
    pub fn to_json_line(&self) -> Result<String, CdrError> {
        let mut line = serde_json::to_string(self)?;
        line.push('\n');
        Ok(line)
    }
}

/// Size-based rotation of the CDR file: when the next line would take the
/// file over `max_bytes`, `cdr.json` becomes `cdr.json.1`, `.1` becomes
/// `.2`, ..., and the oldest beyond `keep` is removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CdrRotation {
    /// Largest file size before rotating.
    pub max_bytes: u64,
    /// Rotated files kept (0: the file is simply truncated).
    pub keep: u32,
}

/// What to do to rotate: remove `remove` (if it exists), then each rename in
/// order (skipping sources that do not exist), then open the path afresh.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RotationPlan {
    /// The oldest file, dropped.
    pub remove: Option<PathBuf>,
    /// `(from, to)` renames, oldest first.
    pub renames: Vec<(PathBuf, PathBuf)>,
}

impl CdrRotation {
    /// A policy.
    pub fn new(max_bytes: u64, keep: u32) -> Self {
        Self { max_bytes, keep }
    }

    /// Whether writing `next_line` bytes to a file of `current_size` must
    /// rotate first. A single line larger than the limit goes into an empty
    /// file rather than rotating forever.
    pub fn needs_rotation(&self, current_size: u64, next_line: usize) -> bool {
        let next = u64::try_from(next_line).unwrap_or(u64::MAX);
        current_size > 0 && current_size.saturating_add(next) > self.max_bytes
    }

    /// The file operations that rotate `path`.
    pub fn plan(&self, path: &Path) -> RotationPlan {
        let numbered = |n: u32| {
            let mut name = path.as_os_str().to_owned();
            name.push(format!(".{n}"));
            PathBuf::from(name)
        };
        if self.keep == 0 {
            return RotationPlan {
                remove: Some(path.to_path_buf()),
                renames: Vec::new(),
            };
        }
        let mut renames = Vec::new();
        for n in (1..self.keep).rev() {
            renames.push((numbered(n), numbered(n + 1)));
        }
        renames.push((path.to_path_buf(), numbered(1)));
        RotationPlan {
            remove: Some(numbered(self.keep)),
            renames,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_triggers_only_past_the_limit() {
        let policy = CdrRotation::new(100, 3);
        assert!(!policy.needs_rotation(0, 500));
        assert!(!policy.needs_rotation(50, 50));
        assert!(policy.needs_rotation(50, 51));
    }

    #[test]
    fn plan_shifts_numbered_files() {
        let plan = CdrRotation::new(100, 3).plan(Path::new("/var/log/cdr.json"));
        assert_eq!(plan.remove, Some(PathBuf::from("/var/log/cdr.json.3")));
        assert_eq!(
            plan.renames,
            vec![
                (
                    PathBuf::from("/var/log/cdr.json.2"),
                    PathBuf::from("/var/log/cdr.json.3")
                ),
                (
                    PathBuf::from("/var/log/cdr.json.1"),
                    PathBuf::from("/var/log/cdr.json.2")
                ),
                (
                    PathBuf::from("/var/log/cdr.json"),
                    PathBuf::from("/var/log/cdr.json.1")
                ),
            ]
        );
        let truncate = CdrRotation::new(100, 0).plan(Path::new("cdr.json"));
        assert_eq!(truncate.remove, Some(PathBuf::from("cdr.json")));
        assert!(truncate.renames.is_empty());
    }
}
