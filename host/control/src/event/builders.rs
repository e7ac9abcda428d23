//! Builders for the non-channel events the control plane itself produces:
//! BACKGROUND_JOB (the result of `bgapi`), HEARTBEAT, and witswitch's loss notice.

use super::{CallSite, Event, EventFactory, EventTime, names};
use crate::api::status::{StatusInfo, uptime_text};

/// BACKGROUND_JOB: `Job-UUID`, `Job-Command`, `Job-Command-Arg` (only with arguments,
/// as recorded for `bgapi status`), body = the command's output.
pub fn background_job(
    factory: &EventFactory,
    time: EventTime,
    site: CallSite,
    job_uuid: &str,
    command: &str,
    args: &str,
    output: String,
) -> Event {
    let mut event = factory.create(names::BACKGROUND_JOB, time, site);
    event.add_header("Job-UUID", job_uuid);
    event.add_header("Job-Command", command);
    if !args.is_empty() {
        event.add_header("Job-Command-Arg", args);
    }
    event.set_body(Some(output));
    event
}

/// HEARTBEAT with the switch's counters (the `status` numbers), FreeSWITCH's header set.
pub fn heartbeat(
    factory: &EventFactory,
    time: EventTime,
    site: CallSite,
    status: &StatusInfo,
) -> Event {
    let mut event = factory.create("HEARTBEAT", time, site);
    let ready = if status.ready {
        "System Ready"
    } else {
        "System Not Ready"
    };
    let headers = [
        ("Event-Info", ready.to_string()),
        ("Up-Time", uptime_text(status.uptime_us)),
        ("FreeSWITCH-Version", status.version.full.clone()),
        ("Uptime-msec", (status.uptime_us / 1000).to_string()),
        ("Session-Count", status.sessions_now.to_string()),
        ("Max-Sessions", status.max_sessions.to_string()),
        ("Session-Per-Sec", status.sps_max.to_string()),
        ("Session-Per-Sec-Last", status.sps_last.to_string()),
        ("Session-Per-Sec-Max", status.sps_peak.to_string()),
        ("Session-Per-Sec-FiveMin", status.sps_peak_5min.to_string()),
        (
            "Session-Since-Startup",
            status.sessions_since_startup.to_string(),
        ),
        ("Session-Peak-Max", status.sessions_peak.to_string()),
        (
            "Session-Peak-FiveMin",
            status.sessions_peak_5min.to_string(),
        ),
        ("Idle-CPU", format!("{:.6}", status.idle_cpu_now)),
    ];
    for (name, value) in headers {
        event.add_header(name, value);
    }
    event
}

/// witswitch's explicit loss notice for a slow subscriber: CUSTOM
/// `witswitch::event_loss` with `Events-Lost` (since the last notice) and
/// `Events-Lost-Total` (since the subscriber connected).
pub fn event_loss(
    factory: &EventFactory,
    time: EventTime,
    site: CallSite,
    lost: u64,
    lost_total: u64,
) -> Event {
    let mut event = factory.create_custom(names::EVENT_LOSS_SUBCLASS, time, site);
    event.add_header("Events-Lost", lost.to_string());
    event.add_header("Events-Lost-Total", lost_total.to_string());
    event
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call_site;
    use crate::event::CoreIdentity;

    fn factory() -> EventFactory {
        EventFactory::new(CoreIdentity {
            core_uuid: "core".into(),
            hostname: "vm".into(),
            switchname: "vm".into(),
            ipv4: "192.0.2.2".into(),
            ipv6: "fd00::2".into(),
        })
    }

    #[test]
    fn background_job_omits_empty_arguments() {
        let event = background_job(
            &factory(),
            EventTime::default(),
            call_site!("api_exec"),
            "j",
            "status",
            "",
            "UP\n".into(),
        );
        assert_eq!(event.header("Job-Command-Arg"), None);
        assert_eq!(event.body(), Some("UP\n"));
        let event = background_job(
            &factory(),
            EventTime::default(),
            call_site!("api_exec"),
            "j",
            "originate",
            "a b",
            String::new(),
        );
        assert_eq!(event.header("Job-Command-Arg"), Some("a b"));
    }

    #[test]
    fn loss_notice_is_custom_with_counters() {
        let event = event_loss(&factory(), EventTime::default(), call_site!("queue"), 5, 12);
        assert_eq!(event.name(), "CUSTOM");
        assert_eq!(event.subclass(), Some("witswitch::event_loss"));
        assert_eq!(event.header("Events-Lost"), Some("5"));
        assert_eq!(event.header("Events-Lost-Total"), Some("12"));
    }
}
