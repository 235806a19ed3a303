//! The built component: its contract at the binary level.

mod common;

use std::collections::BTreeSet;
use wit_component::DecodedWasm;

#[test]
fn imports_exactly_the_declared_interfaces_and_no_wasi() {
    let decoded = wit_component::decode(lightsail_provider_host::PROVIDER_COMPONENT).unwrap();
    let DecodedWasm::Component(resolve, world) = decoded else { panic!("not a component") };
    let world = &resolve.worlds[world];
    let imports: BTreeSet<String> = world.imports.keys().map(|key| resolve.name_world_key(key)).collect();
    let exports: BTreeSet<String> = world.exports.keys().map(|key| resolve.name_world_key(key)).collect();
    let version = lightsail_provider_host::CONTRACT_VERSION;
    let expected: BTreeSet<String> = ["errors", "lightsail", "openpgp", "lock", "wait", "log"]
        .into_iter()
        .map(|interface| format!("lightsail:provider/{interface}@{version}"))
        .collect();
    assert_eq!(imports, expected);
    assert!(imports.iter().all(|i| !i.starts_with("wasi:")));
    assert_eq!(exports, BTreeSet::from([format!("lightsail:provider/resource-provider@{version}")]));
}

#[tokio::test]
async fn schema_describes_the_resource_and_marks_the_secret() {
    let provider = lightsail_provider_host::Provider::new(common::test_runtime(), None);
    assert_eq!(provider.resource_types().await.unwrap(), vec![common::TOKEN, "aws:lightsail/bucket:Bucket"]);
    let schema: serde_json::Value = serde_json::from_str(&provider.schema().await.unwrap()).unwrap();
    let resource = &schema["resources"][common::TOKEN];
    assert_eq!(resource["requiredInputs"], serde_json::json!(["bucketName"]));
    assert_eq!(resource["properties"]["secretAccessKey"]["secret"], true);
    for output in ["accessKeyId", "bucketName", "createdAt", "region", "secretAccessKey", "status", "lastUsed"] {
        assert!(resource["properties"].get(output).is_some(), "{output}");
    }
    for input in ["bucketName", "region"] {
        assert_eq!(resource["inputProperties"][input]["willReplaceOnChanges"], true, "{input}");
    }
}

/// A runtime accounts for every call, and for the host calls (the API) inside each: what an engine
/// reads to see what the component adds on top of the API.
#[tokio::test]
async fn call_times_account_for_every_call_and_its_host_calls() {
    use lightsail_provider_host::{ComponentRuntime, PROVIDER_COMPONENT, Provider, RuntimeOptions};
    use std::time::Duration;

    let setup = common::TestEnvironment::new().await;
    setup.bucket("times-bucket").await;
    // A runtime of its own: the shared one counts the calls of the tests running beside this one.
    let options = RuntimeOptions { cache_dir: None, ..Default::default() };
    let runtime = std::sync::Arc::new(ComponentRuntime::new(PROVIDER_COMPONENT, options).unwrap());
    let provider = Provider::new(runtime.clone(), Some(setup.api.clone())).with_locks(common::test_locks());

    provider.check(common::TOKEN, None, &common::inputs("times-bucket")).await.unwrap();
    let checked = runtime.take_call_times();
    assert_eq!((checked.calls, checked.host), (1, Duration::ZERO), "check makes no host call: {checked:?}");
    assert!(checked.instantiate > Duration::ZERO && checked.run > Duration::ZERO, "{checked:?}");

    let created = provider.create(common::TOKEN, &common::inputs("times-bucket"), false).await.unwrap();
    provider.delete(common::TOKEN, &created.id, &created.outputs.values).await.unwrap();
    let lifecycle = runtime.take_call_times();
    assert_eq!(lifecycle.calls, 2, "{lifecycle:?}");
    assert_eq!((checked.new_instances, lifecycle.new_instances), (1, 0), "the check's instance is reused");
    assert!(lifecycle.host > Duration::ZERO && lifecycle.host <= lifecycle.run, "{lifecycle:?}");
    assert_eq!(runtime.take_call_times(), Default::default(), "taking the times starts afresh");
}

/// The versioning policy (docs/contract.md): before 1.0 a host serves the components of its own
/// minor version. The previous release's component is refused before anything runs, with both
/// versions and what to do named, rather than failing to link on a type deep inside.
#[test]
fn the_previous_releases_component_is_refused_with_what_to_do() {
    let previous = include_bytes!("fixtures/provider-0.5.0.wasm");
    let options = lightsail_provider_host::RuntimeOptions { cache_dir: None, ..Default::default() };
    let error = match lightsail_provider_host::ComponentRuntime::new(previous, options) {
        Ok(_) => panic!("a component of 0.5.0 was accepted"),
        Err(e) => e.to_string(),
    };
    let version = lightsail_provider_host::CONTRACT_VERSION;
    for part in
        ["lightsail:provider 0.5.0", &format!("this host serves {version}"), "lightsail-provider component --out"]
    {
        assert!(error.contains(part), "{part:?} is missing from: {error}");
    }
    assert!(lightsail_provider_host::contract_serves(version));
    assert!(!lightsail_provider_host::contract_serves("0.5.0") && !lightsail_provider_host::contract_serves("1.0.0"));
}
