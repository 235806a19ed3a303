//! Stored state the provider did not write today: this provider's own before 0.3.0 (schema version
//! 1, a fixture), and hashicorp/aws's when only some of its resources move to this provider.

mod common;

use common::*;
use lightsail_local::LocalEndpoint;

/// The command docs/terraform.md gives to bring state of schema version 1 to this provider's
/// (and hashicorp/aws's) version 0: the attributes are read as they are.
const RECORD_VERSION_0: &str = "terraform state pull | jq '(.resources[] | select(.type | startswith(\"aws_lightsail_\")) | .instances[].schema_version) |= 0 | .serial += 1' > upgraded.tfstate && terraform state push upgraded.tfstate && rm upgraded.tfstate";

/// The seed applied, then its state replaced by the fixture of schema version 1 (filled in with
/// the objects' own values). Terraform itself refuses a schema version above the provider's (0,
/// hashicorp/aws's, so that state moves back to it), naming the resource; after the documented
/// command the plan is empty, the secret is kept, and the state is written at version 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_of_schema_version_1_upgrades_with_an_empty_plan() {
    if !terraform_installed("state_of_schema_version_1_upgrades_with_an_empty_plan") || !jq_installed() {
        return;
    }
    let endpoint = LocalEndpoint::start(Default::default()).await.unwrap();
    let ws = Workspace::new(&provider_block(&endpoint));
    let (ws, refused, plan, show) = blocking(move || {
        ws.ok(&["apply", "-auto-approve", "-input=false"]);
        let state_file = ws.work.join("terraform.tfstate");
        let current: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&state_file).unwrap()).unwrap();
        let mut fixture = include_str!("fixtures/schema-version-1.tfstate").to_string();
        for resource in current["resources"].as_array().unwrap() {
            let prefix = if resource["type"] == "aws_lightsail_bucket" { "bucket" } else { "key" };
            for (name, value) in resource["instances"][0]["attributes"].as_object().unwrap() {
                if let Some(value) = value.as_str() {
                    fixture = fixture.replace(&format!("@{prefix}.{name}@"), value);
                }
            }
        }
        assert!(!fixture.contains('@'), "every placeholder filled:\n{fixture}");
        std::fs::write(&state_file, fixture).unwrap();
        let refused = ws.terraform(&["plan", "-input=false"]);
        ws.shell(RECORD_VERSION_0);
        let plan = ws.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
        ws.ok(&["apply", "-refresh-only", "-auto-approve", "-input=false"]);
        let show = ws.ok(&["show", "-json"]);
        (ws, refused, plan, show)
    })
    .await;
    assert_ne!(refused.code, 0);
    assert!(refused.out.contains("Resource instance managed by newer provider version"), "{}", refused.out);
    assert_eq!(plan.code, 0, "no change planned for the attributes of schema version 1:\n{}", plan.out);
    let show: serde_json::Value = serde_json::from_str(&show).unwrap();
    let resources = show["values"]["root_module"]["resources"].as_array().unwrap();
    let key = resources.iter().find(|r| r["type"] == "aws_lightsail_bucket_access_key").unwrap();
    assert_eq!(key["schema_version"], 0);
    let secret = key["values"]["secret_access_key"].as_str().unwrap();
    assert!(endpoint.inspect(|s| s.issued_secrets().iter().any(|issued| issued == secret)), "the secret is kept");
    blocking(move || ws.ok(&["destroy", "-auto-approve", "-input=false"])).await;
}

/// Whether jq can run here. CI installs it (`REQUIRE_JQ=1`).
fn jq_installed() -> bool {
    if std::process::Command::new("jq").arg("--version").output().is_ok_and(|o| o.status.success()) {
        return true;
    }
    assert!(std::env::var_os("REQUIRE_JQ").is_none(), "REQUIRE_JQ is set but jq is not installed");
    eprintln!("SKIPPED: jq is not installed");
    false
}

/// Only a bucket and its key move from hashicorp/aws to this provider, in a state they share with
/// another hashicorp/aws resource: adding `provider = awslightsail` to the two plans no change; the
/// apply records the new provider for them, keeps the secret, and leaves the other with
/// hashicorp/aws. No separate state, no `replace-provider`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn some_resources_move_to_this_provider_in_a_shared_state() {
    let test = "some_resources_move_to_this_provider_in_a_shared_state";
    if !terraform_installed(test) || !hashicorp_aws_installed(test) {
        return;
    }
    let endpoint = LocalEndpoint::start(Default::default()).await.unwrap();
    let configuration = |ours: bool| {
        let provider = if ours { "\n  provider    = awslightsail" } else { "" };
        format!(
            r#"
resource "aws_lightsail_bucket" "moved" {{{provider}
  name      = "moved-bucket"
  bundle_id = "small_1_0"
}}
resource "aws_lightsail_bucket_access_key" "moved" {{{provider}
  bucket_name = aws_lightsail_bucket.moved.id
}}
resource "aws_lightsail_bucket" "stays" {{
  name      = "stays-bucket"
  bundle_id = "small_1_0"
}}
"#
        )
    };
    let ws = mirrored_workspace(&endpoint, &configuration(false));
    let ours = both_providers(&endpoint, &configuration(true));
    let (ws, plan, before, after) = blocking(move || {
        ws.ok(&["init", "-input=false"]);
        ws.ok(&["apply", "-auto-approve", "-input=false"]);
        let before = ws.ok(&["show", "-json"]);
        std::fs::write(ws.work.join("main.tf"), &ours).unwrap();
        let plan = ws.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
        ws.ok(&["apply", "-auto-approve", "-input=false"]);
        let after = ws.ok(&["show", "-json"]);
        (ws, plan, before, after)
    })
    .await;
    assert_eq!(plan.code, 0, "moving the two to this provider plans no change:\n{}", plan.out);
    let resource = |show: &str, address: &str| -> serde_json::Value {
        let show: serde_json::Value = serde_json::from_str(show).unwrap();
        let resources = show["values"]["root_module"]["resources"].as_array().unwrap().clone();
        resources.into_iter().find(|r| r["address"] == address).unwrap()
    };
    let ours = "registry.terraform.io/lightsail-wasm/awslightsail";
    let theirs = "registry.terraform.io/hashicorp/aws";
    for address in ["aws_lightsail_bucket.moved", "aws_lightsail_bucket_access_key.moved"] {
        assert_eq!(resource(&after, address)["provider_name"], ours, "{address}");
    }
    assert_eq!(resource(&after, "aws_lightsail_bucket.stays")["provider_name"], theirs);
    let secret =
        |show: &str| resource(show, "aws_lightsail_bucket_access_key.moved")["values"]["secret_access_key"].clone();
    assert!(secret(&before).is_string());
    assert_eq!(secret(&after), secret(&before), "the secret is kept");
    blocking(move || ws.ok(&["destroy", "-auto-approve", "-input=false"])).await;
    assert!(endpoint.inspect(|s| s.bucket_names("us-east-1")).is_empty(), "all gone");
}
