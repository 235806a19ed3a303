//! The real plugin binary, launched as the Pulumi engine launches it, driven through the call
//! sequences the engine makes for preview, up, refresh, import, update, replacement and destroy,
//! against a local endpoint, with a tonic client of the same protos. Secrets and unknowns are
//! checked on the wire.

mod common;

use common::rpc::{self, diff_response::DiffChanges, property_diff::Kind};
use common::*;
use lightsail_test_support::{ACCESS_KEY_TOKEN as KEY, BUCKET_TOKEN as BUCKET, TestEnvironment};
use prost::Message;
use serde_json::{Value, json};

async fn check(client: &mut Client, token: &str, name: &str, olds: Value, news: Value) -> rpc::CheckResponse {
    let request = rpc::CheckRequest {
        urn: urn(token, name),
        olds: Some(bag(olds)),
        news: Some(bag(news)),
        name: name.into(),
        r#type: token.into(),
        ..Default::default()
    };
    client.check(request).await.unwrap().into_inner()
}

async fn create(client: &mut Client, token: &str, inputs: &prost_types::Struct, preview: bool) -> rpc::CreateResponse {
    let request = rpc::CreateRequest {
        urn: urn(token, "r"),
        properties: Some(inputs.clone()),
        preview,
        r#type: token.into(),
        ..Default::default()
    };
    client.create(request).await.unwrap().into_inner()
}

async fn diff(
    client: &mut Client,
    token: &str,
    id: &str,
    olds: &prost_types::Struct,
    news: Value,
) -> rpc::DiffResponse {
    let request = rpc::DiffRequest {
        id: id.into(),
        urn: urn(token, "r"),
        olds: Some(olds.clone()),
        news: Some(bag(news)),
        r#type: token.into(),
        ..Default::default()
    };
    client.diff(request).await.unwrap().into_inner()
}

async fn read(client: &mut Client, token: &str, id: &str, state: Option<&prost_types::Struct>) -> rpc::ReadResponse {
    let request = rpc::ReadRequest {
        id: id.into(),
        urn: urn(token, "r"),
        properties: state.cloned(),
        inputs: state.cloned(),
        r#type: token.into(),
        ..Default::default()
    };
    client.read(request).await.unwrap().into_inner()
}

async fn delete(client: &mut Client, token: &str, id: &str, state: &prost_types::Struct) {
    let request = rpc::DeleteRequest {
        id: id.into(),
        urn: urn(token, "r"),
        properties: Some(state.clone()),
        r#type: token.into(),
        ..Default::default()
    };
    client.delete(request).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preview_up_refresh_import_update_replace_and_destroy() {
    let env = TestEnvironment::new().await;
    let plugin = Plugin::launch(0);
    let mut client = plugin.client().await;

    let info = client.get_plugin_info(()).await.unwrap().into_inner();
    assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
    let schema = client.get_schema(rpc::GetSchemaRequest::default()).await.unwrap().into_inner().schema;
    let schema: Value = serde_json::from_str(&schema).unwrap();
    assert_eq!(schema["name"], "aws");
    assert!(schema["provider"]["inputProperties"]["secretKey"]["secret"].as_bool().unwrap());
    let handshake = client.handshake(rpc::ProviderHandshakeRequest::default()).await.unwrap().into_inner();
    assert!(handshake.accept_secrets);
    let configured = client.configure(configure_request(&env.endpoint)).await.unwrap().into_inner();
    assert!(configured.supports_preview && configured.accept_secrets);

    // Preview of a program making a bucket and a key of it: the bucket's name is not known yet
    // when the key is checked, and every output of the key is unknown.
    let bucket_inputs = json!({"name": "pulumi-bucket", "bundleId": "small_1_0"});
    let checked = check(&mut client, BUCKET, "b", json!({}), bucket_inputs.clone()).await;
    assert!(checked.failures.is_empty(), "{:?}", checked.failures);
    let bucket_checked = checked.inputs.unwrap();
    let preview = create(&mut client, BUCKET, &bucket_checked, true).await;
    assert_eq!(preview.id, "");
    assert_eq!(json(preview.properties.as_ref())["arn"], UNKNOWN_STRING);
    let checked = check(&mut client, KEY, "k", json!({}), json!({"bucketName": UNKNOWN_STRING})).await;
    assert!(checked.failures.is_empty(), "{:?}", checked.failures);
    let preview = create(&mut client, KEY, &checked.inputs.unwrap(), true).await;
    let outputs = json(preview.properties.as_ref());
    assert_eq!(outputs["accessKeyId"], UNKNOWN_STRING);
    assert_eq!(outputs["lastUsed"], UNKNOWN_OBJECT, "an object's unknown is the object sentinel");
    assert_eq!(outputs["region"], "us-east-1");
    assert_eq!(env.calls(), 0, "a preview makes no call");

    // Up.
    let bucket = create(&mut client, BUCKET, &bucket_checked, false).await;
    assert_eq!(bucket.id, "pulumi-bucket");
    let bucket_state = bucket.properties.unwrap();
    let checked = check(&mut client, KEY, "k", json!({}), json!({"bucketName": "pulumi-bucket"})).await;
    let key_inputs = checked.inputs.unwrap();
    let key = create(&mut client, KEY, &key_inputs, false).await;
    let key_state = key.properties.clone().unwrap();
    let outputs = json(Some(&key_state));
    assert_eq!(outputs["secretAccessKey"][SIG], SECRET, "the secret goes back wrapped");
    assert_eq!(outputs["secretAccessKey"]["value"].as_str().map(str::len), Some(40));
    assert!(key.id.starts_with("pulumi-bucket,AKIA"), "{}", key.id);

    // Refresh: found, the secret kept from state.
    let refreshed = read(&mut client, KEY, &key.id, Some(&key_state)).await;
    assert_eq!(refreshed.id, key.id);
    assert_eq!(json(refreshed.properties.as_ref())["secretAccessKey"], outputs["secretAccessKey"]);

    // Import by id: the inputs it answers check and diff with no change.
    let imported = read(&mut client, KEY, &key.id, None).await;
    assert_eq!(imported.id, key.id);
    let inputs = json(imported.inputs.as_ref());
    assert_eq!(inputs, json!({"bucketName": "pulumi-bucket", "region": "us-east-1"}));
    let checked = check(&mut client, KEY, "k", json!({}), inputs).await;
    let news = json(checked.inputs.as_ref());
    let no_change = diff(&mut client, KEY, &key.id, imported.properties.as_ref().unwrap(), news).await;
    assert_eq!(no_change.changes, DiffChanges::DiffNone as i32, "{no_change:?}");

    // Replacement: a new bucket name replaces the key; the ignored change does not.
    let replace = diff(&mut client, KEY, &key.id, &key_state, json!({"bucketName": "other-bucket"})).await;
    assert_eq!((replace.changes, replace.replaces.clone()), (DiffChanges::DiffSome as i32, vec!["bucketName".into()]));
    assert_eq!(replace.detailed_diff["bucketName"].kind, Kind::UpdateReplace as i32);
    let mut ignoring = rpc::DiffRequest {
        id: key.id.clone(),
        urn: urn(KEY, "k"),
        olds: Some(key_state.clone()),
        news: Some(bag(json!({"bucketName": "other-bucket"}))),
        ignore_changes: vec!["bucketName".into()],
        r#type: KEY.into(),
        ..Default::default()
    };
    let ignored = client.diff(ignoring.clone()).await.unwrap().into_inner();
    assert_eq!(ignored.changes, DiffChanges::DiffNone as i32, "{ignored:?}");
    ignoring.ignore_changes.clear();
    assert_eq!(client.diff(ignoring).await.unwrap().into_inner().changes, DiffChanges::DiffSome as i32);

    // The bucket: imported with no diff after; a new name replaces it.
    let imported = read(&mut client, BUCKET, "pulumi-bucket", None).await;
    let checked = check(&mut client, BUCKET, "b", json!({}), json(imported.inputs.as_ref())).await;
    assert!(checked.failures.is_empty(), "{:?}", checked.failures);
    let news = json(checked.inputs.as_ref());
    let no_change = diff(&mut client, BUCKET, "pulumi-bucket", imported.properties.as_ref().unwrap(), news).await;
    assert_eq!(no_change.changes, DiffChanges::DiffNone as i32, "{no_change:?}");
    let renamed = json!({"name": "renamed-bucket", "bundleId": "small_1_0"});
    let rename = diff(&mut client, BUCKET, "pulumi-bucket", &bucket_state, renamed).await;
    assert_eq!(rename.replaces, ["name"], "{rename:?}");

    // Update of the bucket's bundle: in place.
    let bigger = json!({"name": "pulumi-bucket", "bundleId": "medium_1_0", "forceDelete": false});
    let change = diff(&mut client, BUCKET, "pulumi-bucket", &bucket_state, bigger.clone()).await;
    assert_eq!((change.diffs.clone(), change.replaces.len()), (vec!["bundleId".to_string()], 0));
    assert_eq!(change.detailed_diff["bundleId"].kind, Kind::Update as i32);
    let update = |preview| rpc::UpdateRequest {
        id: "pulumi-bucket".into(),
        urn: urn(BUCKET, "b"),
        olds: Some(bucket_state.clone()),
        news: Some(bag(bigger.clone())),
        preview,
        r#type: BUCKET.into(),
        ..Default::default()
    };
    let calls = env.calls();
    client.update(update(true)).await.unwrap();
    assert_eq!(env.calls(), calls, "an update's preview makes no call");
    let updated = client.update(update(false)).await.unwrap().into_inner();
    assert_eq!(json(updated.properties.as_ref())["bundleId"], "medium_1_0");

    // Out-of-band delete, then refresh: gone (an empty id).
    let access_key_id = key.id.split_once(',').unwrap().1;
    let client_sdk = env.api.client(None);
    client_sdk
        .delete_bucket_access_key()
        .bucket_name("pulumi-bucket")
        .access_key_id(access_key_id)
        .send()
        .await
        .unwrap();
    let gone = read(&mut client, KEY, &key.id, Some(&key_state)).await;
    assert_eq!(gone.id, "", "gone reads as an empty id");

    // Destroy: the key already gone is fine. The bucket, deleted out of band too, refreshes as
    // gone, and its delete succeeds.
    delete(&mut client, KEY, &key.id, &key_state).await;
    client_sdk.delete_bucket().bucket_name("pulumi-bucket").send().await.unwrap();
    assert_eq!(read(&mut client, BUCKET, "pulumi-bucket", Some(&bucket_state)).await.id, "");
    delete(&mut client, BUCKET, "pulumi-bucket", &bucket_state).await;

    let (code, stderr) = plugin.stop();
    assert_eq!(code, Some(0), "a clean stop: {stderr}");
    assert!(!stderr.contains(outputs["secretAccessKey"]["value"].as_str().unwrap()), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secret_inputs_stay_secret_both_ways() {
    let env = TestEnvironment::new().await;
    env.bucket("example-bucket").await;
    let plugin = Plugin::launch(0);
    let mut client = plugin.client().await;
    client.configure(configure_request(&env.endpoint)).await.unwrap();
    let checked = check(&mut client, KEY, "k", json!({}), json!({"bucketName": secret(json!("example-bucket"))})).await;
    let inputs = checked.inputs.unwrap();
    assert_eq!(json(Some(&inputs))["bucketName"], secret(json!("example-bucket")));
    let created = create(&mut client, KEY, &inputs, false).await;
    let outputs = json(created.properties.as_ref());
    assert_eq!(outputs["bucketName"], secret(json!("example-bucket")), "an input given secret stays secret");
    assert_eq!(outputs["region"], "us-east-1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_created_but_not_ready_is_reported_for_the_engine_to_record() {
    let env = TestEnvironment::new().await;
    env.bucket("example-bucket").await;
    let faults = lightsail_local::FaultConfig { operation_failure_rate: 1.0, ..Default::default() };
    env.endpoint.set_faults(faults).unwrap();
    let plugin = Plugin::launch(0);
    let mut client = plugin.client().await;
    client.configure(configure_request(&env.endpoint)).await.unwrap();
    let request = rpc::CreateRequest {
        urn: urn(KEY, "k"),
        properties: Some(bag(json!({"bucketName": "example-bucket"}))),
        r#type: KEY.into(),
        ..Default::default()
    };
    let status = client.create(request).await.unwrap_err();
    // The details carry ErrorResourceInitFailed, as the engine's client reads them.
    #[derive(Clone, PartialEq, Message)]
    struct RpcStatus {
        #[prost(int32, tag = "1")]
        code: i32,
        #[prost(string, tag = "2")]
        message: String,
        #[prost(message, repeated, tag = "3")]
        details: Vec<prost_types::Any>,
    }
    let details = RpcStatus::decode(status.details()).unwrap();
    assert_eq!(details.details[0].type_url, "type.googleapis.com/pulumirpc.ErrorResourceInitFailed");
    let failed = rpc::ErrorResourceInitFailed::decode(details.details[0].value.as_slice()).unwrap();
    let key = failed.id.split_once(',').unwrap().1;
    assert_eq!(env.keys("example-bucket"), [key], "the id is the key that exists");
    assert_eq!(json(failed.properties.as_ref())["secretAccessKey"][SIG], SECRET);
    assert!(!failed.reasons.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_and_bad_settings_are_named_with_no_call() {
    let env = TestEnvironment::new().await;
    let plugin = Plugin::launch(0);
    let mut client = plugin.client().await;

    // Settings: keys of pulumi-aws pass; wrong values of ours are failures naming them.
    let config = |news: Value| rpc::CheckRequest { news: Some(bag(news)), ..Default::default() };
    let good = json!({"region": "eu-west-1", "skipMetadataApiCheck": "true", "defaultTags": "{}", "version": "7.0.0"});
    assert!(client.check_config(config(good)).await.unwrap().into_inner().failures.is_empty());
    let bad = json!({"region": "mars-1", "maxRetries": "many", "endpoints": "[{\"lightsail\": \"nowhere\"}]", "accessKey": "AKID"});
    let failures = client.check_config(config(bad)).await.unwrap().into_inner().failures;
    let named: Vec<&str> = failures.iter().map(|f| f.property.as_str()).collect();
    assert_eq!(named, ["region", "secretKey", "endpoints", "maxRetries"], "{failures:?}");
    assert!(failures[0].reason.contains("is not a region where Lightsail runs"), "{failures:?}");

    // Inputs: each failure names the property and its rule.
    let checked = check(&mut client, KEY, "k", json!({}), json!({"bucketName": "Bad_Name", "colour": "blue"})).await;
    let named: Vec<(&str, &str)> = checked.failures.iter().map(|f| (f.property.as_str(), f.reason.as_str())).collect();
    assert!(named.iter().any(|(p, r)| *p == "bucketName" && r.contains("lowercase")), "{named:?}");
    assert!(named.iter().any(|(p, _)| *p == "colour"), "{named:?}");

    // A malformed id, once configured.
    client.configure(configure_request(&env.endpoint)).await.unwrap();
    let request =
        rpc::ReadRequest { id: "not-an-id".into(), urn: urn(KEY, "k"), r#type: KEY.into(), ..Default::default() };
    let error = client.read(request).await.unwrap_err();
    assert_eq!(error.code(), tonic::Code::InvalidArgument);
    assert!(error.message().contains("id:"), "{}", error.message());
    // A configuration that cannot be used is refused, naming the setting.
    let mut wrong = configure_request(&env.endpoint);
    wrong.variables.insert("aws:maxRetries".into(), "-1".into());
    let error = client.configure(wrong).await.unwrap_err();
    assert!(error.message().contains("maxRetries"), "{}", error.message());
    assert_eq!(env.calls(), 0, "nothing reached the endpoint");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_launch_contract_holds_with_logging_at_its_most_verbose() {
    let env = TestEnvironment::new().await;
    env.bucket("example-bucket").await;
    let plugin = Plugin::launch(9);
    let mut client = plugin.client().await;
    client.configure(configure_request(&env.endpoint)).await.unwrap();
    let created = create(&mut client, KEY, &bag(json!({"bucketName": "example-bucket"})), false).await;
    let secret = json(created.properties.as_ref())["secretAccessKey"]["value"].as_str().unwrap().to_string();
    let (code, stderr) = plugin.stop();
    assert_eq!(code, Some(0));
    assert!(stderr.contains("CreateBucketAccessKey"), "-v=9 logs the calls: {stderr}");
    assert!(!stderr.contains(&secret), "no secret in the log");
    assert!(!stderr.contains(&env.endpoint.credentials().secret_access_key), "no credentials in the log");
}

/// `--version` names the component the plugin carries, by the digest coreutils computes for it.
#[test]
fn the_version_names_the_component_it_carries() {
    let output =
        std::process::Command::new(env!("CARGO_BIN_EXE_pulumi-resource-aws")).arg("--version").output().unwrap();
    let digest = lightsail_test_support::component_digest_by_coreutils();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success() && stdout.trim_end().ends_with(&format!("(component {digest})")), "{stdout}");
}
