//! Deterministic fault injection. Every request draws the same number of values from one seeded
//! generator, so a given seed and request order always yield the same faults.

use crate::error::ModeledError;
use rand::{RngExt, SeedableRng, rngs::StdRng};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// What to inject, and how often. Rates are probabilities per request in `0.0..=1.0`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultConfig {
    /// Seeds the draws: the same seed and requests give the same faults.
    pub seed: u64,
    /// `ThrottlingException` (HTTP 400) before the call is applied.
    pub throttle_rate: f64,
    /// `ServiceException` (HTTP 500) before the call is applied.
    pub server_error_rate: f64,
    /// `modeled_error` before the call is applied. It shares a draw with `server_error_rate`, so
    /// the two rates must add up to at most 1.
    pub modeled_error_rate: f64,
    /// Any error the Lightsail model names (`AccessDeniedException`, `UnauthenticatedException`,
    /// `OperationFailureException`, `AccountSetupInProgressException`,
    /// `RegionSetupInProgressException`, ...), with its HTTP status.
    pub modeled_error: ModeledError,
    /// An empty HTTP 503 before the call is applied.
    pub unavailable_rate: f64,
    /// A mutating call is applied, then the connection is closed without an answer.
    pub lost_response_rate: f64,
    /// Requests that are held back by `latency_ms` before they are served.
    pub latency_rate: f64,
    /// How long those requests are held, in milliseconds.
    pub latency_ms: u64,
    /// Requests held for `stall_ms` (meant to be longer than the client's attempt timeout), half
    /// of them applied at once with only the answer late, half dropped unapplied when the stall
    /// ends: the two outcomes a client that timed out cannot tell apart.
    pub stall_rate: f64,
    /// How long a stalled request is held, in milliseconds.
    pub stall_ms: u64,
    /// New operations stay `Started` for this many GetOperation polls.
    pub operation_pending_polls: u32,
    /// New operations that end `Failed` (the change itself stays applied).
    pub operation_failure_rate: f64,
    /// Limit the rate-based faults to these operations (`CreateBucketAccessKey`, ...); empty = all.
    pub operations: Vec<String>,
    /// Faults for the next matching requests, taken in order before the rates are consulted.
    pub script: Vec<ScriptedFault>,
    /// Lightsail's own `code` member in error bodies (`DoesNotExist` for not found), which clients
    /// prefer over `__type`, as real Lightsail answers. On by default; off gives plain awsJson
    /// errors (`__type` and `message` only).
    pub lightsail_error_codes: bool,
}

impl Default for FaultConfig {
    fn default() -> Self {
        Self {
            seed: 0,
            throttle_rate: 0.0,
            server_error_rate: 0.0,
            modeled_error_rate: 0.0,
            modeled_error: ModeledError::Service,
            unavailable_rate: 0.0,
            lost_response_rate: 0.0,
            latency_rate: 0.0,
            latency_ms: 0,
            stall_rate: 0.0,
            stall_ms: 0,
            operation_pending_polls: 0,
            operation_failure_rate: 0.0,
            operations: Vec::new(),
            script: Vec::new(),
            lightsail_error_codes: true,
        }
    }
}

/// One fault for one request, taken in order from the script before any rate is drawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptedFault {
    /// The operation it applies to; `None` = the next request of any operation.
    #[serde(default)]
    pub operation: Option<String>,
    /// What happens to it.
    pub fault: Fault,
    /// Holds the request at this gate, before anything else happens to it, until the gate is
    /// opened (`POST /_lightsail-local/gates/NAME`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold: Option<String>,
}

/// What a fault does to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Fault {
    /// `ThrottlingException` (HTTP 400), unapplied.
    Throttle,
    /// `ServiceException` (HTTP 500), unapplied.
    ServerError,
    /// An empty HTTP 503, unapplied.
    Unavailable,
    /// Applied, then the connection is closed without an answer.
    LostResponse,
    /// Served after `ms` milliseconds.
    Latency {
        /// The delay.
        ms: u64,
    },
    /// Held for `ms`; `apply`: the change is made at once and the answer comes late, else the
    /// request is dropped unapplied (the connection closed) when the stall ends.
    Stall {
        /// How long it is held.
        ms: u64,
        /// Whether it is applied.
        apply: bool,
    },
    /// The operations it starts stay `Started` for `polls` GetOperation calls.
    OperationPending {
        /// How many polls.
        polls: u32,
    },
    /// The operations it starts end `Failed` (the change stays applied).
    OperationFailed,
    /// One of the model's errors, by its type name: `{"error": "AccessDeniedException"}`.
    Error(ModeledError),
    /// Served and applied, then its answer broken as said: `{"corrupt": "unknown_status"}`.
    Corrupt(Corruption),
}

/// An answer that breaks the Lightsail model the way a client must not paper over (the
/// conformance kit's cases: a host answers them as `MalformedResponse` or reads them exactly).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Corruption {
    /// Every operation's `status` is one the model does not have (`Exploded`).
    UnknownStatus,
    /// Every operation's `id`, access key's `accessKeyId` and bucket's `name` is left out.
    MissingIds,
    /// `GetBuckets` answers another bucket before the one asked for.
    OtherBucketFirst,
}

impl Corruption {
    /// Breaks `answer` (a Lightsail JSON body) as this corruption says.
    pub fn apply(self, answer: &mut serde_json::Value) {
        use serde_json::Value;
        fn each(value: &mut Value, member: &str, change: &mut dyn FnMut(&mut serde_json::Map<String, Value>)) {
            match value {
                Value::Object(object) => {
                    for (name, inner) in object.iter_mut() {
                        if name == member {
                            for item in inner.as_array_mut().into_iter().flatten() {
                                if let Value::Object(item) = item {
                                    change(item);
                                }
                            }
                            if let Value::Object(item) = inner {
                                change(item);
                            }
                        }
                    }
                    for inner in object.values_mut() {
                        each(inner, member, change);
                    }
                }
                Value::Array(items) => items.iter_mut().for_each(|item| each(item, member, change)),
                _ => {}
            }
        }
        match self {
            Self::UnknownStatus => {
                let mut status = |o: &mut serde_json::Map<String, Value>| {
                    o.insert("status".into(), "Exploded".into());
                };
                each(answer, "operations", &mut status);
                each(answer, "operation", &mut status);
            }
            Self::MissingIds => {
                each(answer, "operations", &mut |o| drop(o.remove("id")));
                each(answer, "operation", &mut |o| drop(o.remove("id")));
                each(answer, "accessKeys", &mut |o| drop(o.remove("accessKeyId")));
                each(answer, "accessKey", &mut |o| drop(o.remove("accessKeyId")));
                each(answer, "buckets", &mut |o| drop(o.remove("name")));
                each(answer, "bucket", &mut |o| drop(o.remove("name")));
            }
            Self::OtherBucketFirst => {
                if let Some(buckets) = answer.get_mut("buckets").and_then(Value::as_array_mut)
                    && let Some(Value::Object(first)) = buckets.first().cloned()
                {
                    let mut other = first;
                    let name = other.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
                    other.insert("name".into(), format!("{name}-other").into());
                    buckets.insert(0, Value::Object(other));
                }
            }
        }
    }
}

impl FaultConfig {
    /// Whether the configuration can be used: every rate a probability, the shared draws adding up
    /// to at most 1, scripted operations known; else what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        let rates = [
            ("throttle_rate", self.throttle_rate),
            ("server_error_rate", self.server_error_rate),
            ("unavailable_rate", self.unavailable_rate),
            ("lost_response_rate", self.lost_response_rate),
            ("latency_rate", self.latency_rate),
            ("stall_rate", self.stall_rate),
            ("operation_failure_rate", self.operation_failure_rate),
            ("modeled_error_rate", self.modeled_error_rate),
            ("server_error_rate + modeled_error_rate", self.server_error_rate + self.modeled_error_rate),
        ];
        for (name, rate) in rates {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("{name} must be between 0 and 1, got {rate}"));
            }
        }
        Ok(())
    }
}

/// An answer given instead of serving the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Throttle,
    ServerError,
    Unavailable,
    Modeled(ModeledError),
}

/// What happens to one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decision {
    /// Held at this gate first, until it opens.
    pub hold: Option<String>,
    pub refusal: Option<Refusal>,
    pub delay: Option<Duration>,
    pub lost_response: bool,
    /// Instead of every other fault: held, then answered late or dropped.
    pub stall: Option<Stall>,
    /// For the operation records the call creates.
    pub operation_pending_polls: u32,
    pub operation_failed: bool,
    /// The answer, once served, broken so.
    pub corrupt: Option<Corruption>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stall {
    pub duration: Duration,
    /// Applied at once (only the answer is late), or dropped unapplied when the stall ends.
    pub apply: bool,
}

pub(crate) struct FaultState {
    config: FaultConfig,
    rng: StdRng,
}

impl FaultState {
    pub fn new(config: FaultConfig) -> Self {
        let rng = StdRng::seed_from_u64(config.seed);
        Self { config, rng }
    }

    pub fn config(&self) -> &FaultConfig {
        &self.config
    }

    pub fn decide(&mut self, operation: &str, mutating: bool) -> Decision {
        // Draw all values first so the sequence does not depend on which faults apply.
        let draws: [f64; 8] = std::array::from_fn(|_| self.rng.random::<f64>());
        let mut decision =
            Decision { operation_pending_polls: self.config.operation_pending_polls, ..Decision::default() };

        let scripted = self
            .config
            .script
            .iter()
            .position(|s| s.operation.as_deref().is_none_or(|op| op == operation))
            .map(|i| self.config.script.remove(i));
        if let Some(ScriptedFault { fault, hold, .. }) = scripted {
            decision.hold = hold;
            match fault {
                Fault::Throttle => decision.refusal = Some(Refusal::Throttle),
                Fault::ServerError => decision.refusal = Some(Refusal::ServerError),
                Fault::Unavailable => decision.refusal = Some(Refusal::Unavailable),
                Fault::LostResponse => decision.lost_response = mutating,
                Fault::Latency { ms } => decision.delay = Some(Duration::from_millis(ms)),
                Fault::Stall { ms, apply } => {
                    decision.stall = Some(Stall { duration: Duration::from_millis(ms), apply })
                }
                Fault::OperationPending { polls } => decision.operation_pending_polls = polls,
                Fault::OperationFailed => decision.operation_failed = true,
                Fault::Error(error) => decision.refusal = Some(Refusal::Modeled(error)),
                Fault::Corrupt(corruption) => decision.corrupt = Some(corruption),
            }
            return decision;
        }

        let config = &self.config;
        if !config.operations.is_empty() && !config.operations.iter().any(|op| op == operation) {
            return decision;
        }
        if draws[0] < config.throttle_rate {
            decision.refusal = Some(Refusal::Throttle);
        } else if draws[1] < config.server_error_rate {
            decision.refusal = Some(Refusal::ServerError);
        } else if draws[1] < config.server_error_rate + config.modeled_error_rate {
            decision.refusal = Some(Refusal::Modeled(config.modeled_error));
        } else if draws[2] < config.unavailable_rate {
            decision.refusal = Some(Refusal::Unavailable);
        }
        if draws[3] < config.latency_rate {
            decision.delay = Some(Duration::from_millis(config.latency_ms));
        }
        decision.lost_response = mutating && draws[4] < config.lost_response_rate;
        decision.operation_failed = draws[5] < config.operation_failure_rate;
        if draws[6] < config.stall_rate {
            let stall = Stall { duration: Duration::from_millis(config.stall_ms), apply: draws[7] < 0.5 };
            decision = Decision { stall: Some(stall), ..Decision::default() };
        }
        decision
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sequence(config: &FaultConfig) -> Vec<Decision> {
        let mut state = FaultState::new(config.clone());
        (0..500).map(|i| state.decide("CreateBucketAccessKey", i % 2 == 0)).collect()
    }

    #[test]
    fn same_seed_same_faults_and_rates_roughly_hold() {
        let config = FaultConfig { seed: 7, throttle_rate: 0.2, lost_response_rate: 0.5, ..Default::default() };
        let a = sequence(&config);
        assert_eq!(a, sequence(&config));
        assert_ne!(a, sequence(&FaultConfig { seed: 8, ..config.clone() }));
        let throttled = a.iter().filter(|d| d.refusal == Some(Refusal::Throttle)).count();
        assert!((60..140).contains(&throttled), "{throttled}");
        // Only mutating calls lose their answer.
        assert!(a.iter().skip(1).step_by(2).all(|d| !d.lost_response));
    }

    #[test]
    fn script_comes_first_and_matches_by_operation() {
        let mut state = FaultState::new(FaultConfig {
            script: vec![ScriptedFault {
                operation: Some("GetOperation".into()),
                fault: Fault::Unavailable,
                hold: None,
            }],
            ..Default::default()
        });
        assert_eq!(state.decide("GetBucketAccessKeys", false).refusal, None);
        assert_eq!(state.decide("GetOperation", false).refusal, Some(Refusal::Unavailable));
        assert_eq!(state.decide("GetOperation", false).refusal, None);
    }

    #[test]
    fn a_stall_replaces_every_other_fault_and_is_applied_about_half_the_time() {
        let config = FaultConfig { seed: 3, stall_rate: 1.0, stall_ms: 9, throttle_rate: 1.0, ..Default::default() };
        let decisions = sequence(&config);
        assert!(decisions.iter().all(|d| d.refusal.is_none() && !d.lost_response));
        let applied = decisions.iter().filter(|d| d.stall.unwrap().apply).count();
        assert!((200..300).contains(&applied), "{applied}");
        assert!(decisions.iter().all(|d| d.stall.unwrap().duration == Duration::from_millis(9)));
    }

    #[test]
    fn rates_outside_zero_to_one_are_refused() {
        let config = FaultConfig { throttle_rate: 1.5, ..Default::default() };
        assert!(config.validate().unwrap_err().contains("throttle_rate"));
    }
}
