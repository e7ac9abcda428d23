//! A map keyed by the layer's own transaction handles, hashed with one multiplication.
//!
//! Handles are sequential numbers the layer hands out, never chosen by a peer, so the
//! flooding attacks SipHash defends against do not apply; the maps whose keys come from
//! the network (branch, Call-ID, ...) keep the standard hasher.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// 2^64 / golden ratio: spreads sequential numbers over all bits (Fibonacci hashing).
const SPREAD: u64 = 0x9E37_79B9_7F4A_7C15;

/// Hasher for handle numbers.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct HandleHasher(u64);

impl Hasher for HandleHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*byte)).wrapping_mul(SPREAD);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(SPREAD);
    }
}

/// A map from transaction handles.
pub(crate) type HandleMap<K, V> = HashMap<K, V, BuildHasherDefault<HandleHasher>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn sequential_handles_spread_over_the_high_bits() {
        let build = BuildHasherDefault::<HandleHasher>::default();
        let tops: std::collections::HashSet<u64> =
            (1u64..=128).map(|n| build.hash_one(n) >> 57).collect();
        assert!(tops.len() > 64, "top 7 bits vary: {}", tops.len());
    }

    #[test]
    fn map_round_trips() {
        let mut map: HandleMap<u64, &str> = HandleMap::default();
        map.insert(7, "seven");
        map.insert(8, "eight");
        assert_eq!(map.get(&7), Some(&"seven"));
        assert_eq!(map.remove(&8), Some("eight"));
        assert_eq!(map.len(), 1);
    }
}
