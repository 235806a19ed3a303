//! The component, run by the host, against the local endpoint with the real SDK.

mod common;

use common::*;
use lightsail_local::{Fault, FaultConfig, ScriptedFault};
use lightsail_provider_host::ProviderError;

#[tokio::test]
async fn create_read_import_delete() {
    let s = TestEnvironment::new().await;
    s.bucket("example-bucket").await;

    let created = s.provider.create(TOKEN, &inputs("example-bucket"), false).await.unwrap();
    let (bucket, key_id) = created.id.split_once(',').unwrap();
    assert_eq!(bucket, "example-bucket");
    assert_eq!(s.keys("example-bucket"), vec![key_id.to_string()]);
    let out = values(&created.outputs.values);
    assert_eq!(out["accessKeyId"], key_id);
    assert_eq!(out["secretAccessKey"].as_str().unwrap().len(), 40);
    assert_eq!(out["status"], "Active");
    assert_eq!(out["region"], REGION);
    assert!(out["createdAt"].as_str().unwrap().ends_with('Z'), "RFC 3339: {}", out["createdAt"]);
    assert_eq!(out["lastUsed"]["serviceName"], "N/A");
    assert_eq!(created.outputs.secrets, vec!["secretAccessKey"], "secrets are named at the boundary");

    let read = s.provider.read(TOKEN, &created.id, Some(&created.outputs.values)).await.unwrap().unwrap();
    assert_eq!(read.id, created.id);
    assert_eq!(values(&read.outputs.values)["secretAccessKey"], out["secretAccessKey"], "kept from state");

    let imported = s.provider.import(TOKEN, &created.id).await.unwrap();
    assert_eq!(values(&imported.inputs), serde_json::json!({"bucketName": "example-bucket", "region": REGION}));
    assert!(values(&imported.outputs.values)["secretAccessKey"].is_null());
    // What an engine does next with an import: check the inputs it got; they are valid as they are.
    let checked = s.provider.check(TOKEN, None, &imported.inputs).await.unwrap();
    assert!(checked.failures.is_empty());
    // ... and diff them against the imported state: nothing to replace (Terraform's provider would).
    let diff = s.provider.diff(TOKEN, &imported.id, &imported.outputs.values, &imported.inputs).await.unwrap();
    assert!(!diff.changes, "{diff:?}");

    s.provider.delete(TOKEN, &created.id, &created.outputs.values).await.unwrap();
    assert!(s.keys("example-bucket").is_empty());
    assert!(s.provider.read(TOKEN, &created.id, None).await.unwrap().is_none());
}

/// The same lifecycle through one reused instance (each call from a clean heap): the answers are
/// a fresh instance's, and a lock the create took is free again for the next create.
#[tokio::test]
async fn the_lifecycle_through_one_reused_instance() {
    let s = TestEnvironment::new().await;
    s.bucket("example-bucket").await;
    let provider = s.provider.clone().reusing_one_instance();
    let first = provider.create(TOKEN, &inputs("example-bucket"), false).await.unwrap();
    let second = provider.create(TOKEN, &inputs("example-bucket"), false).await.unwrap();
    assert_eq!(s.keys("example-bucket").len(), 2);
    let read = provider.read(TOKEN, &first.id, Some(&first.outputs.values)).await.unwrap().unwrap();
    assert_eq!(values(&read.outputs.values)["secretAccessKey"], values(&first.outputs.values)["secretAccessKey"]);
    provider.delete(TOKEN, &first.id, &first.outputs.values).await.unwrap();
    provider.delete(TOKEN, &second.id, &second.outputs.values).await.unwrap();
    assert!(provider.read(TOKEN, &first.id, None).await.unwrap().is_none());
    assert!(s.keys("example-bucket").is_empty());
}

/// A call dropped before it returns (an engine cancels it) takes its reused instance with it: the
/// next call gets a new instance, not one stopped mid-call, and the bucket's lock the dropped
/// create held is free. The create is dropped once the endpoint holds its first request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_dropped_mid_way_leaves_the_reused_instance_usable() {
    let stall = Fault::Stall { ms: 600_000, apply: true };
    let faults = FaultConfig {
        script: vec![ScriptedFault { operation: Some("GetBucketAccessKeys".into()), fault: stall, hold: None }],
        ..Default::default()
    };
    let s = TestEnvironment::with_faults(faults).await;
    s.bucket("example-bucket").await;
    let provider = s.provider.clone().reusing_one_instance();
    let before = s.calls();
    let stalled = tokio::spawn({
        let provider = provider.clone();
        async move { provider.create(TOKEN, &inputs("example-bucket"), false).await }
    });
    while s.calls() == before {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    stalled.abort();
    assert!(stalled.await.unwrap_err().is_cancelled());
    let created = provider.create(TOKEN, &inputs("example-bucket"), false).await.expect("the next call is served");
    assert_eq!(s.keys("example-bucket"), [created.id.rsplit(',').next().unwrap().to_string()]);
}

#[tokio::test]
async fn import_with_a_region_and_not_found() {
    let s = TestEnvironment::new().await;
    s.api
        .client(Some("eu-west-1"))
        .create_bucket()
        .bucket_name("west-bucket")
        .bundle_id("small_1_0")
        .send()
        .await
        .unwrap();
    let key =
        s.api.client(Some("eu-west-1")).create_bucket_access_key().bucket_name("west-bucket").send().await.unwrap();
    let key_id = key.access_key().unwrap().access_key_id().unwrap();

    let imported = s.provider.import(TOKEN, &format!("west-bucket,{key_id}@eu-west-1")).await.unwrap();
    assert_eq!(imported.id, format!("west-bucket,{key_id}"));
    assert_eq!(values(&imported.inputs)["region"], "eu-west-1");
    // Without the region the default region (us-east-1) has no such bucket.
    let err = provider_error(s.provider.import(TOKEN, &format!("west-bucket,{key_id}")).await);
    assert!(matches!(err, ProviderError::NotFound(_)), "{err:?}");
}

#[tokio::test]
async fn a_key_deleted_out_of_band_reads_as_gone_and_delete_still_succeeds() {
    let s = TestEnvironment::new().await;
    s.bucket("oob-bucket").await;
    let created = s.provider.create(TOKEN, &inputs("oob-bucket"), false).await.unwrap();
    let key_id = created.id.split_once(',').unwrap().1;
    s.api.client(None).delete_bucket_access_key().bucket_name("oob-bucket").access_key_id(key_id).send().await.unwrap();

    assert!(s.provider.read(TOKEN, &created.id, Some(&created.outputs.values)).await.unwrap().is_none());
    s.provider.delete(TOKEN, &created.id, &created.outputs.values).await.unwrap();
    // The bucket itself gone: its keys are gone too.
    s.api.client(None).delete_bucket().bucket_name("oob-bucket").send().await.unwrap();
    assert!(s.provider.read(TOKEN, &created.id, None).await.unwrap().is_none());
}

#[tokio::test]
async fn lightsail_does_not_exist_code_is_not_found() {
    let s = TestEnvironment::with_faults(FaultConfig { lightsail_error_codes: true, ..Default::default() }).await;
    assert!(s.provider.read(TOKEN, "no-such-bucket,AKIAIOSFODNN7EXAMPLE", None).await.unwrap().is_none());
    s.provider.delete(TOKEN, "no-such-bucket,AKIAIOSFODNN7EXAMPLE", "{}").await.unwrap();
}

#[tokio::test]
async fn the_two_key_limit_is_a_clear_error() {
    let s = TestEnvironment::new().await;
    s.bucket("two-keys").await;
    for _ in 0..2 {
        s.provider.create(TOKEN, &inputs("two-keys"), false).await.unwrap();
    }
    let creates = s.endpoint.stats().calls_of("CreateBucketAccessKey");
    match provider_error(s.provider.create(TOKEN, &inputs("two-keys"), false).await) {
        ProviderError::Api(e) => {
            assert_eq!(e.code, "AccessKeyLimit");
            assert!(e.message.contains("bucket two-keys already holds 2 access keys (AKIA"), "{}", e.message);
            assert!(!e.retryable);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.endpoint.stats().calls_of("CreateBucketAccessKey"), creates, "no create is sent to a full bucket");
    assert_eq!(s.keys("two-keys").len(), 2);
}

#[tokio::test]
async fn invalid_inputs_are_refused_with_no_api_call() {
    let s = TestEnvironment::new().await;
    let cases = [
        (r#"{}"#, "bucketName"),
        (r#"{"bucketName": "Bad_Name"}"#, "bucketName"),
        (r#"{"bucketName": "a--b"}"#, "bucketName"),
        (r#"{"bucketName": "sthree-x"}"#, "bucketName"),
        (r#"{"bucketName": 42}"#, "bucketName"),
        (r#"{"bucketName": "fine-name", "region": "atlantis-1"}"#, "region"),
        (r#"{"bucketName": "fine-name", "colour": "blue"}"#, "colour"),
        ("not json", ""),
    ];
    for (bad, property) in cases {
        match provider_error(s.provider.create(TOKEN, bad, false).await) {
            ProviderError::InvalidInput(failures) => {
                assert!(failures.iter().any(|f| f.property == property), "{bad}: {failures:?}");
                assert!(failures.iter().all(|f| !f.reason.is_empty()));
            }
            other => panic!("{bad}: {other:?}"),
        }
    }
    for bad_id in ["nocomma", "a,b,c", "example-bucket,not-a-key", "example-bucket,AKIAIOSFODNN7EXAMPLE@moon-1"] {
        assert!(matches!(provider_error(s.provider.read(TOKEN, bad_id, None).await), ProviderError::InvalidInput(_)));
        assert!(matches!(provider_error(s.provider.import(TOKEN, bad_id).await), ProviderError::InvalidInput(_)));
        assert!(matches!(provider_error(s.provider.delete(TOKEN, bad_id, "{}").await), ProviderError::InvalidInput(_)));
    }
    assert_eq!(s.calls(), 0, "the endpoint saw no call");
    assert_eq!(s.endpoint.stats().http_requests, 0);
}

#[tokio::test]
async fn a_preview_makes_no_api_call() {
    let s = TestEnvironment::new().await;
    let preview = s.provider.create(TOKEN, &inputs("example-bucket"), true).await.unwrap();
    assert_eq!(preview.id, "");
    let out = values(&preview.outputs.values);
    assert_eq!((out["bucketName"].as_str(), out["region"].as_str()), (Some("example-bucket"), Some(REGION)));
    assert_eq!(s.endpoint.stats().http_requests, 0);
}

#[tokio::test]
async fn update_is_refused_and_unknown_types_are_named() {
    let s = TestEnvironment::new().await;
    let olds = r#"{"bucketName": "b-1", "region": "us-east-1", "accessKeyId": "AKIAIOSFODNN7EXAMPLE"}"#;
    let moved = r#"{"bucketName": "b-2"}"#;
    let err = provider_error(s.provider.update(TOKEN, "b-1,AKIAIOSFODNN7EXAMPLE", olds, moved, false).await);
    assert!(matches!(err, ProviderError::Unsupported(_)), "{err:?}");
    let err = provider_error(s.provider.create("aws:s3/bucket:Bucket", "{}", false).await);
    assert!(matches!(&err, ProviderError::UnknownType(t) if t == "aws:s3/bucket:Bucket"), "{err:?}");
}

#[tokio::test]
async fn create_waits_for_pending_operations() {
    let s = TestEnvironment::with_faults(FaultConfig { operation_pending_polls: 3, ..Default::default() }).await;
    s.bucket("slow-bucket").await;
    s.provider.create(TOKEN, &inputs("slow-bucket"), false).await.unwrap();
    assert_eq!(s.endpoint.stats().calls_of("GetOperation"), 4);
}

#[tokio::test]
async fn a_failed_operation_reports_the_key_as_not_ready_with_its_id() {
    let faults = FaultConfig {
        script: vec![ScriptedFault {
            operation: Some("CreateBucketAccessKey".into()),
            fault: Fault::OperationFailed,
            hold: None,
        }],
        ..Default::default()
    };
    let s = TestEnvironment::with_faults(faults).await;
    s.bucket("failing").await;
    match provider_error(s.provider.create(TOKEN, &inputs("failing"), false).await) {
        ProviderError::NotReady(n) => {
            let key_id = n.id.split_once(',').unwrap().1.to_string();
            assert_eq!(s.keys("failing"), vec![key_id], "the id reported is the key that exists");
            assert!(n.reason.contains("failed"), "{}", n.reason);
            assert_eq!(values(&n.outputs.values)["secretAccessKey"].as_str().unwrap().len(), 40);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn aws_errors_carry_code_and_retryability() {
    let faults = FaultConfig { throttle_rate: 1.0, ..Default::default() };
    let s = TestEnvironment::with_faults(faults).await;
    match provider_error(s.provider.read(TOKEN, "example-bucket,AKIAIOSFODNN7EXAMPLE", None).await) {
        ProviderError::Api(e) => {
            assert_eq!(e.code, "ThrottlingException");
            assert!(e.retryable);
        }
        other => panic!("{other:?}"),
    }
    let s = TestEnvironment::new().await;
    match provider_error(s.provider.create(TOKEN, &inputs("no-such-bucket"), false).await) {
        ProviderError::Api(e) => assert_eq!(e.code, "DoesNotExist", "as Lightsail answers it"),
        other => panic!("{other:?}"),
    }
}
