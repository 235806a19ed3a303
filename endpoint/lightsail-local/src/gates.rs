//! Gates: a scripted fault may hold its request at a named gate until a client of the control
//! route opens it. What other clients do while a request waits there is then placed by the test,
//! not left to timing (a second create landing while the first one's answer is still to come).

use crate::sync::lock;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use tokio::sync::Notify;

/// A gate as the control route reports it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct GateState {
    /// Requests waiting at the gate now.
    pub held: u32,
    /// Once open, a gate lets every request through, those waiting and those to come.
    pub open: bool,
}

#[derive(Default)]
pub(crate) struct Gates {
    gates: Mutex<HashMap<String, GateState>>,
    opened: Notify,
}

impl Gates {
    /// Waits until the gate `name` is open. A request whose client goes away meanwhile is dropped
    /// with its future, unapplied, and no longer counts as held.
    pub async fn pass(&self, name: &str) {
        struct Held<'a>(&'a Gates, &'a str);
        impl Drop for Held<'_> {
            fn drop(&mut self) {
                if let Some(gate) = lock(&self.0.gates).get_mut(self.1) {
                    gate.held -= 1;
                }
            }
        }
        lock(&self.gates).entry(name.to_string()).or_default().held += 1;
        let _held = Held(self, name);
        loop {
            // Registered before the check, so an opening between the two is not missed.
            let opened = self.opened.notified();
            tokio::pin!(opened);
            opened.as_mut().enable();
            if lock(&self.gates).get(name).is_some_and(|gate| gate.open) {
                return;
            }
            opened.await;
        }
    }

    pub fn open(&self, name: &str) {
        lock(&self.gates).entry(name.to_string()).or_default().open = true;
        self.opened.notify_waiters();
    }

    pub fn states(&self) -> BTreeMap<String, GateState> {
        lock(&self.gates).iter().map(|(name, state)| (name.clone(), *state)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Duration;

    #[tokio::test]
    async fn a_request_waits_at_its_gate_until_it_opens() {
        let gates = Arc::new(Gates::default());
        let waiting = tokio::spawn({
            let gates = gates.clone();
            async move { gates.pass("a").await }
        });
        while gates.states().get("a").map(|g| g.held) != Some(1) {
            tokio::task::yield_now().await;
        }
        // A request given up while it waits (its client gone) no longer counts as held.
        assert!(tokio::time::timeout(Duration::from_millis(1), gates.pass("b")).await.is_err());
        assert_eq!(gates.states()["b"], GateState { held: 0, open: false });
        assert!(!waiting.is_finished());
        gates.open("a");
        waiting.await.unwrap();
        assert_eq!(gates.states()["a"], GateState { held: 0, open: true });
        gates.pass("a").await;
    }
}
