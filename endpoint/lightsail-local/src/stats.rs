//! What the endpoint has seen: requests, calls per operation, faults injected.

use crate::faults::{Decision, Refusal};
use crate::sync::lock;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Mutex;

/// Counters of what the endpoint has seen, for tests and the control route.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Every HTTP request, control routes excepted.
    pub http_requests: u64,
    /// Requests refused before dispatch (framing, size, authentication).
    pub rejected: u64,
    /// Authenticated calls per operation, whatever their outcome: Lightsail's (`CreateBucketAccessKey`)
    /// and the S3 side's (`PutObject`; an unsigned S3 request is an anonymous call).
    pub calls: BTreeMap<String, u64>,
    /// Faults injected, per kind.
    pub faults: BTreeMap<String, u64>,
}

impl Stats {
    /// Requests of this operation (`CreateBucketAccessKey`, `PutObject`) it answered.
    pub fn calls_of(&self, operation: &str) -> u64 {
        self.calls.get(operation).copied().unwrap_or(0)
    }

    /// Requests it answered, of every operation.
    pub fn total_calls(&self) -> u64 {
        self.calls.values().sum()
    }
}

/// Adds the faults a request met to the counters.
pub(crate) fn count_faults(stats: &Mutex<Stats>, decision: &Decision, mutating: bool) {
    let mut kinds = Vec::new();
    match decision.refusal {
        Some(Refusal::Throttle) => kinds.push("throttle"),
        Some(Refusal::ServerError) => kinds.push("server_error"),
        Some(Refusal::Unavailable) => kinds.push("unavailable"),
        Some(Refusal::Modeled(_)) => kinds.push("modeled_error"),
        None => {}
    }
    if decision.delay.is_some() {
        kinds.push("latency");
    }
    match decision.stall {
        Some(stall) if stall.apply => kinds.push("stall_applied"),
        Some(_) => kinds.push("stall_unapplied"),
        None => {}
    }
    if decision.lost_response && decision.refusal.is_none() {
        kinds.push("lost_response");
    }
    // Only mutating calls create operation records.
    if mutating && decision.refusal.is_none() {
        if decision.operation_failed {
            kinds.push("operation_failed");
        }
        if decision.operation_pending_polls > 0 {
            kinds.push("operation_pending");
        }
    }
    if !kinds.is_empty() {
        let mut stats = lock(stats);
        for kind in kinds {
            *stats.faults.entry(kind.to_string()).or_default() += 1;
        }
    }
}
