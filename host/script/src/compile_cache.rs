//! An in-memory incremental compilation cache: Cranelift's compiled code per
//! function, keyed by the function's contents. A reloaded script shares most of
//! its functions with the version it replaces (its language runtime, its
//! libraries, the parts the author did not touch), so a reload compiles only what
//! changed. The on-disk cache (whole components by content hash) covers restarts.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use wasmtime::CacheStore;

/// Bounded by total bytes; when full it starts over (a later reload refills it).
#[derive(Debug)]
pub(crate) struct FunctionCache {
    capacity_bytes: usize,
    entries: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    map: HashMap<Vec<u8>, Vec<u8>>,
    bytes: usize,
}

impl FunctionCache {
    pub(crate) fn new(capacity_bytes: usize) -> Self {
        FunctionCache {
            capacity_bytes,
            entries: Mutex::new(Entries::default()),
        }
    }
}

impl CacheStore for FunctionCache {
    fn get(&self, key: &[u8]) -> Option<Cow<'_, [u8]>> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.map.get(key).map(|value| Cow::Owned(value.clone()))
    }

    fn insert(&self, key: &[u8], value: Vec<u8>) -> bool {
        let size = key.len() + value.len();
        if size > self.capacity_bytes {
            return false;
        }
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.bytes + size > self.capacity_bytes {
            entries.map.clear();
            entries.bytes = 0;
        }
        entries.bytes += size;
        if let Some(old) = entries.map.insert(key.to_vec(), value) {
            entries.bytes -= key.len() + old.len();
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_come_back_and_the_cache_stays_bounded() {
        let cache = FunctionCache::new(100);
        assert!(cache.insert(b"f1", vec![1; 40]));
        assert_eq!(cache.get(b"f1").as_deref(), Some(&[1u8; 40][..]));
        assert!(cache.insert(b"f2", vec![2; 40]));
        // A third entry would pass 100 bytes: the cache starts over.
        assert!(cache.insert(b"f3", vec![3; 40]));
        assert!(cache.get(b"f1").is_none());
        assert!(cache.get(b"f3").is_some());
        // Replacing an entry does not count it twice.
        assert!(cache.insert(b"f3", vec![4; 40]));
        assert!(cache.insert(b"f4", vec![5; 10]));
        assert!(cache.get(b"f3").is_some());
        // Larger than the whole cache: refused.
        assert!(!cache.insert(b"big", vec![0; 200]));
    }
}
