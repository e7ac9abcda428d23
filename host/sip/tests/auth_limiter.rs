//! The auth-failure limiter: bans after N failures in a sliding window, unbans after the ban
//! time, and never remembers more than `max_tracked` sources. Virtual time throughout.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::{Duration, Instant};

use witswitch_sip::limiter::{Admission, AuthFailureLimiter, BanAction, LimiterConfig};

fn config() -> LimiterConfig {
    LimiterConfig {
        max_failures: 3,
        window: Duration::from_secs(60),
        ban_duration: Duration::from_secs(300),
        max_tracked: 4,
        ipv6_prefix_len: 64,
        ban_action: BanAction::Drop,
    }
}

fn v4(last: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(203, 0, 113, last))
}

#[test]
fn third_failure_in_window_bans_until_ban_time_passes() {
    let t0 = Instant::now();
    let mut limiter = AuthFailureLimiter::new(config());
    let ip = v4(5);
    assert_eq!(limiter.record_failure(ip, t0), None);
    assert_eq!(
        limiter.record_failure(ip, t0 + Duration::from_secs(10)),
        None
    );
    assert!(!limiter.is_banned(ip, t0 + Duration::from_secs(10)));
    let ban = limiter.record_failure(ip, t0 + Duration::from_secs(20));
    let Some(ban) = ban else {
        panic!("third failure within 60 s must ban");
    };
    assert_eq!(ban.source, ip);
    assert_eq!(ban.failures, 3);
    assert_eq!(ban.until, t0 + Duration::from_secs(320));
    assert!(limiter.is_banned(ip, t0 + Duration::from_secs(21)));
    assert_eq!(
        limiter.admission(ip, t0 + Duration::from_secs(21)),
        Admission::Banned(BanAction::Drop)
    );
    // Other sources are unaffected.
    assert_eq!(
        limiter.admission(v4(6), t0 + Duration::from_secs(21)),
        Admission::Allow
    );
    // Failures while banned neither extend nor restart the ban.
    assert_eq!(
        limiter.record_failure(ip, t0 + Duration::from_secs(100)),
        None
    );
    assert!(limiter.is_banned(ip, t0 + Duration::from_secs(319)));
    assert!(!limiter.is_banned(ip, t0 + Duration::from_secs(320)));
    assert_eq!(limiter.poll_timeout(), Some(t0 + Duration::from_secs(320)));
    let ended = limiter.expire(t0 + Duration::from_secs(320));
    assert_eq!(ended.len(), 1);
    assert_eq!(ended.first().map(|e| e.source), Some(ip));
    assert_eq!(limiter.tracked(), 0);
    // After the ban the count starts from zero.
    assert_eq!(
        limiter.record_failure(ip, t0 + Duration::from_secs(330)),
        None
    );
    assert!(!limiter.is_banned(ip, t0 + Duration::from_secs(330)));
}

#[test]
fn failures_spread_wider_than_the_window_never_ban() {
    let t0 = Instant::now();
    let mut limiter = AuthFailureLimiter::new(config());
    let ip = v4(7);
    for step in 0..10u64 {
        // One failure every 31 s: at most two inside any 60 s window.
        let at = t0 + Duration::from_secs(31 * step);
        assert_eq!(limiter.record_failure(ip, at), None, "step {step}");
        assert!(!limiter.is_banned(ip, at));
    }
}

#[test]
fn idle_sources_are_forgotten_after_the_window() {
    let t0 = Instant::now();
    let mut limiter = AuthFailureLimiter::new(config());
    assert_eq!(limiter.record_failure(v4(1), t0), None);
    assert_eq!(
        limiter.record_failure(v4(2), t0 + Duration::from_secs(30)),
        None
    );
    assert_eq!(limiter.poll_timeout(), Some(t0 + Duration::from_secs(60)));
    assert!(limiter.expire(t0 + Duration::from_secs(61)).is_empty());
    assert_eq!(limiter.tracked(), 1);
    assert!(limiter.expire(t0 + Duration::from_secs(91)).is_empty());
    assert_eq!(limiter.tracked(), 0);
    assert_eq!(limiter.poll_timeout(), None);
}

#[test]
fn memory_is_bounded_and_bans_outlive_a_spoofed_flood() {
    let t0 = Instant::now();
    let mut limiter = AuthFailureLimiter::new(config());
    let attacker = v4(66);
    for second in 0..3 {
        let _ = limiter.record_failure(attacker, t0 + Duration::from_secs(second));
    }
    assert!(limiter.is_banned(attacker, t0 + Duration::from_secs(3)));
    // A flood of one failure each from 1000 distinct (maybe spoofed) sources.
    for n in 0..1000u32 {
        let ip = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n));
        let _ = limiter.record_failure(ip, t0 + Duration::from_secs(4));
        assert!(limiter.tracked() <= 4);
    }
    assert_eq!(limiter.tracked(), 4);
    assert!(limiter.is_banned(attacker, t0 + Duration::from_secs(5)));
    // The oldest unbanned sources went first: the latest three flood sources remain.
    assert!(limiter.is_banned(attacker, t0 + Duration::from_secs(5)));
    let _ = limiter.record_failure(
        IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + 999)),
        t0 + Duration::from_secs(5),
    );
    let _ = limiter.record_failure(
        IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + 999)),
        t0 + Duration::from_secs(6),
    );
    assert!(limiter.is_banned(
        IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + 999)),
        t0 + Duration::from_secs(6)
    ));
}

#[test]
fn when_every_slot_is_banned_the_soonest_ending_ban_is_evicted() {
    let t0 = Instant::now();
    let mut limiter = AuthFailureLimiter::new(config());
    for n in 1..=4u8 {
        for k in 0..3u64 {
            let _ = limiter.record_failure(v4(n), t0 + Duration::from_secs(u64::from(n) * 10 + k));
        }
        assert!(limiter.is_banned(v4(n), t0 + Duration::from_secs(u64::from(n) * 10 + 3)));
    }
    let now = t0 + Duration::from_secs(60);
    let _ = limiter.record_failure(v4(5), now);
    assert_eq!(limiter.tracked(), 4);
    assert!(
        !limiter.is_banned(v4(1), now),
        "earliest-ending ban evicted"
    );
    for n in 2..=4u8 {
        assert!(limiter.is_banned(v4(n), now));
    }
}

#[test]
fn ipv6_sources_share_a_ban_per_64_and_mapped_v4_is_v4() {
    let t0 = Instant::now();
    let mut limiter = AuthFailureLimiter::new(config());
    let addresses: Vec<IpAddr> = ["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff::3"]
        .iter()
        .filter_map(|text| text.parse::<Ipv6Addr>().ok())
        .map(IpAddr::V6)
        .collect();
    assert_eq!(addresses.len(), 3);
    let mut started = None;
    for ip in &addresses {
        started = limiter.record_failure(*ip, t0).or(started);
    }
    assert!(
        started.is_some(),
        "three addresses in one /64 count as one source"
    );
    let neighbour: IpAddr = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 1, 2, 9, 9, 9, 9));
    assert!(limiter.is_banned(neighbour, t0));
    let other_lan: IpAddr = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 1, 3, 0, 0, 0, 1));
    assert!(!limiter.is_banned(other_lan, t0));

    let mapped = IpAddr::V6(Ipv4Addr::new(198, 51, 100, 7).to_ipv6_mapped());
    for _ in 0..3 {
        let _ = limiter.record_failure(mapped, t0);
    }
    assert!(limiter.is_banned(IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7)), t0));
}

#[test]
fn forbidden_action_is_reported_when_configured() {
    let t0 = Instant::now();
    let mut limiter = AuthFailureLimiter::new(LimiterConfig {
        max_failures: 1,
        ban_action: BanAction::Forbidden,
        ..config()
    });
    assert!(limiter.record_failure(v4(9), t0).is_some());
    assert_eq!(
        limiter.admission(v4(9), t0),
        Admission::Banned(BanAction::Forbidden)
    );
}
