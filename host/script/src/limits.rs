//! Per-invocation resource limits: linear memory, tables, instances.
//!
//! Growing past a limit does not just fail the grow (which a Rust guest turns
//! into an abort that looks like any other trap): it raises [`GuestStop`] so the
//! invocation ends with the typed [`crate::ScriptError::MemoryLimit`] or
//! [`crate::ScriptError::TableLimit`].

use wasmtime::ResourceLimiter;

use crate::error::GuestStop;

/// Most core instances, tables and memories one component may create. A Rust
/// component has a handful of core instances (its module, the adapter shims);
/// interpreters compiled to components have a few more.
const MAX_INSTANCES: usize = 64;
const MAX_TABLES: usize = 64;
const MAX_MEMORIES: usize = 8;

/// The limits of one store.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GuestLimits {
    memory_bytes: u64,
    table_elements: usize,
    /// The largest linear memory granted so far (creation counts as growing
    /// from 0): what one instance of the script costs in memory.
    peak_memory_bytes: u64,
}

impl GuestLimits {
    pub(crate) fn new(memory_bytes: u64, table_elements: usize) -> Self {
        GuestLimits {
            memory_bytes,
            table_elements,
            peak_memory_bytes: 0,
        }
    }

    /// The largest linear memory granted under these limits.
    pub(crate) fn peak_memory_bytes(&self) -> u64 {
        self.peak_memory_bytes
    }

    /// Limits for a warm instance's next call: `memory_bytes` and
    /// `table_elements` from the new settings, the peak carried over.
    pub(crate) fn renewed(self, next: GuestLimits) -> GuestLimits {
        GuestLimits {
            peak_memory_bytes: self.peak_memory_bytes,
            ..next
        }
    }
}

impl ResourceLimiter for GuestLimits {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let desired = u64::try_from(desired).unwrap_or(u64::MAX);
        if desired > self.memory_bytes {
            return Err(GuestStop::Memory(self.memory_bytes).into());
        }
        self.peak_memory_bytes = self.peak_memory_bytes.max(desired);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.table_elements {
            return Err(GuestStop::Table(self.table_elements).into());
        }
        Ok(true)
    }

    fn instances(&self) -> usize {
        MAX_INSTANCES
    }

    fn tables(&self) -> usize {
        MAX_TABLES
    }

    fn memories(&self) -> usize {
        MAX_MEMORIES
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growing_past_the_limit_raises_a_typed_stop() {
        let mut limits = GuestLimits::new(1 << 20, 100);
        assert!(matches!(limits.memory_growing(0, 1 << 20, None), Ok(true)));
        assert_eq!(limits.peak_memory_bytes(), 1 << 20);
        let err = limits
            .memory_growing(1 << 20, (1 << 20) + 65_536, None)
            .unwrap_err();
        assert_eq!(
            err.downcast_ref::<GuestStop>(),
            Some(&GuestStop::Memory(1 << 20))
        );
        let err = limits.table_growing(10, 101, None).unwrap_err();
        assert_eq!(
            err.downcast_ref::<GuestStop>(),
            Some(&GuestStop::Table(100))
        );
    }
}
