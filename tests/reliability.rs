//! Faults on the wire, seen through the whole stack: what is retried, what is reconciled, and that
//! every failure says what was tried.

mod common;

use common::*;
use lightsail_local::{Fault, FaultConfig, ScriptedFault};
use lightsail_provider_host::ProviderError;
use lightsail_provider_host::aws::AwsOptions;
use lightsail_provider_host::{Answer, Call, CallError};
use std::collections::BTreeSet;
use std::time::Duration;

fn script(faults: &[(&str, Fault)]) -> FaultConfig {
    FaultConfig {
        script: faults
            .iter()
            .map(|(op, fault)| ScriptedFault { operation: Some(op.to_string()), fault: *fault, hold: None })
            .collect(),
        ..Default::default()
    }
}

fn retrying() -> AwsOptions {
    AwsOptions { max_attempts: Some(3), initial_backoff: Some(Duration::from_millis(1)), ..Default::default() }
}

#[tokio::test]
async fn a_lost_create_answer_leaves_no_orphan_behind() {
    let s = TestEnvironment::with(FaultConfig::default(), retrying()).await;
    s.bucket("lossy").await;
    // One key already there: with the orphan, the bucket is full, so the orphan must go first.
    let existing = s.provider.create(TOKEN, &inputs("lossy"), false).await.unwrap();
    s.endpoint.set_faults(script(&[("CreateBucketAccessKey", Fault::LostResponse)])).unwrap();

    let created = s.provider.create(TOKEN, &inputs("lossy"), false).await.unwrap();
    let mut expected =
        vec![existing.id.split_once(',').unwrap().1.to_string(), created.id.split_once(',').unwrap().1.to_string()];
    expected.sort();
    let mut keys = s.keys("lossy");
    keys.sort();
    assert_eq!(keys, expected, "exactly the recorded keys exist");
    let stats = s.endpoint.stats();
    assert_eq!(stats.faults["lost_response"], 1);
    assert_eq!(stats.calls_of("DeleteBucketAccessKey"), 1, "the orphan was deleted");
    assert_eq!(values(&created.outputs.values)["secretAccessKey"].as_str().unwrap().len(), 40);
}

#[tokio::test]
async fn answers_lost_every_time_end_in_a_clear_error_and_no_key() {
    let lost = ("CreateBucketAccessKey", Fault::LostResponse);
    let s = TestEnvironment::with(script(&[lost, lost, lost]), retrying()).await;
    s.bucket("always-lost").await;
    match provider_error(s.provider.create(TOKEN, &inputs("always-lost"), false).await) {
        ProviderError::Api(e) => {
            assert!(e.message.contains("3 attempts got no usable answer"), "{}", e.message);
            assert!(e.message.contains("were deleted"), "{}", e.message);
            assert!(e.message.contains("1 attempt"), "each try says what it was: {}", e.message);
        }
        other => panic!("{other:?}"),
    }
    assert!(s.keys("always-lost").is_empty());
}

#[tokio::test]
async fn throttling_and_5xx_are_retried_and_the_final_error_counts_attempts() {
    let faults = script(&[
        ("GetBucketAccessKeys", Fault::Throttle),
        ("GetBucketAccessKeys", Fault::ServerError),
        ("CreateBucketAccessKey", Fault::Unavailable),
    ]);
    let s = TestEnvironment::with(faults, retrying()).await;
    s.bucket("flaky").await;
    let created = s.provider.create(TOKEN, &inputs("flaky"), false).await.unwrap();
    assert_eq!(s.keys("flaky"), vec![created.id.split_once(',').unwrap().1.to_string()]);

    s.endpoint.set_faults(FaultConfig { throttle_rate: 1.0, ..Default::default() }).unwrap();
    match provider_error(s.provider.read(TOKEN, &created.id, None).await) {
        ProviderError::Api(e) => {
            assert_eq!(e.code, "ThrottlingException");
            assert!(e.message.contains("GetBucketAccessKeys, 3 attempts"), "{}", e.message);
            assert!(e.retryable);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn errors_that_cannot_improve_are_not_retried() {
    let s = TestEnvironment::with(FaultConfig::default(), retrying()).await;
    let before = s.endpoint.stats().calls_of("GetBucketAccessKeys");
    match provider_error(s.provider.create(TOKEN, &inputs("no-such-bucket"), false).await) {
        ProviderError::Api(e) => {
            assert_eq!(e.code, "DoesNotExist");
            assert!(!e.retryable);
            assert!(e.message.contains("1 attempt)"), "{}", e.message);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.endpoint.stats().calls_of("GetBucketAccessKeys"), before + 1, "tried once");
}

#[tokio::test]
async fn attempt_timeouts_are_transport_errors_that_say_so() {
    let options = AwsOptions { attempt_timeout: Some(Duration::from_millis(200)), ..retrying() };
    let faults = FaultConfig {
        latency_rate: 1.0,
        latency_ms: 1_000,
        operations: vec!["GetBucketAccessKeys".into()],
        ..Default::default()
    };
    let s = TestEnvironment::with(faults, options).await;
    match provider_error(s.provider.read(TOKEN, "example-bucket,AKIAIOSFODNN7EXAMPLE", None).await) {
        ProviderError::Api(e) => {
            assert_eq!(e.code, "Timeout");
            assert!(e.retryable);
            assert!(e.message.contains("3 attempts"), "{}", e.message);
        }
        other => panic!("{other:?}"),
    }
}

/// Retries on, and an attempt timeout that a stall outlasts.
fn impatient() -> AwsOptions {
    AwsOptions { attempt_timeout: Some(Duration::from_millis(300)), ..retrying() }
}

const STALL_MS: u64 = 1_000;

/// Keys at the endpoint against the keys the callers were given: every recorded key exists, no
/// other key does, no id twice.
fn account(s: &TestEnvironment, bucket: &str, recorded: &[String]) {
    let unique: BTreeSet<&String> = recorded.iter().collect();
    assert_eq!(unique.len(), recorded.len(), "an id was handed out twice: {recorded:?}");
    let at_endpoint: BTreeSet<String> = s.keys(bucket).into_iter().map(|key| format!("{bucket},{key}")).collect();
    let recorded: BTreeSet<String> = recorded.iter().cloned().collect();
    let deleted: Vec<_> = recorded.difference(&at_endpoint).collect();
    let orphans: Vec<_> = at_endpoint.difference(&recorded).collect();
    assert!(deleted.is_empty(), "recorded keys were deleted: {deleted:?}");
    assert!(orphans.is_empty(), "keys nobody was given: {orphans:?}");
}

/// The id of a key the caller was given, from a created or a created-but-not-ready answer.
fn recorded(result: Result<Answer, CallError>) -> Option<String> {
    match result {
        Ok(Answer::Created(created)) => Some(created.id),
        Err(CallError::Provider(ProviderError::NotReady(n))) => Some(n.id),
        Err(CallError::Provider(ProviderError::Api(e))) => {
            // A clear refusal: the two-key limit, or attempts that all went unanswered.
            assert!(
                ["AccessKeyLimit", "InvalidInputException"].contains(&e.code.as_str())
                    || e.message.contains("got no usable answer"),
                "{}: {}",
                e.code,
                e.message
            );
            None
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_on_one_bucket_keep_every_recorded_key_and_leave_no_orphan() {
    // Every kind of fault the wire can bring to a create and the checks around it, scripted so
    // that the first requests meet them whatever the order the calls arrive in.
    let every_kind = [
        ("CreateBucketAccessKey", Fault::LostResponse),
        ("CreateBucketAccessKey", Fault::Stall { ms: STALL_MS, apply: true }),
        ("CreateBucketAccessKey", Fault::Stall { ms: STALL_MS, apply: false }),
        ("GetBucketAccessKeys", Fault::Stall { ms: STALL_MS, apply: true }),
        ("CreateBucketAccessKey", Fault::Unavailable),
        ("GetBucketAccessKeys", Fault::Throttle),
        ("CreateBucketAccessKey", Fault::ServerError),
        ("DeleteBucketAccessKey", Fault::Stall { ms: STALL_MS, apply: false }),
        ("CreateBucketAccessKey", Fault::LostResponse),
        ("GetOperation", Fault::Stall { ms: STALL_MS, apply: true }),
        ("CreateBucketAccessKey", Fault::OperationFailed),
    ];
    for creates in [2, 3, 10] {
        let s = TestEnvironment::with(script(&every_kind), impatient()).await;
        s.bucket("shared").await;
        let calls = (0..creates)
            .map(|_| Call::Create { token: TOKEN.into(), inputs: inputs("shared"), preview: false })
            .collect();
        let answers = s.provider.run_batch(calls, creates).await;
        let ids: Vec<String> = answers.into_iter().filter_map(recorded).collect();
        account(&s, "shared", &ids);
        assert!(ids.len() <= 2, "the bucket holds two keys: {ids:?}");
        let faults = s.endpoint.stats().faults;
        assert!(faults.get("stall_applied").copied().unwrap_or(0) >= 1, "{faults:?}");
        assert!(faults.get("lost_response").copied().unwrap_or(0) >= 1, "{faults:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_meeting_faults_at_random_keep_the_same_account() {
    for (seed, creates) in [(1, 2), (2, 4), (3, 6), (4, 10)] {
        let faults = FaultConfig {
            seed,
            lost_response_rate: 0.3,
            stall_rate: 0.15,
            stall_ms: STALL_MS,
            throttle_rate: 0.1,
            unavailable_rate: 0.1,
            operation_failure_rate: 0.1,
            ..Default::default()
        };
        let s = TestEnvironment::with(FaultConfig::default(), impatient()).await;
        s.bucket("shared").await;
        s.endpoint.set_faults(faults).unwrap();
        // Separate tasks, as an engine's resources are: not a batch.
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..creates {
            let provider = s.provider.clone();
            tasks.spawn(async move { provider.create(TOKEN, &inputs("shared"), false).await.map(Answer::Created) });
        }
        let ids: Vec<String> = tasks.join_all().await.into_iter().filter_map(recorded).collect();
        account(&s, "shared", &ids);
    }
}
