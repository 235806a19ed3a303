//! The second resource of the same component, `aws:lightsail/bucket:Bucket`: the bundle changes in
//! place, the name replaces, force-delete governs deleting a bucket that still has keys.

mod common;

use common::*;
use lightsail_provider_host::ProviderError;

const BUCKET: &str = "aws:lightsail/bucket:Bucket";

#[tokio::test]
async fn bucket_lifecycle_with_an_in_place_bundle_change() {
    let s = TestEnvironment::new().await;
    let inputs = r#"{"name": "example-bucket", "bundleId": "small_1_0"}"#;
    let created = s.provider.create(BUCKET, inputs, false).await.unwrap();
    assert_eq!(created.id, "example-bucket");
    let out = values(&created.outputs.values);
    assert!(out["arn"].as_str().unwrap().starts_with("arn:aws:lightsail:us-east-1:"));
    assert_eq!((out["availabilityZone"].as_str(), out["region"].as_str()), (Some("all"), Some(REGION)));
    assert!(created.outputs.secrets.is_empty());

    let bigger = r#"{"name": "example-bucket", "bundleId": "medium_1_0"}"#;
    let diff = s.provider.diff(BUCKET, &created.id, &created.outputs.values, bigger).await.unwrap();
    assert_eq!((diff.diffs, diff.replaces), (vec!["bundleId".to_string()], Vec::<String>::new()));
    let updated = s.provider.update(BUCKET, &created.id, &created.outputs.values, bigger, false).await.unwrap();
    assert_eq!(values(&updated.values)["bundleId"], "medium_1_0");
    assert_eq!(s.endpoint.stats().calls_of("UpdateBucketBundle"), 1);

    // Keys are another resource of the same component.
    let key = s.provider.create(TOKEN, &common::inputs("example-bucket"), false).await.unwrap();
    let err = provider_error(s.provider.delete(BUCKET, &created.id, &updated.values).await);
    let ProviderError::Api(refused) = &err else { panic!("{err:?}") };
    let hint = refused.hint.as_ref().expect("a hint names the input that allows it");
    assert_eq!((hint.property.as_str(), hint.value.as_str()), ("forceDelete", "true"));
    let forced = r#"{"name": "example-bucket", "bundleId": "medium_1_0", "forceDelete": true}"#;
    let state = s.provider.update(BUCKET, &created.id, &updated.values, forced, false).await.unwrap();
    s.provider.delete(BUCKET, &created.id, &state.values).await.unwrap();
    assert!(s.provider.read(BUCKET, &created.id, None).await.unwrap().is_none());
    assert!(s.provider.read(TOKEN, &key.id, None).await.unwrap().is_none(), "its keys went with it");
}

#[tokio::test]
async fn bucket_import_and_invalid_inputs() {
    let s = TestEnvironment::new().await;
    s.bucket("imported-bucket").await;
    let imported = s.provider.import(BUCKET, "imported-bucket").await.unwrap();
    assert_eq!(
        values(&imported.inputs),
        serde_json::json!({"name": "imported-bucket", "bundleId": "small_1_0", "forceDelete": false, "region": REGION, "tags": {}})
    );
    let before = s.calls();
    let err = provider_error(s.provider.create(BUCKET, r#"{"name": "x", "bundleId": 1}"#, false).await);
    match err {
        ProviderError::InvalidInput(f) => {
            assert_eq!(f.iter().map(|f| f.property.as_str()).collect::<Vec<_>>(), vec!["name", "bundleId"])
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.calls(), before);
}
