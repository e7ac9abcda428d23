//! Built-in brute-force protection: ban a source address for a while after too many failed
//! digest checks (FREESWITCH.md "what hurts" #4: FreeSWITCH needs fail2ban for this).
//!
//! Sans-IO: time is an argument. Memory is bounded: at most `max_tracked` sources are
//! remembered; when full, the source whose last failure is oldest is forgotten first, and
//! active bans are evicted only when every tracked source is banned (so a flood of spoofed
//! UDP sources cannot wash out a real ban cheaply). IPv6 sources are grouped by prefix
//! (default /64, one subscriber's LAN), since an attacker owning a /64 can rotate through
//! addresses at will. IPv4-mapped IPv6 addresses count as their IPv4 address.
//!
//! What to do with a banned source is the driver's choice, expressed by [`BanAction`]:
//! `Drop` (the default: silent, costs nothing, reveals nothing, like fail2ban's firewall
//! rule) or `Forbidden` (answer 403, friendlier to a misconfigured phone's owner reading a
//! trace). Either way the registrar is not consulted for banned sources.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::net::{IpAddr, Ipv6Addr};
use std::time::{Duration, Instant};

/// Limiter settings (per profile).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimiterConfig {
    /// Failures within `window` that start a ban (a value of 0 is treated as 1).
    pub max_failures: u32,
    /// The sliding window the failures are counted in.
    pub window: Duration,
    /// How long a ban lasts.
    pub ban_duration: Duration,
    /// Most sources remembered at once (0 is treated as 1).
    pub max_tracked: usize,
    /// IPv6 prefix length that counts as one source (clamped to 128).
    pub ipv6_prefix_len: u8,
    /// What the driver does with requests from a banned source.
    pub ban_action: BanAction,
}

impl Default for LimiterConfig {
    /// Five failures in a minute ban for ten minutes; 65 536 sources tracked.
    fn default() -> Self {
        Self {
            max_failures: 5,
            window: Duration::from_secs(60),
            ban_duration: Duration::from_secs(600),
            max_tracked: 65_536,
            ipv6_prefix_len: 64,
            ban_action: BanAction::Drop,
        }
    }
}

/// How the driver treats a request from a banned source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BanAction {
    /// Discard the datagram / ignore the message; send nothing.
    #[default]
    Drop,
    /// Answer `403 Forbidden` without consulting the registrar.
    Forbidden,
}

/// The driver's decision for one incoming request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Not banned: process normally.
    Allow,
    /// Banned: apply this action.
    Banned(BanAction),
}

/// Reported when a source crosses the failure threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BanStarted {
    /// The source as tracked (an IPv6 address masked to its prefix).
    pub source: IpAddr,
    /// When the ban ends.
    pub until: Instant,
    /// Failures counted in the window when the ban started.
    pub failures: u32,
}

/// Reported by [`AuthFailureLimiter::expire`] when a ban runs out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BanEnded {
    /// The source as tracked.
    pub source: IpAddr,
}

#[derive(Debug)]
struct Tracked {
    /// The most recent failure times, oldest first, at most `max_failures` of them.
    failures: VecDeque<Instant>,
    banned_until: Option<Instant>,
}

impl Tracked {
    fn last_failure(&self) -> Option<Instant> {
        self.failures.back().copied()
    }
}

/// Counts auth failures per source and bans noisy sources.
#[derive(Debug)]
pub struct AuthFailureLimiter {
    config: LimiterConfig,
    sources: HashMap<IpAddr, Tracked>,
    /// Unbanned sources by their last failure time: eviction and idle-purge order.
    idle_order: BTreeSet<(Instant, IpAddr)>,
    /// Banned sources by ban end.
    ban_order: BTreeSet<(Instant, IpAddr)>,
}

impl AuthFailureLimiter {
    /// Creates an empty limiter.
    pub fn new(config: LimiterConfig) -> Self {
        Self {
            config,
            sources: HashMap::new(),
            idle_order: BTreeSet::new(),
            ban_order: BTreeSet::new(),
        }
    }

    /// The settings in force.
    pub fn config(&self) -> &LimiterConfig {
        &self.config
    }

    /// Number of sources currently remembered (bounded by `max_tracked`).
    pub fn tracked(&self) -> usize {
        self.sources.len()
    }

    /// True while `ip` (or its IPv6 prefix) is banned at `now`.
    pub fn is_banned(&self, ip: IpAddr, now: Instant) -> bool {
        self.sources
            .get(&self.source_key(ip))
            .and_then(|tracked| tracked.banned_until)
            .is_some_and(|until| now < until)
    }

    /// The decision for a request from `ip` at `now`.
    pub fn admission(&self, ip: IpAddr, now: Instant) -> Admission {
        if self.is_banned(ip, now) {
            Admission::Banned(self.config.ban_action)
        } else {
            Admission::Allow
        }
    }

    /// Counts one failed digest check from `ip`; returns the ban if this one started it.
    pub fn record_failure(&mut self, ip: IpAddr, now: Instant) -> Option<BanStarted> {
        let key = self.source_key(ip);
        if self.is_banned(key, now) {
            return None;
        }
        if !self.sources.contains_key(&key) {
            self.make_room(now);
        }
        let threshold = self.config.max_failures.max(1);
        let keep = usize::try_from(threshold).unwrap_or(usize::MAX);
        let window = self.config.window;
        let ban_duration = self.config.ban_duration;
        let tracked = self.sources.entry(key).or_insert_with(|| Tracked {
            failures: VecDeque::new(),
            banned_until: None,
        });
        if let Some(until) = tracked.banned_until.take() {
            // A ban that ran out but was not yet purged: start over.
            self.ban_order.remove(&(until, key));
            tracked.failures.clear();
        }
        if let Some(previous) = tracked.last_failure() {
            self.idle_order.remove(&(previous, key));
        }
        // Sliding window: forget failures older than `window`, keep at most `threshold`.
        while tracked
            .failures
            .front()
            .is_some_and(|first| now.saturating_duration_since(*first) > window)
        {
            tracked.failures.pop_front();
        }
        if tracked.failures.len() >= keep {
            tracked.failures.pop_front();
        }
        tracked.failures.push_back(now);
        let count = u32::try_from(tracked.failures.len()).unwrap_or(u32::MAX);
        if count >= threshold {
            let until = later(now, ban_duration);
            tracked.banned_until = Some(until);
            tracked.failures.clear();
            self.ban_order.insert((until, key));
            return Some(BanStarted {
                source: key,
                until,
                failures: count,
            });
        }
        self.idle_order.insert((now, key));
        None
    }

    /// The next instant at which [`expire`](Self::expire) has work: a ban ending or a
    /// source's failures leaving the window.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let ban_end = self.ban_order.first().map(|(until, _)| *until);
        let idle_end = self
            .idle_order
            .first()
            .map(|(last, _)| later(*last, self.config.window));
        match (ban_end, idle_end) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Forgets sources whose failures left the window and lifts bans that ended,
    /// reporting each lifted ban.
    pub fn expire(&mut self, now: Instant) -> Vec<BanEnded> {
        let window = self.config.window;
        while let Some(&(last, key)) = self.idle_order.first() {
            if now.saturating_duration_since(last) <= window {
                break;
            }
            self.idle_order.remove(&(last, key));
            self.sources.remove(&key);
        }
        let mut ended = Vec::new();
        while let Some(&(until, key)) = self.ban_order.first() {
            if now < until {
                break;
            }
            self.ban_order.remove(&(until, key));
            self.sources.remove(&key);
            ended.push(BanEnded { source: key });
        }
        ended
    }

    /// Frees one slot if the table is full: purge what `now` makes stale, then evict the
    /// least recently failing unbanned source, then (only if everything is banned) the ban
    /// that ends soonest.
    fn make_room(&mut self, now: Instant) {
        let cap = self.config.max_tracked.max(1);
        if self.sources.len() < cap {
            return;
        }
        // Ended bans are reported by `expire`; here they are only dropped for space.
        let _ended = self.expire(now);
        while self.sources.len() >= cap {
            let victim = self
                .idle_order
                .pop_first()
                .or_else(|| self.ban_order.pop_first());
            match victim {
                Some((_, key)) => {
                    self.sources.remove(&key);
                }
                None => break,
            }
        }
    }

    /// The identity a source is tracked under.
    fn source_key(&self, ip: IpAddr) -> IpAddr {
        match ip.to_canonical() {
            IpAddr::V6(v6) => IpAddr::V6(mask_v6(v6, self.config.ipv6_prefix_len)),
            v4 => v4,
        }
    }
}

/// `at + span`, saturating at ten years past `at` so that a silly configured duration
/// (`Duration::MAX`) cannot overflow `Instant` and panic.
fn later(at: Instant, span: Duration) -> Instant {
    const TEN_YEARS: Duration = Duration::from_secs(10 * 365 * 86_400);
    at.checked_add(span.min(TEN_YEARS)).unwrap_or(at)
}

fn mask_v6(address: Ipv6Addr, prefix_len: u8) -> Ipv6Addr {
    let prefix_len = u32::from(prefix_len.min(128));
    let mask = u128::MAX.checked_shl(128 - prefix_len).unwrap_or(0);
    Ipv6Addr::from(u128::from(address) & mask)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_configured_durations_do_not_overflow() {
        let t0 = Instant::now();
        let mut limiter = AuthFailureLimiter::new(LimiterConfig {
            max_failures: 2,
            window: Duration::MAX,
            ban_duration: Duration::MAX,
            ..LimiterConfig::default()
        });
        let ip = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
        assert_eq!(limiter.record_failure(ip, t0), None);
        assert!(limiter.poll_timeout().is_some());
        let ban = limiter.record_failure(ip, t0 + Duration::from_secs(1_000_000));
        assert!(ban.is_some_and(|b| b.until > t0));
        assert!(limiter.is_banned(ip, t0 + Duration::from_secs(2_000_000)));
    }

    #[test]
    fn ipv6_prefix_masking() {
        let address: Ipv6Addr = "2001:db8:1:2:aaaa:bbbb:cccc:dddd"
            .parse()
            .unwrap_or(Ipv6Addr::UNSPECIFIED);
        assert_eq!(mask_v6(address, 64).to_string(), "2001:db8:1:2::");
        assert_eq!(mask_v6(address, 128), address);
        assert_eq!(mask_v6(address, 0), Ipv6Addr::UNSPECIFIED);
        assert_eq!(mask_v6(address, 200), address);
    }
}
