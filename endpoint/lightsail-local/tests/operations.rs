//! Every operation and its error paths, driven with the real Rust SDK over real HTTP and SigV4.

mod common;

use aws_sdk_lightsail::types::OperationStatus;
use common::*;

#[tokio::test]
async fn bucket_lifecycle() {
    let endpoint = endpoint().await;
    let client = client(&endpoint, "us-east-1");

    let created = client.create_bucket().bucket_name("example-bucket").bundle_id("small_1_0").send().await.unwrap();
    let bucket = created.bucket().unwrap();
    assert_eq!(bucket.name(), Some("example-bucket"));
    assert_eq!(bucket.bundle_id(), Some("small_1_0"));
    assert!(bucket.arn().unwrap().starts_with("arn:aws:lightsail:us-east-1:123456789012:Bucket/"));
    assert_eq!(bucket.url(), Some("https://example-bucket.s3.us-east-1.amazonaws.com/"));
    assert_eq!(bucket.location().unwrap().region_name().unwrap().as_str(), "us-east-1");
    let op = &created.operations()[0];
    assert_eq!(op.operation_type().unwrap().as_str(), "CreateBucket");
    assert_eq!(op.status(), Some(&OperationStatus::Succeeded));

    let listed = client.get_buckets().send().await.unwrap();
    assert_eq!(listed.buckets().len(), 1);
    let one = client.get_buckets().bucket_name("example-bucket").send().await.unwrap();
    assert_eq!(one.buckets()[0].support_code(), Some("123456789012/example-bucket"));

    client.update_bucket_bundle().bucket_name("example-bucket").bundle_id("medium_1_0").send().await.unwrap();
    let one = client.get_buckets().bucket_name("example-bucket").send().await.unwrap();
    assert_eq!(one.buckets()[0].bundle_id(), Some("medium_1_0"));

    let deleted = client.delete_bucket().bucket_name("example-bucket").send().await.unwrap();
    assert_eq!(deleted.operations()[0].operation_type().unwrap().as_str(), "DeleteBucket");
    let err = client.get_buckets().bucket_name("example-bucket").send().await.unwrap_err();
    assert!(is_not_found(&err), "{err:?}");
}

#[tokio::test]
async fn bucket_errors() {
    let endpoint = endpoint().await;
    let client = client(&endpoint, "us-east-1");
    create_bucket(&client, "taken").await;

    let err = client.create_bucket().bucket_name("taken").bundle_id("small_1_0").send().await.unwrap_err();
    assert!(err.as_service_error().unwrap().is_invalid_input_exception());
    assert!(message(&err).contains("already in use"));
    // Names are global: another region cannot have it either.
    let other = common::client(&endpoint, "eu-west-1");
    assert!(other.create_bucket().bucket_name("taken").bundle_id("small_1_0").send().await.is_err());

    for bad in ["Upper", "a--b", "x-s3alias", "ab"] {
        let err = client.create_bucket().bucket_name(bad).bundle_id("small_1_0").send().await.unwrap_err();
        assert!(err.as_service_error().unwrap().is_invalid_input_exception(), "{bad}");
    }
    let err = client.create_bucket().bucket_name("fine-name").bundle_id("huge_9_9").send().await.unwrap_err();
    assert!(message(&err).contains("huge_9_9"));
    let err = client.create_bucket().bucket_name("fine-name").send().await.unwrap_err();
    assert!(message(&err).contains("'bundleId'"), "{}", message(&err));

    let err = client.delete_bucket().bucket_name("missing").send().await.unwrap_err();
    assert!(is_not_found(&err));
}

#[tokio::test]
async fn access_key_lifecycle() {
    let endpoint = endpoint().await;
    let client = client(&endpoint, "us-east-1");
    create_bucket(&client, "example-bucket").await;

    let created = client.create_bucket_access_key().bucket_name("example-bucket").send().await.unwrap();
    let key = created.access_key().unwrap();
    let id = key.access_key_id().unwrap().to_string();
    let secret = key.secret_access_key().unwrap();
    assert_eq!(id.len(), 20);
    assert!(id.starts_with("AKIA") && id.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
    assert_eq!(secret.len(), 40);
    assert!(secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/'));
    assert_eq!(key.status().unwrap().as_str(), "Active");
    assert!(key.created_at().is_some());
    let last_used = key.last_used().unwrap();
    assert_eq!(last_used.last_used_date(), None);
    assert_eq!(last_used.region(), Some("N/A"));
    assert_eq!(last_used.service_name(), Some("N/A"));

    let op = &created.operations()[0];
    assert_eq!(op.operation_type().unwrap().as_str(), "CreateBucketAccessKey");
    assert_eq!(op.resource_name(), Some("example-bucket"));
    let polled = client.get_operation().operation_id(op.id().unwrap()).send().await.unwrap();
    assert_eq!(polled.operation().unwrap().status(), Some(&OperationStatus::Succeeded));
    assert_eq!(polled.operation().unwrap().is_terminal(), Some(true));

    let listed = client.get_bucket_access_keys().bucket_name("example-bucket").send().await.unwrap();
    assert_eq!(listed.access_keys().len(), 1);
    assert_eq!(listed.access_keys()[0].access_key_id(), Some(id.as_str()));
    assert_eq!(listed.access_keys()[0].secret_access_key(), None, "the secret is only shown once");

    // A bucket with a key needs forceDelete.
    let err = client.delete_bucket().bucket_name("example-bucket").send().await.unwrap_err();
    assert!(message(&err).contains("forceDelete"), "{}", message(&err));

    let deleted =
        client.delete_bucket_access_key().bucket_name("example-bucket").access_key_id(&id).send().await.unwrap();
    assert_eq!(deleted.operations()[0].operation_type().unwrap().as_str(), "DeleteBucketAccessKey");
    let listed = client.get_bucket_access_keys().bucket_name("example-bucket").send().await.unwrap();
    assert!(listed.access_keys().is_empty());
    let err =
        client.delete_bucket_access_key().bucket_name("example-bucket").access_key_id(&id).send().await.unwrap_err();
    assert!(is_not_found(&err));
}

#[tokio::test]
async fn at_most_two_keys_per_bucket_and_force_delete() {
    let endpoint = endpoint().await;
    let client = client(&endpoint, "us-east-1");
    create_bucket(&client, "two-keys").await;
    for _ in 0..2 {
        client.create_bucket_access_key().bucket_name("two-keys").send().await.unwrap();
    }
    let err = client.create_bucket_access_key().bucket_name("two-keys").send().await.unwrap_err();
    assert!(err.as_service_error().unwrap().is_invalid_input_exception());
    assert!(message(&err).contains("maximum number of access keys (2)"), "{}", message(&err));

    client.delete_bucket().bucket_name("two-keys").force_delete(true).send().await.unwrap();
    assert!(endpoint.inspect(|s| s.access_key_ids("us-east-1", "two-keys")).is_none());
}

#[tokio::test]
async fn access_key_errors() {
    let endpoint = endpoint().await;
    let client = client(&endpoint, "us-east-1");
    let err = client.create_bucket_access_key().bucket_name("no-such-bucket").send().await.unwrap_err();
    assert!(is_not_found(&err));
    let err = client.get_bucket_access_keys().bucket_name("no-such-bucket").send().await.unwrap_err();
    assert!(is_not_found(&err));
    let err = client.get_bucket_access_keys().bucket_name("Bad_Name").send().await.unwrap_err();
    assert!(err.as_service_error().unwrap().is_invalid_input_exception());
    let err = client.get_bucket_access_keys().send().await.unwrap_err();
    assert!(message(&err).contains("'bucketName'"));
    create_bucket(&client, "has-bucket").await;
    let err = client.delete_bucket_access_key().bucket_name("has-bucket").send().await.unwrap_err();
    assert!(message(&err).contains("'accessKeyId'"));
    let err = client.get_operation().operation_id("00000000-0000-0000-0000-000000000000").send().await.unwrap_err();
    assert!(is_not_found(&err));
}

#[tokio::test]
async fn state_is_per_region() {
    let endpoint = endpoint().await;
    let east = client(&endpoint, "us-east-1");
    let west = client(&endpoint, "eu-west-1");
    create_bucket(&east, "east-bucket").await;
    assert_eq!(east.get_buckets().send().await.unwrap().buckets().len(), 1);
    assert!(west.get_buckets().send().await.unwrap().buckets().is_empty());
    let err = west.create_bucket_access_key().bucket_name("east-bucket").send().await.unwrap_err();
    assert!(is_not_found(&err));
    let created = east.create_bucket_access_key().bucket_name("east-bucket").send().await.unwrap();
    let op_id = created.operations()[0].id().unwrap();
    assert!(west.get_operation().operation_id(op_id).send().await.is_err());
}

/// Only Lightsail's regions answer: a request scoped to another is refused as AWS refuses it, and
/// nothing is kept for that region.
#[tokio::test]
async fn a_region_lightsail_does_not_run_in_is_refused() {
    let endpoint = endpoint().await;
    // us-west-1 is in the model's RegionName enum, but Lightsail has no endpoint there.
    for region in ["mars-west-1", "af-south-1", "us-west-1"] {
        let err = client(&endpoint, region).get_buckets().send().await.unwrap_err();
        assert_eq!(code(&err).as_deref(), Some("InvalidSignatureException"), "{region}");
        assert!(message(&err).contains("scoped to a valid region"), "{}", message(&err));
    }
    assert!(endpoint.inspect(|s| s.bucket_names("mars-west-1")).is_empty());
    client(&endpoint, "ap-southeast-5").get_buckets().send().await.unwrap();
}

#[tokio::test]
async fn not_found_carries_lightsails_code_unless_switched_off() {
    let endpoint = endpoint().await;
    let client = client(&endpoint, "us-east-1");
    let err = client.get_bucket_access_keys().bucket_name("no-such-bucket").send().await.unwrap_err();
    // As against AWS: the SDK prefers the body's `code` over `__type`, so the error is not typed.
    assert_eq!(code(&err).as_deref(), Some("DoesNotExist"));
    assert!(!err.as_service_error().unwrap().is_not_found_exception());
    endpoint.set_faults(lightsail_local::FaultConfig { lightsail_error_codes: false, ..Default::default() }).unwrap();
    let err = client.get_bucket_access_keys().bucket_name("no-such-bucket").send().await.unwrap_err();
    assert!(err.as_service_error().unwrap().is_not_found_exception());
}

/// The neighbouring operations a user of buckets calls, with their rules.
#[tokio::test]
async fn neighbouring_operations_and_their_rules() {
    let endpoint = endpoint().await;
    let client = client(&endpoint, "us-east-1");
    create_bucket(&client, "neighbour").await;

    // A bundle changes once per monthly billing cycle.
    client.update_bucket_bundle().bucket_name("neighbour").bundle_id("medium_1_0").send().await.unwrap();
    let err = client.update_bucket_bundle().bucket_name("neighbour").bundle_id("large_1_0").send().await.unwrap_err();
    assert!(message(&err).contains("once per cycle"), "{}", message(&err));
    let bucket = client.get_buckets().bucket_name("neighbour").send().await.unwrap();
    assert_eq!(bucket.buckets()[0].able_to_update_bundle(), Some(false));

    // UpdateBucket keeps what it is given; GetBuckets shows CORS only when asked.
    let rules = aws_sdk_lightsail::types::AccessRules::builder()
        .get_object(aws_sdk_lightsail::types::AccessType::Public)
        .build();
    let updated =
        client.update_bucket().bucket_name("neighbour").access_rules(rules).versioning("Enabled").send().await.unwrap();
    let bucket = updated.bucket().unwrap();
    assert_eq!(bucket.access_rules().unwrap().get_object().unwrap().as_str(), "public");
    assert_eq!(bucket.object_versioning(), Some("Enabled"));
    assert!(client.get_buckets().send().await.unwrap().buckets()[0].cors().is_none());
    assert!(client.get_buckets().include_cors(true).send().await.unwrap().buckets()[0].cors().is_some());

    // Operations, newest first, a hundred to a page.
    for i in 0..120 {
        let tag = aws_sdk_lightsail::types::Tag::builder().key("n").value(i.to_string()).build();
        client.tag_resource().resource_name("neighbour").tags(tag).send().await.unwrap();
    }
    let first = client.get_operations().send().await.unwrap();
    assert_eq!(first.operations().len(), 100);
    let next = client.get_operations().page_token(first.next_page_token().unwrap()).send().await.unwrap();
    assert_eq!(next.operations().len(), 23, "123 operations in all");
    assert!(next.next_page_token().is_none());
    let of_bucket = client.get_operations_for_resource().resource_name("neighbour").send().await.unwrap();
    assert_eq!(of_bucket.operations()[0].operation_type().unwrap().as_str(), "UpdateBucket", "the newest first");

    // Bundles and regions.
    let bundles = client.get_bucket_bundles().send().await.unwrap();
    let ids: Vec<&str> = bundles.bundles().iter().filter_map(|b| b.bundle_id()).collect();
    assert_eq!(ids, ["small_1_0", "medium_1_0", "large_1_0"]);
    assert_eq!(client.get_regions().send().await.unwrap().regions().len(), lightsail_regions::REGIONS.len());

    // A malformed key id is invalid input, not "not found".
    let err =
        client.delete_bucket_access_key().bucket_name("neighbour").access_key_id("nope").send().await.unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("InvalidInputException"));

    // An operation this endpoint does not serve says so.
    let rewrite = Rewrite { target: Some("Lightsail_20161128.GetInstances".into()), ..Default::default() };
    let err = send_rewritten(&endpoint, rewrite).await.unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("UnknownOperationException"));
    assert!(message(&err).contains("GetInstances is not implemented by lightsail-local"), "{}", message(&err));
}
