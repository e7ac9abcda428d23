//! Record a call while it is bridged (5002 in the example dialplan:
//! `app record_and_bridge user/1001`).
//!
//! 1. The target is the app's arguments (a dial string), else the channel
//!    variable `record_bridge_target`; without one the call ends with
//!    `NO_ROUTE_DESTINATION`.
//! 2. Sets the `RECORD_*` metadata variables FreeSWITCH writes into the file and
//!    the CDR: `RECORD_TITLE`, `RECORD_ARTIST`, `RECORD_DATE` (UTC),
//!    `RECORD_COMMENT`, `RECORD_SOFTWARE`.
//! 3. `record_session <call uuid>.wav` (both parties), then bridges.
//! 4. When the bridge ends, stops the recording and hangs up with
//!    `NORMAL_CLEARING`, or with the far end's cause when it never answered. If the
//!    caller hangs up first, every call method reports the hangup; the switch
//!    closes the recording when the channel ends, as FreeSWITCH does.

use std::time::{SystemTime, UNIX_EPOCH};

use witswitch_guest::{BridgeOutcome, Call, CallInfo, Hangup, HangupCause, app, log};

/// Where the target comes from when the app has no arguments.
const TARGET_VARIABLE: &str = "record_bridge_target";

#[app]
fn run(call: Call) -> Result<(), Hangup> {
    let info = call.info();
    let Some(target) = target(&call)? else {
        log::err("record_and_bridge: no dial string in the app arguments or record_bridge_target");
        return call.hangup(HangupCause::NoRouteDestination);
    };
    for (name, value) in metadata(&info, &target) {
        call.set_var(name, &value)?;
    }
    let path = format!("{}.wav", info.uuid);
    call.record_session(&path)?;
    let bridged = call.bridge(&target);
    // Stop in every case: after a hangup this reports the hangup too, and the
    // switch has closed the file already.
    let stopped = call.stop_record_session(&path);
    let outcome = bridged?;
    stopped?;
    match outcome {
        BridgeOutcome::Completed(_) => call.hangup(HangupCause::NormalClearing),
        BridgeOutcome::Failed(cause) => {
            log::notice(&format!("record_and_bridge: {target} not reached: {cause}"));
            call.hangup(cause)
        }
    }
}

fn target(call: &Call) -> Result<Option<String>, Hangup> {
    let args = call.app_args()?;
    let args = args.trim();
    if !args.is_empty() {
        return Ok(Some(args.to_owned()));
    }
    Ok(call
        .var(TARGET_VARIABLE)?
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty()))
}

/// The `RECORD_*` variables for this call.
fn metadata(info: &CallInfo, target: &str) -> [(&'static str, String); 5] {
    let caller = if info.caller_id_name.is_empty() {
        info.caller_id_number.clone()
    } else {
        info.caller_id_name.clone()
    };
    [
        (
            "RECORD_TITLE",
            format!("{} to {target}", info.caller_id_number),
        ),
        ("RECORD_ARTIST", caller),
        ("RECORD_DATE", utc_timestamp(SystemTime::now())),
        ("RECORD_COMMENT", format!("call {}", info.uuid)),
        ("RECORD_SOFTWARE", "witswitch record_and_bridge".to_owned()),
    ]
}

/// `YYYY-MM-DD HH:MM:SS` in UTC. Times before 1970 (a broken clock) print as
/// the epoch.
fn utc_timestamp(now: SystemTime) -> String {
    let seconds = now
        .duration_since(UNIX_EPOCH)
        .map(|since| since.as_secs())
        .unwrap_or(0);
    let days = seconds / 86_400;
    let of_day = seconds % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        of_day / 3_600,
        of_day % 3_600 / 60,
        of_day % 60
    )
}

/// The proleptic Gregorian date `days` after 1970-01-01, by counting 400-year
/// eras of 146,097 days that start on March 1st (so leap days end a year).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let shifted = days + 719_468; // days from 0000-03-01 to 1970-01-01
    let era = shifted / 146_097;
    let day_of_era = shifted % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(seconds: u64) -> String {
        utc_timestamp(UNIX_EPOCH + Duration::from_secs(seconds))
    }

    #[test]
    fn timestamps_match_known_dates() {
        assert_eq!(at(0), "1970-01-01 00:00:00");
        // 2000-02-29 12:34:56 UTC, a leap day in a century leap year.
        assert_eq!(at(951_827_696), "2000-02-29 12:34:56");
        // 2026-11-26 12:55:00 UTC.
        assert_eq!(at(1_795_697_700), "2026-11-26 12:55:00");
        // 2100-03-01 00:00:00 UTC: 2100 is not a leap year.
        assert_eq!(at(4_107_542_400), "2100-03-01 00:00:00");
    }

    #[test]
    fn metadata_names_caller_target_and_call() {
        let mut info = CallInfo::synthetic("default", "5002", "1000");
        info.caller_id_name = "Alice".to_owned();
        info.uuid = "abc".to_owned();
        let vars = metadata(&info, "user/1001");
        assert_eq!(vars[0], ("RECORD_TITLE", "1000 to user/1001".to_owned()));
        assert_eq!(vars[1], ("RECORD_ARTIST", "Alice".to_owned()));
        assert_eq!(vars[2].0, "RECORD_DATE");
        assert_eq!(vars[3], ("RECORD_COMMENT", "call abc".to_owned()));
        info.caller_id_name.clear();
        assert_eq!(metadata(&info, "x")[1].1, "1000");
    }
}
