//! Injected randomness and wall-clock time: the engine never reads the
//! system clock or a global RNG.

use std::time::{Duration, Instant};

use witswitch_types::Uuid;

/// Where the engine gets channel uuids and random numbers (SDP session ids).
/// The binary backs it with the OS RNG; tests use [`SeededIds`].
pub trait IdSource: Send {
    /// A fresh random UUID for a channel.
    fn new_uuid(&mut self) -> Uuid;
    /// A random 64-bit number.
    fn random_u64(&mut self) -> u64;
}

/// A deterministic [`IdSource`] (SplitMix64): the same seed gives the same
/// uuids, so scenario tests can assert exact values.
#[derive(Debug, Clone)]
pub struct SeededIds {
    state: u64,
}

impl SeededIds {
    /// A source starting from `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }
}

impl IdSource for SeededIds {
    fn new_uuid(&mut self) -> Uuid {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.random_u64().to_be_bytes());
        bytes[8..].copy_from_slice(&self.random_u64().to_be_bytes());
        Uuid::from_random_bytes(bytes)
    }

    fn random_u64(&mut self) -> u64 {
        // SplitMix64 (Steele, Lea, Flood 2014).
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// Maps the engine's monotonic `Instant`s to wall-clock µs since the Unix
/// epoch for CDRs and events: the binary reads the system clock once, at
/// `base`, and the engine adds elapsed monotonic time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WallClock {
    base: Instant,
    base_epoch_us: u64,
}

impl WallClock {
    /// `base` corresponds to `base_epoch_us` µs since 1970-01-01 UTC.
    pub fn new(base: Instant, base_epoch_us: u64) -> Self {
        Self {
            base,
            base_epoch_us,
        }
    }

    /// µs since the Unix epoch at `now` (saturating for instants before `base`).
    pub fn epoch_us(&self, now: Instant) -> u64 {
        let elapsed = now
            .checked_duration_since(self.base)
            .unwrap_or(Duration::ZERO);
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        self.base_epoch_us.saturating_add(micros)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_ids_are_repeatable_and_distinct() {
        let mut a = SeededIds::new(7);
        let mut b = SeededIds::new(7);
        let first = a.new_uuid();
        assert_eq!(first, b.new_uuid());
        assert_ne!(first, a.new_uuid());
    }

    #[test]
    fn wall_clock_adds_elapsed_time() {
        let base = Instant::now();
        let clock = WallClock::new(base, 1_700_000_000_000_000);
        assert_eq!(
            clock.epoch_us(base + Duration::from_millis(1500)),
            1_700_000_001_500_000
        );
        assert_eq!(clock.epoch_us(base), 1_700_000_000_000_000);
    }
}
