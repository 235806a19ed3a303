//! Fault injection, seen through the real SDK: each kind of fault, scripted or by rate,
//! set at start or changed while running (library handle and control route).

mod common;

use aws_sdk_lightsail::types::OperationStatus;
use common::*;
use lightsail_local::{Config, Fault, FaultConfig, LocalEndpoint, ScriptedFault};
use std::time::{Duration, Instant};

fn script(operation: &str, fault: Fault) -> FaultConfig {
    FaultConfig {
        script: vec![ScriptedFault { operation: Some(operation.into()), fault, hold: None }],
        ..Default::default()
    }
}

#[tokio::test]
async fn refusals_come_before_the_call_is_applied() {
    let endpoint = endpoint().await;
    let client = client(&endpoint, "us-east-1");
    create_bucket(&client, "faulty").await;
    for (fault, expect_code, status) in [
        (Fault::Throttle, Some("ThrottlingException"), 400),
        (Fault::ServerError, Some("ServiceException"), 500),
        (Fault::Unavailable, None, 503),
    ] {
        endpoint.set_faults(script("CreateBucketAccessKey", fault)).unwrap();
        let err = client.create_bucket_access_key().bucket_name("faulty").send().await.unwrap_err();
        assert_eq!(code(&err).as_deref(), expect_code, "{fault:?}");
        assert_eq!(err.raw_response().unwrap().status().as_u16(), status);
        assert_eq!(endpoint.inspect(|s| s.access_key_ids("us-east-1", "faulty")).unwrap().len(), 0);
    }
    let faults = endpoint.stats().faults;
    assert_eq!((faults["throttle"], faults["server_error"], faults["unavailable"]), (1, 1, 1));
}

#[tokio::test]
async fn the_sdk_retries_through_transient_faults() {
    let endpoint = endpoint().await;
    let conf = sdk_config(&endpoint.url(), "us-east-1", endpoint.credentials()).retry_config(
        aws_sdk_lightsail::config::retry::RetryConfig::standard()
            .with_max_attempts(3)
            .with_initial_backoff(Duration::from_millis(1)),
    );
    let client = aws_sdk_lightsail::Client::from_conf(conf.build());
    endpoint
        .set_faults(FaultConfig {
            script: vec![
                ScriptedFault { operation: None, fault: Fault::Throttle, hold: None },
                ScriptedFault { operation: None, fault: Fault::Unavailable, hold: None },
            ],
            ..Default::default()
        })
        .unwrap();
    client.get_buckets().send().await.unwrap();
    assert_eq!(endpoint.stats().calls_of("GetBuckets"), 3);
}

#[tokio::test]
async fn a_lost_response_still_applies_the_change() {
    let endpoint = endpoint().await;
    let client = client(&endpoint, "us-east-1");
    create_bucket(&client, "lossy").await;
    endpoint.set_faults(script("CreateBucketAccessKey", Fault::LostResponse)).unwrap();
    let err = client.create_bucket_access_key().bucket_name("lossy").send().await.unwrap_err();
    assert!(err.raw_response().is_none(), "no answer at all: {err:?}");
    let keys = endpoint.inspect(|s| s.access_key_ids("us-east-1", "lossy")).unwrap();
    assert_eq!(keys.len(), 1, "the key exists though its creator never heard of it");
    assert_eq!(endpoint.stats().faults["lost_response"], 1);
    // Reads do not lose answers: the fault only applies to mutations.
    endpoint.set_faults(script("GetBucketAccessKeys", Fault::LostResponse)).unwrap();
    assert_eq!(client.get_bucket_access_keys().bucket_name("lossy").send().await.unwrap().access_keys().len(), 1);
}

#[tokio::test]
async fn operations_can_stay_started_then_succeed_or_fail() {
    let endpoint = endpoint().await;
    let client = client(&endpoint, "us-east-1");
    create_bucket(&client, "slow-ops").await;
    for (fail, end) in [(false, OperationStatus::Succeeded), (true, OperationStatus::Failed)] {
        endpoint
            .set_faults(FaultConfig {
                operation_pending_polls: 2,
                operation_failure_rate: if fail { 1.0 } else { 0.0 },
                ..Default::default()
            })
            .unwrap();
        let created = client.create_bucket_access_key().bucket_name("slow-ops").send().await.unwrap();
        let op = &created.operations()[0];
        assert_eq!(op.status(), Some(&OperationStatus::Started));
        assert_eq!(op.is_terminal(), Some(false));
        let mut seen = Vec::new();
        for _ in 0..3 {
            let polled = client.get_operation().operation_id(op.id().unwrap()).send().await.unwrap();
            seen.push(polled.operation().unwrap().status().cloned().unwrap());
        }
        assert_eq!(seen, vec![OperationStatus::Started, OperationStatus::Started, end.clone()]);
        let last = client.get_operation().operation_id(op.id().unwrap()).send().await.unwrap();
        let last = last.operation().unwrap();
        assert_eq!(last.is_terminal(), Some(true));
        assert_eq!(last.error_code().is_some(), fail);
    }
}

#[tokio::test]
async fn latency_holds_requests_back() {
    let endpoint = endpoint().await;
    let client = client(&endpoint, "us-east-1");
    endpoint.set_faults(script("GetBuckets", Fault::Latency { ms: 300 })).unwrap();
    let start = Instant::now();
    client.get_buckets().send().await.unwrap();
    // A lower bound only: the delay is a sleep the endpoint must have taken.
    assert!(start.elapsed() >= Duration::from_millis(300));
    assert_eq!(endpoint.stats().faults["latency"], 1);
}

#[tokio::test]
async fn a_stall_outlasts_the_attempt_timeout_applied_or_not() {
    let endpoint = endpoint().await;
    let timeouts = aws_sdk_lightsail::config::timeout::TimeoutConfig::builder()
        .operation_attempt_timeout(Duration::from_millis(100))
        .build();
    let conf = sdk_config(&endpoint.url(), "us-east-1", endpoint.credentials()).timeout_config(timeouts);
    let client = aws_sdk_lightsail::Client::from_conf(conf.build());
    create_bucket(&client, "stalled").await;
    let keys = || endpoint.inspect(|s| s.access_key_ids("us-east-1", "stalled")).unwrap();

    endpoint.set_faults(script("CreateBucketAccessKey", Fault::Stall { ms: 400, apply: true })).unwrap();
    let err = client.create_bucket_access_key().bucket_name("stalled").send().await.unwrap_err();
    assert!(matches!(err, aws_sdk_lightsail::error::SdkError::TimeoutError(_)), "{err:?}");
    assert_eq!(keys().len(), 1, "applied at once, though the answer never arrived in time");

    endpoint.set_faults(script("CreateBucketAccessKey", Fault::Stall { ms: 400, apply: false })).unwrap();
    let err = client.create_bucket_access_key().bucket_name("stalled").send().await.unwrap_err();
    assert!(matches!(err, aws_sdk_lightsail::error::SdkError::TimeoutError(_)), "{err:?}");
    // Past the stall's end: a dropped request is never applied, however late one looks.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(keys().len(), 1, "dropped unapplied");

    let faults = endpoint.stats().faults;
    assert_eq!((faults["stall_applied"], faults["stall_unapplied"]), (1, 1));
}

#[tokio::test]
async fn rates_are_deterministic_for_a_seed() {
    async fn outcomes(seed: u64) -> Vec<bool> {
        let faults = FaultConfig { seed, throttle_rate: 0.3, server_error_rate: 0.2, ..Default::default() };
        let endpoint = LocalEndpoint::start(Config { faults, ..Default::default() }).await.unwrap();
        let client = client(&endpoint, "us-east-1");
        let mut results = Vec::new();
        for _ in 0..40 {
            results.push(client.get_buckets().send().await.is_ok());
        }
        results
    }
    let a = outcomes(42).await;
    assert_eq!(a, outcomes(42).await);
    assert_ne!(a, outcomes(43).await);
    let failures = a.iter().filter(|ok| !**ok).count();
    assert!((5..=35).contains(&failures), "{failures} of 40 failed");
}

#[tokio::test]
async fn faults_limited_to_some_operations() {
    let faults = FaultConfig { throttle_rate: 1.0, operations: vec!["GetOperation".into()], ..Default::default() };
    let endpoint = LocalEndpoint::start(Config { faults, ..Default::default() }).await.unwrap();
    let client = client(&endpoint, "us-east-1");
    client.get_buckets().send().await.unwrap();
    assert!(client.get_operation().operation_id("x").send().await.is_err());
}

#[tokio::test]
async fn control_route_reads_and_replaces_faults_and_stats() {
    let endpoint = endpoint().await;
    let body = serde_json::to_vec(&FaultConfig { throttle_rate: 1.0, ..Default::default() }).unwrap();
    let (status, answer) = raw_request(&endpoint, "PUT /_lightsail-local/faults HTTP/1.1", &body).await.unwrap();
    assert_eq!(status, 200, "{answer}");
    let err = client(&endpoint, "us-east-1").get_buckets().send().await.unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("ThrottlingException"));

    let (_, answer) = raw_request(&endpoint, "GET /_lightsail-local/faults HTTP/1.1", b"").await.unwrap();
    let config: FaultConfig = serde_json::from_str(&answer).unwrap();
    assert_eq!(config.throttle_rate, 1.0);
    let (_, answer) = raw_request(&endpoint, "GET /_lightsail-local/stats HTTP/1.1", b"").await.unwrap();
    let stats: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(stats["calls"]["GetBuckets"], 1);
    assert_eq!(stats["faults"]["throttle"], 1);

    for bad in [&br#"{"throttle_rate": 2}"#[..], br#"{"no_such_knob": 1}"#, b"{"] {
        let (status, answer) = raw_request(&endpoint, "PUT /_lightsail-local/faults HTTP/1.1", bad).await.unwrap();
        assert_eq!(status, 400);
        assert!(answer.contains("invalid fault configuration"), "{answer}");
    }
    assert_eq!(endpoint.faults().throttle_rate, 1.0, "a refused configuration changes nothing");
}

/// Every error the model names can be injected, scripted or by rate, with its HTTP status; the
/// SDK reads each as the typed error of that name.
#[tokio::test]
async fn every_modeled_error_can_be_injected() {
    use lightsail_local::ModeledError;
    let endpoint = endpoint().await;
    let client = client(&endpoint, "us-east-1");
    create_bucket(&client, "modeled").await;
    for error in ModeledError::ALL {
        endpoint.set_faults(script("GetBucketAccessKeys", Fault::Error(error))).unwrap();
        let err = client.get_bucket_access_keys().bucket_name("modeled").send().await.unwrap_err();
        let raw = err.raw_response().expect("an answer");
        let status = raw.status().as_u16();
        let expected_status = match error {
            ModeledError::AccessDenied => 403,
            ModeledError::Unauthenticated => 401,
            ModeledError::AccountSetupInProgress | ModeledError::RegionSetupInProgress => 428,
            ModeledError::Service => 500,
            ModeledError::NotFound => 404,
            ModeledError::OperationFailure | ModeledError::InvalidInput => 400,
        };
        assert_eq!(status, expected_status, "{error:?}");
        let expected_code = if error == ModeledError::NotFound { "DoesNotExist" } else { error.type_name() };
        assert_eq!(code(&err).as_deref(), Some(expected_code), "{error:?}");
        // Scripted faults are taken once: the next call is served.
        client.get_bucket_access_keys().bucket_name("modeled").send().await.unwrap();
    }
    let by_rate = FaultConfig {
        modeled_error_rate: 1.0,
        modeled_error: ModeledError::RegionSetupInProgress,
        ..Default::default()
    };
    endpoint.set_faults(by_rate).unwrap();
    let err = client.get_buckets().send().await.unwrap_err();
    assert!(err.as_service_error().unwrap().is_region_setup_in_progress_exception(), "{err:?}");
    assert_eq!(endpoint.stats().faults["modeled_error"], ModeledError::ALL.len() as u64 + 1, "each one counted");
    let both = FaultConfig { modeled_error_rate: 0.6, server_error_rate: 0.6, ..Default::default() };
    assert!(endpoint.set_faults(both).unwrap_err().contains("server_error_rate + modeled_error_rate"));
}
