//! Every implemented operation, on its success path and each error path, sent by the real SDK; the
//! raw answer bodies are checked against AWS's own service model (botocore's Lightsail
//! `service-2.json`, as the AWS CLI ships it): every member named in the model with its type,
//! every required member present, enum values from the enum (regions, statuses), and each error one
//! the operation's model lists, with the members of its shape. So the endpoint cannot drift from
//! AWS's shapes unnoticed.

mod common;

use aws_sdk_lightsail::config::Intercept;
use aws_sdk_lightsail::config::interceptors::FinalizerInterceptorContextRef;
use aws_sdk_lightsail::config::{ConfigBag, RuntimeComponents};
use aws_sdk_lightsail::types::{AccessRules, AccessType, BucketAccessLogConfig, ResourceBucketAccess, Tag};
use common::*;
use lightsail_local::{Fault, FaultConfig, LocalEndpoint, ModeledError, Operation, ScriptedFault};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

/// The Lightsail model botocore ships, or `None` where botocore is not installed.
fn model() -> Option<Value> {
    let script = "import botocore, gzip, os, sys\n\
                  d = os.path.join(os.path.dirname(botocore.__file__), 'data', 'lightsail', '2016-11-28')\n\
                  p = os.path.join(d, 'service-2.json')\n\
                  sys.stdout.write(open(p).read() if os.path.exists(p) else gzip.open(p + '.gz', 'rt').read())";
    let output = std::process::Command::new("python3").args(["-c", script]).output().ok()?;
    if !output.status.success() {
        return None;
    }
    serde_json::from_slice(&output.stdout).ok()
}

/// The regions where botocore's `endpoints.json` gives the `lightsail` service an endpoint (the
/// `aws` partition), or `None` where botocore is not installed.
fn endpoint_regions() -> Option<BTreeSet<String>> {
    let script = "import botocore, json, os, sys\n\
                  p = os.path.join(os.path.dirname(botocore.__file__), 'data', 'endpoints.json')\n\
                  d = json.load(open(p))\n\
                  aws = [q for q in d['partitions'] if q['partition'] == 'aws'][0]\n\
                  sys.stdout.write(json.dumps(sorted(aws['services']['lightsail']['endpoints'])))";
    let output = std::process::Command::new("python3").args(["-c", script]).output().ok()?;
    if !output.status.success() {
        return None;
    }
    serde_json::from_slice(&output.stdout).ok()
}

#[test]
fn the_one_region_list_is_where_lightsail_has_endpoints() {
    let (Some(model), Some(endpoints)) = (model(), endpoint_regions()) else {
        assert!(std::env::var_os("REQUIRE_AWS_CLI").is_none(), "REQUIRE_AWS_CLI is set but botocore cannot be read");
        eprintln!("SKIPPED the_one_region_list_is_where_lightsail_has_endpoints: botocore is not installed");
        return;
    };
    let ours: BTreeSet<String> = lightsail_regions::REGIONS.iter().map(|r| r.to_string()).collect();
    assert_eq!(ours, endpoints, "the list is where Lightsail has endpoints");
    let named: BTreeSet<String> = model["shapes"]["RegionName"]["enum"]
        .as_array()
        .expect("the model's RegionName enum")
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert!(ours.is_subset(&named), "every region is one the model names: {:?}", ours.difference(&named));
}

/// An answer as the SDK received it: operation, HTTP status and body.
type Seen = Arc<Mutex<Vec<(String, u16, Vec<u8>)>>>;

/// Keeps each raw answer the SDK receives.
#[derive(Debug, Clone, Default)]
struct Record(Seen);

impl Intercept for Record {
    fn name(&self) -> &'static str {
        "Record"
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_lightsail::error::BoxError> {
        let operation = cfg
            .load::<aws_smithy_runtime_api::client::orchestrator::Metadata>()
            .map(|m| m.name().to_string())
            .unwrap_or_default();
        if let Some(response) = context.response() {
            let body = response.body().bytes().map(<[u8]>::to_vec).unwrap_or_default();
            self.0.lock().unwrap().push((operation, response.status().as_u16(), body));
        }
        Ok(())
    }
}

/// The rule `value` breaks against `shape`, with its path.
fn check(model: &Value, shape_name: &str, value: &Value, path: &str) -> Result<(), String> {
    let shape = &model["shapes"][shape_name];
    let fail = |why: String| Err(format!("{path}: {why} (shape {shape_name})"));
    match shape["type"].as_str().unwrap_or_default() {
        "structure" => {
            let Value::Object(object) = value else { return fail(format!("{value} is not an object")) };
            let members = shape["members"].as_object().cloned().unwrap_or_default();
            for (name, member_value) in object {
                let Some(member) = members.get(name) else {
                    return fail(format!("member {name:?} is not in the model"));
                };
                if member_value.is_null() {
                    return fail(format!("member {name:?} is null (AWS leaves out what it does not send)"));
                }
                check(model, member["shape"].as_str().unwrap(), member_value, &format!("{path}.{name}"))?;
            }
            for required in shape["required"].as_array().into_iter().flatten() {
                let required = required.as_str().unwrap();
                if !object.contains_key(required) {
                    return fail(format!("required member {required:?} is missing"));
                }
            }
            Ok(())
        }
        "list" => {
            let Value::Array(items) = value else { return fail(format!("{value} is not a list")) };
            let member = shape["member"]["shape"].as_str().unwrap();
            items.iter().enumerate().try_for_each(|(i, item)| check(model, member, item, &format!("{path}[{i}]")))
        }
        "map" => {
            let Value::Object(entries) = value else { return fail(format!("{value} is not a map")) };
            let member = shape["value"]["shape"].as_str().unwrap();
            entries.iter().try_for_each(|(k, v)| check(model, member, v, &format!("{path}[{k:?}]")))
        }
        "string" => {
            let Value::String(text) = value else { return fail(format!("{value} is not a string")) };
            if let Some(allowed) = shape["enum"].as_array()
                && !allowed.iter().any(|a| a == text)
            {
                return fail(format!("{text:?} is not one of the {} values of its enum", allowed.len()));
            }
            Ok(())
        }
        "boolean" if value.is_boolean() => Ok(()),
        "integer" | "long" if value.is_i64() || value.is_u64() => Ok(()),
        "double" | "float" if value.is_number() => Ok(()),
        // awsJson: epoch seconds as a number.
        "timestamp" if value.is_number() => Ok(()),
        other => fail(format!("{value} is not of type {other}")),
    }
}

/// Checks one answer: a success against the operation's output, an error against its error shapes.
fn conforms(model: &Value, operation: &str, status: u16, body: &[u8]) -> Result<(), String> {
    let op = &model["operations"][operation];
    if op.is_null() {
        return Err(format!("{operation} is not in the model"));
    }
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("{operation}: the body is not JSON: {e}"))?;
    if status == 200 {
        return check(model, op["output"]["shape"].as_str().unwrap(), &value, operation);
    }
    let type_name = value["__type"].as_str().ok_or_else(|| format!("{operation}: an error without __type"))?;
    let listed: Vec<&str> = op["errors"].as_array().into_iter().flatten().filter_map(|e| e["shape"].as_str()).collect();
    if !listed.contains(&type_name) {
        return Err(format!("{operation}: {type_name} is not among its modeled errors {listed:?}"));
    }
    let mut members = value.clone();
    members.as_object_mut().unwrap().remove("__type");
    check(model, type_name, &members, &format!("{operation} {type_name}"))?;
    let modeled_status = model["shapes"][type_name]["error"]["httpStatusCode"].as_u64();
    match modeled_status {
        Some(expected) if expected != u64::from(status) => {
            Err(format!("{operation} {type_name}: HTTP {status}, the model says {expected}"))
        }
        _ => Ok(()),
    }
}

#[tokio::test]
async fn every_answer_matches_the_aws_model() {
    let Some(model) = model() else {
        assert!(
            std::env::var_os("REQUIRE_AWS_CLI").is_none(),
            "REQUIRE_AWS_CLI is set but botocore's Lightsail model cannot be read with python3"
        );
        eprintln!(
            "SKIPPED every_answer_matches_the_aws_model: botocore (the AWS CLI's Python library) is not installed"
        );
        return;
    };
    let endpoint = endpoint().await;
    let seen = Seen::default();
    let conf = sdk_config(&endpoint.url(), "eu-west-1", endpoint.credentials()).interceptor(Record(seen.clone()));
    let client = aws_sdk_lightsail::Client::from_conf(conf.build());
    drive(&endpoint, &client, &model).await;

    let seen = seen.lock().unwrap().clone();
    let mut failures = Vec::new();
    let mut paths: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (operation, status, body) in &seen {
        if let Err(why) = conforms(&model, operation, *status, body) {
            failures.push(why);
        }
        let value: Value = serde_json::from_slice(body).unwrap_or_default();
        let outcome = value["__type"].as_str().map_or("success".to_string(), str::to_string);
        paths.entry(operation.as_str()).or_default().insert(outcome);
    }
    assert!(
        failures.is_empty(),
        "{} of {} answers break the model:\n{}",
        failures.len(),
        seen.len(),
        failures.join("\n")
    );
    // Every operation this endpoint implements was answered, both ways (SetResourceAccessForBucket
    // cannot succeed: there are no instances to give access to).
    for operation in Operation::ALL {
        let outcomes = paths.get(operation.name()).cloned().unwrap_or_default();
        let never_succeeds = *operation == Operation::SetResourceAccessForBucket;
        assert!(outcomes.contains("success") || never_succeeds, "{} never succeeded: {outcomes:?}", operation.name());
        assert!(outcomes.len() > 1, "{} never failed: {outcomes:?}", operation.name());
    }
}

/// Every operation's success path and error paths, and each modeled error injected once per
/// operation that lists it.
async fn drive(endpoint: &LocalEndpoint, client: &aws_sdk_lightsail::Client, model: &Value) {
    let tag = |k: &str, v: &str| Tag::builder().key(k).value(v).build();
    // Successes.
    let made = client
        .create_bucket()
        .bucket_name("model-bucket")
        .bundle_id("small_1_0")
        .tags(tag("team", "web"))
        .send()
        .await
        .unwrap();
    client.get_buckets().send().await.unwrap();
    client.get_buckets().bucket_name("model-bucket").send().await.unwrap();
    client.update_bucket_bundle().bucket_name("model-bucket").bundle_id("medium_1_0").send().await.unwrap();
    let key = client.create_bucket_access_key().bucket_name("model-bucket").send().await.unwrap();
    client.create_bucket_access_key().bucket_name("model-bucket").send().await.unwrap();
    client.get_bucket_access_keys().bucket_name("model-bucket").send().await.unwrap();
    let operation_id = made.operations()[0].id().unwrap();
    client.get_operation().operation_id(operation_id).send().await.unwrap();
    client.tag_resource().resource_name("model-bucket").tags(tag("env", "dev")).send().await.unwrap();
    client.untag_resource().resource_name("model-bucket").tag_keys("env").send().await.unwrap();
    let key_id = key.access_key().unwrap().access_key_id().unwrap();

    // Errors the rules give.
    let _ = client.create_bucket().bucket_name("model-bucket-2").bundle_id("huge_9_9").send().await;
    let _ = client.get_buckets().bucket_name("no-such-bucket").send().await;
    let _ = client.update_bucket_bundle().bucket_name("no-such-bucket").bundle_id("small_1_0").send().await;
    let _ = client.update_bucket_bundle().bucket_name("model-bucket").bundle_id("huge_9_9").send().await;
    let _ = client.create_bucket_access_key().bucket_name("model-bucket").send().await; // a third key
    let _ = client.create_bucket_access_key().bucket_name("no-such-bucket").send().await;
    let _ = client.get_bucket_access_keys().bucket_name("no-such-bucket").send().await;
    let _ = client
        .delete_bucket_access_key()
        .bucket_name("model-bucket")
        .access_key_id("AKIAAAAAAAAAAAAAAAAA")
        .send()
        .await;
    let _ = client.get_operation().operation_id("no-such-operation").send().await;
    let _ = client.tag_resource().resource_name("model-bucket").tags(tag("aws:reserved", "x")).send().await;
    let _ = client.tag_resource().resource_name("no-such-bucket").tags(tag("k", "v")).send().await;
    let _ = client.untag_resource().resource_name("no-such-bucket").tag_keys("k").send().await;
    let _ = client.delete_bucket().bucket_name("model-bucket").send().await; // it has keys
    let _ = client.delete_bucket().bucket_name("no-such-bucket").send().await;

    // The neighbouring operations.
    client
        .update_bucket()
        .bucket_name("model-bucket")
        .access_rules(AccessRules::builder().get_object(AccessType::Public).allow_public_overrides(true).build())
        .versioning("Enabled")
        .readonly_access_accounts("111122223333")
        .access_log_config(BucketAccessLogConfig::builder().enabled(false).build().unwrap())
        .send()
        .await
        .unwrap();
    client.get_buckets().include_cors(true).send().await.unwrap();
    client.get_operations().send().await.unwrap();
    client.get_operations_for_resource().resource_name("model-bucket").send().await.unwrap();
    client.get_bucket_bundles().send().await.unwrap();
    client.get_regions().include_availability_zones(true).send().await.unwrap();
    let _ = client.update_bucket().bucket_name("model-bucket").versioning("Sometimes").send().await;
    let _ = client.update_bucket().bucket_name("no-such-bucket").send().await;
    let _ = client.update_bucket_bundle().bucket_name("model-bucket").bundle_id("large_1_0").send().await; // once per cycle
    let _ = client.get_buckets().page_token("not-a-token").send().await;
    let _ = client.get_operations().page_token("not-a-token").send().await;
    let _ = client.get_operations_for_resource().resource_name("no-such-bucket").send().await;
    let _ = client.delete_bucket_access_key().bucket_name("model-bucket").access_key_id("not-a-key").send().await;
    let allow = ResourceBucketAccess::Allow;
    let set_access = |resource: &str| {
        client
            .set_resource_access_for_bucket()
            .resource_name(resource)
            .bucket_name("model-bucket")
            .access(allow.clone())
    };
    let _ = set_access("my-instance").send().await;
    let _ = set_access("-bad name-").send().await;

    // Each modeled error, injected where the operation's model lists it.
    let operations = [
        "GetBuckets",
        "GetBucketAccessKeys",
        "GetOperation",
        "TagResource",
        "CreateBucket",
        "GetBucketBundles",
        "GetRegions",
        "GetOperations",
    ];
    for error in ModeledError::ALL {
        for operation in operations {
            let listed = model["operations"][operation]["errors"].as_array().unwrap();
            if !listed.iter().any(|e| e["shape"] == error.type_name()) {
                continue;
            }
            let fault = ScriptedFault { operation: Some(operation.into()), fault: Fault::Error(error), hold: None };
            endpoint.set_faults(FaultConfig { script: vec![fault], ..Default::default() }).unwrap();
            match operation {
                "GetBuckets" => drop(client.get_buckets().send().await),
                "GetBucketAccessKeys" => drop(client.get_bucket_access_keys().bucket_name("model-bucket").send().await),
                "GetOperation" => drop(client.get_operation().operation_id(operation_id).send().await),
                "TagResource" => {
                    drop(client.tag_resource().resource_name("model-bucket").tags(tag("k", "v")).send().await)
                }
                "GetBucketBundles" => drop(client.get_bucket_bundles().send().await),
                "GetRegions" => drop(client.get_regions().send().await),
                "GetOperations" => drop(client.get_operations().send().await),
                _ => drop(client.create_bucket().bucket_name("never-made").bundle_id("small_1_0").send().await),
            }
        }
    }
    endpoint.set_faults(FaultConfig::default()).unwrap();

    // Last, the deletes that succeed.
    client.delete_bucket_access_key().bucket_name("model-bucket").access_key_id(key_id).send().await.unwrap();
    client.delete_bucket().bucket_name("model-bucket").force_delete(true).send().await.unwrap();
}
