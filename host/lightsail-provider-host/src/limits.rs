//! What one call may use, and the trap that ends a call that uses more. Kept apart from the engine
//! and the store, which both refer to it.

use std::time::Duration;
use wasmtime::ResourceLimiter;

/// A call broke one of the host's limits; the call ends with this as its trap.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LimitExceeded {
    /// It ran longer than [`RuntimeOptions::cpu_time_limit`](crate::RuntimeOptions::cpu_time_limit) in one call.
    #[error("the component used more than its CPU time limit of {} ms in one call", .limit.as_millis())]
    CpuTime {
        /// The limit.
        limit: Duration,
    },
    /// It tried to grow its memory past [`RuntimeOptions::max_memory_bytes`](crate::RuntimeOptions::max_memory_bytes).
    #[error("the component tried to grow its memory to {desired} bytes, beyond the host's limit of {limit} bytes")]
    Memory {
        /// The size it asked for.
        desired: usize,
        /// The limit.
        limit: usize,
    },
    /// It asked for a lock while it held one, which the contract forbids.
    #[error("the component asked for the lock {name:?} while it held another; a component holds one lock at a time")]
    SecondLock {
        /// The lock it asked for.
        name: String,
    },
}

/// Core instances one provider component may make: its module and wit-component's shims.
pub(crate) const CORE_INSTANCES_PER_COMPONENT: usize = 4;

/// What one store may use. Growing memory past the limit traps with [`LimitExceeded::Memory`]
/// (rather than failing the growth, which a Rust guest turns into an abort that says nothing).
pub(crate) struct Limits {
    max_memory: usize,
    /// The largest size a memory of the store has grown to.
    grown_to: usize,
}

impl Limits {
    pub(crate) fn new(max_memory: usize) -> Self {
        Self { max_memory, grown_to: 0 }
    }

    /// The largest size a memory of the store has grown to, in bytes.
    pub(crate) fn grown_to(&self) -> usize {
        self.grown_to
    }
}

impl ResourceLimiter for Limits {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired > self.max_memory {
            return Err(LimitExceeded::Memory { desired, limit: self.max_memory }.into());
        }
        self.grown_to = self.grown_to.max(desired);
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, _desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(true)
    }

    fn instances(&self) -> usize {
        CORE_INSTANCES_PER_COMPONENT
    }
}
