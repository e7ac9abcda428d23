//! The headers every event carries after `Event-Name` (ESL.md "Events"): the switch's
//! identity, the event time in three forms, where it was fired, and a sequence number.

use std::sync::atomic::{AtomicU64, Ordering};

use super::{Event, names};

/// Who the switch is, as printed in every event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreIdentity {
    /// `Core-UUID`: one per process run.
    pub core_uuid: String,
    /// `FreeSWITCH-Hostname`.
    pub hostname: String,
    /// `FreeSWITCH-Switchname` (usually the hostname).
    pub switchname: String,
    /// `FreeSWITCH-IPv4`.
    pub ipv4: String,
    /// `FreeSWITCH-IPv6`.
    pub ipv6: String,
}

/// A wall-clock instant handed in by the caller (protocol cores never read the clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EventTime {
    /// Microseconds since the Unix epoch (`Event-Date-Timestamp`).
    pub epoch_us: i64,
    /// The local zone's offset from UTC in seconds, for `Event-Date-Local`.
    pub utc_offset_secs: i32,
}

impl EventTime {
    /// `Event-Date-Local`: `YYYY-MM-DD HH:MM:SS` in the local zone.
    pub fn local(&self) -> String {
        let secs = self.epoch_us.div_euclid(1_000_000) + i64::from(self.utc_offset_secs);
        let civil = Civil::from_epoch_secs(secs);
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            civil.year, civil.month, civil.day, civil.hour, civil.minute, civil.second
        )
    }

    /// `Event-Date-GMT`: RFC 822 style, `Thu, 26 Nov 2026 12:18:54 GMT`.
    pub fn gmt(&self) -> String {
        let civil = Civil::from_epoch_secs(self.epoch_us.div_euclid(1_000_000));
        format!(
            "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
            WEEKDAYS[civil.weekday],
            civil.day,
            MONTHS[civil.month as usize - 1],
            civil.year,
            civil.hour,
            civil.minute,
            civil.second
        )
    }
}

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A broken-down UTC (or offset) time.
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    /// 0 = Sunday.
    weekday: usize,
}

impl Civil {
    /// Days-to-civil conversion over the proleptic Gregorian calendar, computed in
    /// 400-year eras so that any i64 second count maps without overflow or panic.
    fn from_epoch_secs(secs: i64) -> Self {
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Self {
            year,
            // Bounded by the arithmetic above: month 1..=12, day 1..=31, rem < 86400.
            month: month as u32,
            day: day as u32,
            hour: (rem / 3600) as u32,
            minute: (rem % 3600 / 60) as u32,
            second: (rem % 60) as u32,
            weekday: (days + 4).rem_euclid(7) as usize,
        }
    }
}

/// Formats `epoch_us` as `YYYY-MM-DD HH:MM:SS` with an offset (the `created` column of
/// `show channels`).
pub fn local_datetime(epoch_us: i64, utc_offset_secs: i32) -> String {
    EventTime {
        epoch_us,
        utc_offset_secs,
    }
    .local()
}

/// Where an event was fired: `Event-Calling-File`, `-Function`, `-Line-Number`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallSite {
    /// Source file.
    pub file: &'static str,
    /// Function name.
    pub function: &'static str,
    /// Line number.
    pub line: u32,
}

/// Expands to a [`CallSite`] for the current file and line, naming `$function`.
#[macro_export]
macro_rules! call_site {
    ($function:expr) => {
        $crate::event::CallSite {
            file: file!(),
            function: $function,
            line: line!(),
        }
    };
}

/// Creates events with the core headers and a process-wide `Event-Sequence`.
/// Share one per switch (it is `Sync`); the sequence is an atomic counter it owns.
#[derive(Debug)]
pub struct EventFactory {
    core: CoreIdentity,
    sequence: AtomicU64,
}

impl EventFactory {
    /// A factory whose first event gets sequence 1.
    pub fn new(core: CoreIdentity) -> Self {
        Self {
            core,
            sequence: AtomicU64::new(1),
        }
    }

    /// A factory whose next event gets sequence `next` (a restart continuing a count,
    /// or a test reproducing a recording).
    pub fn starting_at(core: CoreIdentity, next: u64) -> Self {
        Self {
            core,
            sequence: AtomicU64::new(next),
        }
    }

    /// The identity printed in every event.
    pub fn core(&self) -> &CoreIdentity {
        &self.core
    }

    /// Takes the next `Event-Sequence` number.
    pub fn next_sequence(&self) -> u64 {
        self.sequence.fetch_add(1, Ordering::Relaxed)
    }

    /// A new event `name` with the core headers.
    pub fn create(&self, name: &str, time: EventTime, site: CallSite) -> Event {
        let mut event = Event::named(name);
        self.stamp(&mut event, time, site);
        event
    }

    /// A new CUSTOM event of `subclass` with the core headers.
    pub fn create_custom(&self, subclass: &str, time: EventTime, site: CallSite) -> Event {
        let mut event = Event::custom(subclass);
        self.stamp(&mut event, time, site);
        event
    }

    /// Inserts the core headers right after `Event-Name` (adding `Event-Name: CUSTOM`
    /// first when it is missing), as for an event a client sent with `sendevent`.
    pub fn stamp(&self, event: &mut Event, time: EventTime, site: CallSite) {
        let position = match event
            .headers()
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case("Event-Name"))
        {
            Some(index) => index + 1,
            None => {
                event.insert_headers(0, [("Event-Name".to_string(), names::CUSTOM.to_string())]);
                1
            }
        };
        let core = &self.core;
        let headers = [
            ("Core-UUID", core.core_uuid.clone()),
            ("FreeSWITCH-Hostname", core.hostname.clone()),
            ("FreeSWITCH-Switchname", core.switchname.clone()),
            ("FreeSWITCH-IPv4", core.ipv4.clone()),
            ("FreeSWITCH-IPv6", core.ipv6.clone()),
            ("Event-Date-Local", time.local()),
            ("Event-Date-GMT", time.gmt()),
            ("Event-Date-Timestamp", time.epoch_us.to_string()),
            ("Event-Calling-File", site.file.to_string()),
            ("Event-Calling-Function", site.function.to_string()),
            ("Event-Calling-Line-Number", site.line.to_string()),
            ("Event-Sequence", self.next_sequence().to_string()),
        ];
        event.insert_headers(
            position,
            headers.into_iter().map(|(n, v)| (n.to_string(), v)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_match_the_recorded_forms() {
        // Event-Date-Timestamp 1795695534283285 was printed as these in filter_nixevent_noevents.
        let time = EventTime {
            epoch_us: 1_795_695_534_283_285,
            utc_offset_secs: 0,
        };
        assert_eq!(time.local(), "2026-11-26 12:18:54");
        assert_eq!(time.gmt(), "Thu, 26 Nov 2026 12:18:54 GMT");
        let shifted = EventTime {
            utc_offset_secs: -3600,
            ..time
        };
        assert_eq!(shifted.local(), "2026-11-26 11:18:54");
    }

    #[test]
    fn calendar_edges() {
        assert_eq!(local_datetime(0, 0), "1970-01-01 00:00:00");
        assert_eq!(
            EventTime {
                epoch_us: 0,
                utc_offset_secs: 0
            }
            .gmt(),
            "Thu, 01 Jan 1970 00:00:00 GMT"
        );
        assert_eq!(
            local_datetime(951_782_400_000_000, 0),
            "2000-02-29 00:00:00"
        );
        assert_eq!(local_datetime(-1_000_000, 0), "1969-12-31 23:59:59");
        // Extreme values must not panic.
        let _ = local_datetime(i64::MAX, i32::MAX);
        let _ = EventTime {
            epoch_us: i64::MIN,
            utc_offset_secs: i32::MIN,
        }
        .gmt();
    }

    #[test]
    fn factory_stamps_core_headers_after_the_name() {
        let factory = EventFactory::new(CoreIdentity {
            core_uuid: "c".into(),
            hostname: "vm".into(),
            switchname: "vm".into(),
            ipv4: "192.0.2.2".into(),
            ipv6: "fd00::2".into(),
        });
        let site = call_site!("test");
        let first = factory.create_custom("sofia::register", EventTime::default(), site);
        let names: Vec<&str> = first.headers().iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(&names[..3], ["Event-Subclass", "Event-Name", "Core-UUID"]);
        assert_eq!(first.header("Event-Sequence"), Some("1"));
        let mut client = Event::from_parts(vec![("X".into(), "1".into())], None);
        factory.stamp(&mut client, EventTime::default(), site);
        assert_eq!(client.name(), "CUSTOM");
        assert_eq!(client.header("Event-Sequence"), Some("2"));
        assert_eq!(client.headers().last().map(|(n, _)| n.as_str()), Some("X"));
    }
}
