//! Faults on the wire, seen through the whole stack: what is retried, what is reconciled, and that
//! every failure says what was tried.

mod common;

use common::*;
use lightsail_local::{Fault, FaultConfig, ScriptedFault};
use lightsail_provider_host::AwsOptions;
use lightsail_provider_host::bindings::exported::ProviderError;
use std::time::Duration;

fn script(faults: &[(&str, Fault)]) -> FaultConfig {
    FaultConfig {
        script: faults
            .iter()
            .map(|(op, fault)| ScriptedFault { operation: Some(op.to_string()), fault: *fault })
            .collect(),
        ..Default::default()
    }
}

fn retrying() -> AwsOptions {
    AwsOptions { max_attempts: Some(3), initial_backoff: Some(Duration::from_millis(1)), ..Default::default() }
}

#[tokio::test]
async fn a_lost_create_answer_leaves_no_orphan_behind() {
    let s = Setup::with(FaultConfig::default(), retrying()).await;
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
    let s = Setup::with(script(&[lost, lost, lost]), retrying()).await;
    s.bucket("always-lost").await;
    match provider_error(s.provider.create(TOKEN, &inputs("always-lost"), false).await) {
        ProviderError::Api(e) => {
            assert!(e.message.contains("failed 3 times"), "{}", e.message);
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
    let s = Setup::with(faults, retrying()).await;
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
    let s = Setup::with(FaultConfig::default(), retrying()).await;
    s.bucket("full").await;
    for _ in 0..2 {
        s.provider.create(TOKEN, &inputs("full"), false).await.unwrap();
    }
    let before = s.endpoint.stats().calls_of("CreateBucketAccessKey");
    match provider_error(s.provider.create(TOKEN, &inputs("full"), false).await) {
        ProviderError::Api(e) => {
            assert_eq!(e.code, "InvalidInputException");
            assert!(!e.retryable);
            assert!(e.message.contains("1 attempt)"), "{}", e.message);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.endpoint.stats().calls_of("CreateBucketAccessKey"), before + 1, "tried once");
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
    let s = Setup::with(faults, options).await;
    match provider_error(s.provider.read(TOKEN, "example-bucket,AKIAIOSFODNN7EXAMPLE", None).await) {
        ProviderError::Api(e) => {
            assert_eq!(e.code, "Timeout");
            assert!(e.retryable);
            assert!(e.message.contains("3 attempts"), "{}", e.message);
        }
        other => panic!("{other:?}"),
    }
}
