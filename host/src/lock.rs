//! The `lock` import: named locks shared by every call this process runs, on any runtime and any
//! instance, so that the component's "one create at a time on a bucket's keys" holds however many
//! engines, batches or providers share the process.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, Weak};
use tokio::sync::OwnedMutexGuard;

/// The locks someone holds or waits for, by name. An entry lives as long as its lock is in use.
static LOCKS: LazyLock<Mutex<HashMap<String, Weak<tokio::sync::Mutex<()>>>>> = LazyLock::new(Default::default);

/// A held lock (the WIT `guard` resource). Dropping it releases the lock.
pub struct Guard {
    name: String,
    held: Option<OwnedMutexGuard<()>>,
}

/// Waits until nobody else holds `name`, then takes it. Waiters are served in turn.
pub async fn acquire(name: &str) -> Guard {
    let lock = {
        let mut locks = locks();
        match locks.get(name).and_then(Weak::upgrade) {
            Some(lock) => lock,
            None => {
                let lock = Arc::new(tokio::sync::Mutex::new(()));
                locks.insert(name.to_string(), Arc::downgrade(&lock));
                lock
            }
        }
    };
    Guard { name: name.to_string(), held: Some(lock.lock_owned().await) }
}

impl Drop for Guard {
    fn drop(&mut self) {
        drop(self.held.take());
        // Forget the entry once nobody holds or awaits the lock: every upgrade happens under the
        // map's mutex, so a count of zero seen here stays zero.
        let mut locks = locks();
        if locks.get(&self.name).is_some_and(|lock| lock.strong_count() == 0) {
            locks.remove(&self.name);
        }
    }
}

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guard").field("name", &self.name).finish()
    }
}

fn locks() -> std::sync::MutexGuard<'static, HashMap<String, Weak<tokio::sync::Mutex<()>>>> {
    LOCKS.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn one_holder_per_name_and_entries_go_with_their_last_user() {
        let first = acquire("test/a").await;
        let other = acquire("test/b").await;
        let waiting = tokio::spawn(async { acquire("test/a").await });
        // Not a timing assertion: whatever the machine's speed, the waiter cannot finish while
        // `first` is held.
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting.is_finished(), "a second holder got test/a");
        drop(first);
        let second = waiting.await.unwrap();
        drop((second, other));
        let names = locks();
        assert!(!names.contains_key("test/a") && !names.contains_key("test/b"), "entries are forgotten");
    }
}
