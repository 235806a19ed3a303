//! Locks whose poisoning is ignored.

use std::sync::{Mutex, MutexGuard};

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding a lock cannot leave these structures half-updated in a way that
    // matters more than refusing all later requests would, so poisoning is ignored.
    m.lock().unwrap_or_else(|e| e.into_inner())
}
