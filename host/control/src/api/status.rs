//! `status`, `version` and `uptime` output, from numbers the host hands in.

use super::command::UptimeUnit;

/// How the switch names its version (`version` and the `status` "is ready" line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionInfo {
    /// Product name printed first (`FreeSWITCH` in the recordings, `witswitch` here).
    pub product: String,
    /// The full version (`1.10.12-release+git~20240802T210227Z~a88d069d6f~64bit`).
    pub full: String,
    /// The human form of the full version, in `status` (`1.10.12-release git a88d069 2024-08-02 21:02:27Z 64bit`).
    pub full_human: String,
    /// The human form of the revision, in `version`'s parentheses (`git a88d069 2024-08-02 21:02:27Z 64bit`).
    pub revision_human: String,
    /// `version short` (`1.10.12`).
    pub short: String,
}

impl VersionInfo {
    /// The `version` body: `<product> Version <full> (<revision_human>)\n`.
    pub fn version_text(&self) -> String {
        format!(
            "{} Version {} ({})\n",
            self.product, self.full, self.revision_human
        )
    }

    /// The `version short` body.
    pub fn short_text(&self) -> String {
        format!("{}\n", self.short)
    }
}

/// The counters `status` and HEARTBEAT report.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusInfo {
    /// Version naming.
    pub version: VersionInfo,
    /// Time since start, µs.
    pub uptime_us: u64,
    /// Whether the switch accepts calls ("is ready").
    pub ready: bool,
    /// Sessions created since start.
    pub sessions_since_startup: u64,
    /// Sessions up now.
    pub sessions_now: u64,
    /// Most sessions at once since start.
    pub sessions_peak: u64,
    /// Most sessions at once in the last 5 minutes.
    pub sessions_peak_5min: u64,
    /// Sessions created in the last second.
    pub sps_last: u64,
    /// Configured sessions-per-second limit.
    pub sps_max: u64,
    /// Highest sessions-per-second since start.
    pub sps_peak: u64,
    /// Highest sessions-per-second in the last 5 minutes.
    pub sps_peak_5min: u64,
    /// Configured maximum sessions.
    pub max_sessions: u64,
    /// Lowest idle CPU seen, percent.
    pub idle_cpu_min: f64,
    /// Idle CPU now, percent.
    pub idle_cpu_now: f64,
    /// `Current Stack Size/Max` in KiB, when known.
    pub stack_kib: Option<(u64, u64)>,
}

/// `0 years, 0 days, 0 hours, 2 minutes, 22 seconds, 986 milliseconds, 328 microseconds`
/// (years of 365 days, as FreeSWITCH counts).
pub fn uptime_text(uptime_us: u64) -> String {
    let micros = uptime_us % 1000;
    let millis = uptime_us / 1000 % 1000;
    let total_secs = uptime_us / 1_000_000;
    let secs = total_secs % 60;
    let mins = total_secs / 60 % 60;
    let hours = total_secs / 3600 % 24;
    let total_days = total_secs / 86_400;
    format!(
        "{} years, {} days, {} hours, {} minutes, {} seconds, {} milliseconds, {} microseconds",
        total_days / 365,
        total_days % 365,
        hours,
        mins,
        secs,
        millis,
        micros
    )
}

impl StatusInfo {
    /// The `status` body, line for line as FreeSWITCH 1.10 prints it (two lines end in a
    /// space before the LF, as recorded).
    pub fn status_text(&self) -> String {
        let mut text = format!("UP {}\n", uptime_text(self.uptime_us));
        let ready = if self.ready { "ready" } else { "not ready" };
        text.push_str(&format!(
            "{} (Version {}) is {}\n",
            self.version.product, self.version.full_human, ready
        ));
        text.push_str(&format!(
            "{} session(s) since startup\n",
            self.sessions_since_startup
        ));
        text.push_str(&format!(
            "{} session(s) - peak {}, last 5min {} \n",
            self.sessions_now, self.sessions_peak, self.sessions_peak_5min
        ));
        text.push_str(&format!(
            "{} session(s) per Sec out of max {}, peak {}, last 5min {} \n",
            self.sps_last, self.sps_max, self.sps_peak, self.sps_peak_5min
        ));
        text.push_str(&format!("{} session(s) max\n", self.max_sessions));
        text.push_str(&format!(
            "min idle cpu {:.2}/{:.2}\n",
            self.idle_cpu_min, self.idle_cpu_now
        ));
        if let Some((current, max)) = self.stack_kib {
            text.push_str(&format!("Current Stack Size/Max {current}K/{max}K\n"));
        }
        text
    }

    /// The `uptime` body: whole units since start, then LF.
    pub fn uptime_in(&self, unit: UptimeUnit) -> String {
        let value = match unit {
            UptimeUnit::Microseconds => self.uptime_us,
            UptimeUnit::Milliseconds => self.uptime_us / 1000,
            UptimeUnit::Seconds => self.uptime_us / 1_000_000,
            UptimeUnit::Minutes => self.uptime_us / 60_000_000,
            UptimeUnit::Hours => self.uptime_us / 3_600_000_000,
            UptimeUnit::Days => self.uptime_us / 86_400_000_000,
        };
        format!("{value}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The version the recordings were made with.
    pub(crate) fn freeswitch_1_10_12() -> VersionInfo {
        VersionInfo {
            product: "FreeSWITCH".into(),
            full: "1.10.12-release+git~20240802T210227Z~a88d069d6f~64bit".into(),
            full_human: "1.10.12-release git a88d069 2024-08-02 21:02:27Z 64bit".into(),
            revision_human: "git a88d069 2024-08-02 21:02:27Z 64bit".into(),
            short: "1.10.12".into(),
        }
    }

    #[test]
    fn uptime_breakdown() {
        assert_eq!(
            uptime_text(142_986_328),
            "0 years, 0 days, 0 hours, 2 minutes, 22 seconds, 986 milliseconds, 328 microseconds"
        );
        let long = ((366 * 86_400 + 3 * 3600) * 1_000_000) + 7;
        assert_eq!(
            uptime_text(long),
            "1 years, 1 days, 3 hours, 0 minutes, 0 seconds, 0 milliseconds, 7 microseconds"
        );
        let _ = uptime_text(u64::MAX);
    }

    #[test]
    fn version_forms() {
        let version = freeswitch_1_10_12();
        assert_eq!(
            version.version_text(),
            "FreeSWITCH Version 1.10.12-release+git~20240802T210227Z~a88d069d6f~64bit (git a88d069 2024-08-02 21:02:27Z 64bit)\n"
        );
        assert_eq!(version.short_text(), "1.10.12\n");
    }

    #[test]
    fn uptime_units() {
        let status = StatusInfo {
            version: freeswitch_1_10_12(),
            uptime_us: 90 * 60 * 1_000_000 + 5,
            ready: true,
            sessions_since_startup: 0,
            sessions_now: 0,
            sessions_peak: 0,
            sessions_peak_5min: 0,
            sps_last: 0,
            sps_max: 30,
            sps_peak: 0,
            sps_peak_5min: 0,
            max_sessions: 1000,
            idle_cpu_min: 0.0,
            idle_cpu_now: 100.0,
            stack_kib: None,
        };
        assert_eq!(status.uptime_in(UptimeUnit::Minutes), "90\n");
        assert_eq!(status.uptime_in(UptimeUnit::Hours), "1\n");
        assert_eq!(status.uptime_in(UptimeUnit::Microseconds), "5400000005\n");
    }
}
