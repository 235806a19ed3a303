//! The installed `terraform` drives the adapter (and so the component) against the local endpoint:
//! the seed's example verbatim, plan, state, import both ways, refresh after an out-of-band delete,
//! replacement and in-place update, destroy. The CLI configuration is written by the test
//! (`dev_overrides`), so no registry is reached and no `terraform init` is needed.

mod common;

use common::*;
use lightsail_local::{Config, Fault, FaultConfig, LocalEndpoint, ScriptedFault};
use lightsail_test_support::LocalEndpointOptions;
use std::process::Command;

fn keys(endpoint: &LocalEndpoint, bucket: &str) -> Vec<String> {
    endpoint.inspect(|s| s.access_key_ids("us-east-1", bucket)).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_example_through_its_whole_life() {
    if !terraform_installed("the_seed_example_through_its_whole_life") {
        return;
    }
    let endpoint = LocalEndpoint::start(Default::default()).await.unwrap();
    let provider = provider_block(&endpoint);
    let ws = std::sync::Arc::new(Workspace::new(&provider));
    let tf = |args: &'static [&'static str]| {
        let ws = ws.clone();
        blocking(move || ws.ok(args))
    };
    let tf_run = |args: Vec<String>| {
        let ws = ws.clone();
        blocking(move || ws.terraform(&args.iter().map(String::as_str).collect::<Vec<_>>()))
    };

    // Apply the seed's example: both resources, the secret hidden in the plan.
    let out = tf(&["apply", "-auto-approve"]).await;
    assert!(out.contains("Apply complete! Resources: 2 added"), "{out}");
    let plan_line = |l: &str| has(l.trim_start_matches(['+', ' ']), "secret_access_key", "(sensitive value)");
    assert!(out.lines().any(plan_line), "{out}");
    assert_eq!(keys(&endpoint, "example-bucket").len(), 1);

    // Nothing left to do.
    let plan = tf_run(vec!["plan".into(), "-detailed-exitcode".into()]).await;
    assert_eq!(plan.code, 0, "{}", plan.out);

    let show = tf(&["state", "show", "aws_lightsail_bucket_access_key.example"]).await;
    assert!(has(&show, "secret_access_key", "(sensitive value)"), "{show}");
    assert!(has(&show, "bucket_name", r#""example-bucket""#), "{show}");
    assert!(has(&show, "status", r#""Active""#), "{show}");
    let id = state_id(&show);
    assert_eq!(vec![id.split_once(',').unwrap().1.to_string()], keys(&endpoint, "example-bucket"));
    let bucket = tf(&["state", "show", "aws_lightsail_bucket.example"]).await;
    assert!(has(&bucket, "availability_zone", r#""all""#), "{bucket}");

    // Import with the CLI: the next plan is empty, and the secret is not there.
    tf(&["state", "rm", "aws_lightsail_bucket_access_key.example"]).await;
    let out = tf_run(vec!["import".into(), "aws_lightsail_bucket_access_key.example".into(), id.clone()]).await;
    assert_eq!(out.code, 0, "{}", out.out);
    let plan = tf_run(vec!["plan".into(), "-detailed-exitcode".into()]).await;
    assert_eq!(plan.code, 0, "an import plans nothing:\n{}", plan.out);
    let show = tf(&["state", "show", "aws_lightsail_bucket_access_key.example"]).await;
    assert!(!show.contains("secret_access_key"), "no secret after import:\n{show}");
    assert!(has(&show, "bucket_name", r#""example-bucket""#), "{show}");

    // Import with an import block, in the region form of the id.
    tf(&["state", "rm", "aws_lightsail_bucket_access_key.example"]).await;
    let block =
        format!("{SEED}\nimport {{\n  to = aws_lightsail_bucket_access_key.example\n  id = \"{id}@us-east-1\"\n}}\n");
    ws.write(&provider, &block);
    let out = tf(&["apply", "-auto-approve"]).await;
    assert!(out.contains("1 imported, 0 added, 0 changed, 0 destroyed"), "{out}");
    ws.write(&provider, SEED);
    let plan = tf_run(vec!["plan".into(), "-detailed-exitcode".into()]).await;
    assert_eq!(plan.code, 0, "{}", plan.out);

    // Deleted out of band: refresh drops it, the next plan creates it again.
    let key_id = id.split_once(',').unwrap().1.to_string();
    endpoint_delete_key(&endpoint, &key_id).await;
    let plan = tf_run(vec!["plan".into(), "-detailed-exitcode".into()]).await;
    assert_eq!(plan.code, 2, "{}", plan.out);
    assert!(plan.out.contains("aws_lightsail_bucket_access_key.example will be created"), "{}", plan.out);
    let out = tf(&["apply", "-refresh-only", "-auto-approve"]).await;
    assert!(out.contains("Apply complete!"), "{out}");
    let list = tf(&["state", "list"]).await;
    assert!(!list.contains("aws_lightsail_bucket_access_key.example"), "{list}");
    tf(&["apply", "-auto-approve"]).await;
    let recreated = keys(&endpoint, "example-bucket");
    assert_eq!(recreated.len(), 1);
    assert_ne!(recreated[0], key_id);

    // A new bucket name replaces the key; a new bundle changes the bucket in place.
    let changed = SEED
        .replace("small_1_0", "medium_1_0")
        .replace("aws_lightsail_bucket.example.id", "aws_lightsail_bucket.other.id")
        + "resource \"aws_lightsail_bucket\" \"other\" {\n  name      = \"other-bucket\"\n  bundle_id = \"small_1_0\"\n}\n";
    ws.write(&provider, &changed);
    let plan = tf(&["plan"]).await;
    assert!(plan.contains("aws_lightsail_bucket_access_key.example must be replaced"), "{plan}");
    assert!(plan.contains("# forces replacement"), "{plan}");
    assert!(plan.contains("aws_lightsail_bucket.example will be updated in-place"), "{plan}");
    assert!(plan.contains("Plan: 2 to add, 1 to change, 1 to destroy."), "{plan}");
    let out = tf(&["apply", "-auto-approve"]).await;
    assert!(out.contains("Apply complete!"), "{out}");
    assert!(keys(&endpoint, "example-bucket").is_empty());
    assert_eq!(keys(&endpoint, "other-bucket").len(), 1);
    let bucket = tf(&["state", "show", "aws_lightsail_bucket.example"]).await;
    assert!(has(&bucket, "bundle_id", r#""medium_1_0""#), "{bucket}");

    // Destroy: nothing is left at the endpoint.
    let out = tf(&["destroy", "-auto-approve"]).await;
    assert!(out.contains("Destroy complete! Resources: 3 destroyed."), "{out}");
    assert!(endpoint.inspect(|s| s.bucket_names("us-east-1")).is_empty());
}

/// The seed's bucket with two keys, which Terraform creates at the same time.
const TWO_KEYS: &str = r#"
resource "aws_lightsail_bucket" "example" {
  name      = "example-bucket"
  bundle_id = "small_1_0"
}
resource "aws_lightsail_bucket_access_key" "example" {
  count       = 2
  bucket_name = aws_lightsail_bucket.example.id
}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_keys_of_one_bucket_created_at_once_both_survive_a_lost_answer() {
    if !terraform_installed("two_keys_of_one_bucket_created_at_once_both_survive_a_lost_answer") {
        return;
    }
    let endpoint = endpoint_losing_the_first_create().await;
    // Only this apply makes keys of the bucket: declared, the lost attempt's key is deleted.
    let provider =
        provider_block(&endpoint).replace("max_retries = 1", "max_retries = 1\n  key_creators_share_lock = true");
    let ws = std::sync::Arc::new(Workspace::new(&provider));
    ws.write(&provider, TWO_KEYS);
    let (apply, shows, plan) = {
        let ws = ws.clone();
        blocking(move || {
            let apply = ws.ok(&["apply", "-auto-approve"]);
            let shows: Vec<String> = (0..2)
                .map(|i| ws.ok(&["state", "show", &format!("aws_lightsail_bucket_access_key.example[{i}]")]))
                .collect();
            (apply, shows, ws.terraform(&["plan", "-detailed-exitcode"]))
        })
        .await
    };
    assert!(apply.contains("Apply complete! Resources: 3 added"), "{apply}");
    assert_eq!(endpoint.stats().faults["lost_response"], 1, "the scripted answer was lost");

    // Both recorded keys, and only they, are at the endpoint; the next plan has nothing to do.
    let mut recorded: Vec<String> =
        shows.iter().map(|show| state_id(show).split_once(',').unwrap().1.to_string()).collect();
    recorded.sort();
    let mut at_endpoint = keys(&endpoint, "example-bucket");
    at_endpoint.sort();
    assert_eq!(recorded, at_endpoint);
    assert!(shows.iter().all(|show| has(show, "secret_access_key", "(sensitive value)")), "{shows:?}");
    assert_eq!(plan.code, 0, "{}", plan.out);

    let out = blocking(move || ws.ok(&["destroy", "-auto-approve"])).await;
    assert!(out.contains("Destroy complete! Resources: 3 destroyed."), "{out}");
}

async fn endpoint_losing_the_first_create() -> LocalEndpoint {
    let lost =
        ScriptedFault { operation: Some("CreateBucketAccessKey".into()), fault: Fault::LostResponse, hold: None };
    let faults = FaultConfig { seed: 1, script: vec![lost], ..Default::default() };
    LocalEndpoint::start(Config { faults, ..Default::default() }).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_declaration_a_lost_answers_key_is_named_and_kept() {
    if !terraform_installed("without_the_declaration_a_lost_answers_key_is_named_and_kept") {
        return;
    }
    let endpoint = endpoint_losing_the_first_create().await;
    let provider = provider_block(&endpoint);
    let ws = std::sync::Arc::new(Workspace::new(&provider));
    ws.write(&provider, TWO_KEYS);
    let (apply, list) = {
        let ws = ws.clone();
        blocking(move || (ws.terraform(&["apply", "-auto-approve"]), ws.ok(&["state", "list"]))).await
    };
    // One key is recorded; the lost attempt's key, which the host cannot tell from another
    // creator's, is named with the commands, and kept.
    assert_eq!(apply.code, 1, "{}", apply.out);
    let recorded: Vec<&str> = list.lines().filter(|l| l.starts_with("aws_lightsail_bucket_access_key.")).collect();
    assert_eq!(recorded.len(), 1, "{list}");
    let show = blocking({
        let (ws, address) = (ws.clone(), recorded[0].to_string());
        move || ws.ok(&["state", "show", &address])
    })
    .await;
    let recorded = state_id(&show).split_once(',').unwrap().1.to_string();
    let at_endpoint = keys(&endpoint, "example-bucket");
    assert_eq!(at_endpoint.len(), 2, "{at_endpoint:?}");
    let named = at_endpoint.iter().find(|k| **k != recorded).unwrap();
    let out = apply.out.split_whitespace().collect::<Vec<_>>().join(" ");
    for part in [
        "AWS error OutcomeUnknown",
        &format!("Meanwhile the bucket gained the key {named}"),
        "so nothing was deleted",
        &format!("--bucket-name example-bucket --access-key-id {named}"),
    ] {
        assert!(out.contains(part), "{part:?} is missing from:\n{}", apply.out);
    }
}

async fn endpoint_delete_key(endpoint: &LocalEndpoint, key_id: &str) {
    let options = lightsail_provider_host::aws::AwsOptions::default().with_local_endpoint(endpoint, "us-east-1");
    let api = lightsail_provider_host::aws::LightsailApi::new(options).await.unwrap();
    api.client(None)
        .delete_bucket_access_key()
        .bucket_name("example-bucket")
        .access_key_id(key_id)
        .send()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_provider_arguments_and_invalid_inputs_are_refused_by_name() {
    if !terraform_installed("unknown_provider_arguments_and_invalid_inputs_are_refused_by_name") {
        return;
    }
    let endpoint = LocalEndpoint::start(Default::default()).await.unwrap();
    let provider = provider_block(&endpoint).replace("max_retries = 1", "max_retries = 1\n  s3_use_path_style = true");
    let ws = Workspace::new(&provider);
    let run = blocking(move || {
        let first = ws.terraform(&["plan"]);
        ws.write(
            &provider_block_without_extra(&provider),
            "resource \"aws_lightsail_bucket_access_key\" \"bad\" {\n  bucket_name = \"Not_A_Bucket\"\n}\n",
        );
        let second = ws.terraform(&["plan"]);
        (first, second)
    })
    .await;
    assert_ne!(run.0.code, 0);
    assert!(run.0.out.contains(r#"An argument named "s3_use_path_style" is not expected here"#), "{}", run.0.out);
    assert_ne!(run.1.code, 0);
    assert!(run.1.out.contains("Invalid bucket_name"), "{}", run.1.out);
    assert!(run.1.out.contains("lowercase letters, digits and hyphens"), "{}", run.1.out);
    assert_eq!(endpoint.stats().total_calls(), 0, "nothing reached the endpoint");
}

fn provider_block_without_extra(block: &str) -> String {
    block.replace("\n  s3_use_path_style = true", "")
}

/// The documented install: this provider under its own address from a mirror laid out by the
/// binary, hashicorp/aws from its own mirror, `terraform init` with a lock file; then one
/// configuration where hashicorp/aws makes the bucket and this provider a key of it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn installed_under_its_own_address_beside_hashicorp_aws() {
    let test = "installed_under_its_own_address_beside_hashicorp_aws";
    if !terraform_installed(test) || !hashicorp_aws_installed(test) {
        return;
    }
    let endpoint = LocalEndpoint::start(Default::default()).await.unwrap();
    let resources = r#"
resource "aws_lightsail_bucket" "real" {
  name      = "mixed-bucket"
  bundle_id = "small_1_0"
}
resource "aws_lightsail_bucket_access_key" "ours" {
  provider    = awslightsail
  bucket_name = aws_lightsail_bucket.real.id
}
"#;
    let ws = mirrored_workspace(&endpoint, resources);

    let (ws, plan) = blocking(move || {
        ws.ok(&["init", "-input=false"]);
        ws.ok(&["apply", "-auto-approve", "-input=false"]);
        let plan = ws.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
        (ws, plan)
    })
    .await;
    let lock = std::fs::read_to_string(ws.work.join(".terraform.lock.hcl")).unwrap();
    assert!(lock.contains("registry.terraform.io/lightsail-wasm/awslightsail"), "{lock}");
    assert!(lock.contains("registry.terraform.io/hashicorp/aws"), "{lock}");
    assert_eq!(plan.code, 0, "nothing to change after the apply:\n{}", plan.out);
    assert_eq!(keys(&endpoint, "mixed-bucket").len(), 1, "our key on the real provider's bucket");
    let ws = blocking(move || {
        ws.ok(&["destroy", "-auto-approve", "-input=false"]);
        ws
    })
    .await;
    drop(ws);
    assert!(endpoint.inspect(|s| s.bucket_names("us-east-1")).is_empty(), "all gone");
}

/// Provider settings are checked when the provider is configured, so a plan reports them, naming
/// the argument; and no diagnostic carries a backtrace, whatever RUST_BACKTRACE says.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_settings_are_checked_at_plan_without_backtraces() {
    if !terraform_installed("provider_settings_are_checked_at_plan_without_backtraces") {
        return;
    }
    let endpoint = LocalEndpoint::start(Default::default()).await.unwrap();
    let good = provider_block(&endpoint);
    let cases = [
        (good.replace("\"us-east-1\"", "\"mars-north-1\""), "Invalid provider argument region", "mars-north-1"),
        (
            good.replace(&format!("lightsail = \"{}\"", endpoint.url()), "lightsail = \"not a url\""),
            "Invalid provider argument endpoints",
            "not a url",
        ),
        (
            good.lines()
                .filter(|l| !l.contains("access_key") && !l.contains("secret_key"))
                .collect::<Vec<_>>()
                .join("\n"),
            "No valid credentials",
            "AWS_ACCESS_KEY_ID",
        ),
        (good.replace("max_retries = 1", "max_retries = -1"), "Invalid provider argument max_retries", "0 to 99"),
    ];
    for (block, summary, detail) in cases {
        let ws = Workspace::new(&block);
        let run = blocking(move || {
            let mut command = Command::new("terraform");
            command
                .args(["plan", "-no-color", "-input=false"])
                .current_dir(&ws.work)
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("HOME", &ws.root)
                .env("TF_CLI_CONFIG_FILE", ws.root.join("cli.tfrc"))
                .env("CHECKPOINT_DISABLE", "1")
                .env("AWS_EC2_METADATA_DISABLED", "true")
                .env("AWS_CONFIG_FILE", "/dev/null")
                .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
                .env("RUST_BACKTRACE", "1");
            command.output().unwrap()
        })
        .await;
        let out = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
        assert_ne!(run.status.code(), Some(0), "{out}");
        assert!(out.contains(summary) && out.contains(detail), "{summary}:\n{out}");
        for noise in ["stack backtrace", "backtrace::", "rustc/", "{ source", "(retryable)"] {
            assert!(!out.contains(noise), "{noise}:\n{out}");
        }
    }
    assert_eq!(endpoint.stats().total_calls(), 0, "a plan that fails on settings sends nothing");
}

/// `tags` and the provider's `default_tags` as hashicorp/aws has them: `tags_all` known at plan,
/// the bucket carrying both, a change of either made in place, the next plan empty.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bucket_tags_and_default_tags_change_in_place() {
    if !terraform_installed("bucket_tags_and_default_tags_change_in_place") {
        return;
    }
    let endpoint = LocalEndpoint::start(Default::default()).await.unwrap();
    let with_defaults = |tags: &str| {
        provider_block(&endpoint).replacen("}\n", &format!("}}\n  default_tags {{\n    tags = {{ {tags} }}\n  }}\n"), 1)
    };
    let bucket = |tags: &str| {
        format!(
            "resource \"aws_lightsail_bucket\" \"tagged\" {{\n  name      = \"tagged-bucket\"\n  bundle_id = \"small_1_0\"\n  tags      = {{ {tags} }}\n}}\n"
        )
    };
    let ws = std::sync::Arc::new(Workspace::new(&with_defaults(r#"env = "dev", team = "infra""#)));
    ws.write(&with_defaults(r#"env = "dev", team = "infra""#), &bucket(r#"team = "web", "cost center" = "42""#));
    let (first_plan, apply, plan, show) = {
        let ws = ws.clone();
        blocking(move || {
            let first_plan = ws.ok(&["plan"]);
            let apply = ws.ok(&["apply", "-auto-approve"]);
            let plan = ws.terraform(&["plan", "-detailed-exitcode"]);
            (first_plan, apply, plan, ws.ok(&["state", "show", "aws_lightsail_bucket.tagged"]))
        })
        .await
    };
    assert!(first_plan.contains(r#""cost center" = "42""#) && first_plan.contains(r#"+ tags_all"#), "{first_plan}");
    assert!(apply.contains("Apply complete! Resources: 1 added"), "{apply}");
    assert_eq!(plan.code, 0, "{}", plan.out);
    let carried = |endpoint: &LocalEndpoint| {
        let mut tags = endpoint.inspect(|s| s.bucket_tags("us-east-1", "tagged-bucket")).unwrap();
        tags.sort();
        tags
    };
    let pairs = |list: &[(&str, &str)]| list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
    assert_eq!(carried(&endpoint), pairs(&[("cost center", "42"), ("env", "dev"), ("team", "web")]));
    assert!(has(&show, r#""team""#, r#""web""#), "{show}");

    // One tag removed, one default changed: both in place.
    ws.write(&with_defaults(r#"env = "prod", team = "infra""#), &bucket(r#"team = "web""#));
    let (plan, apply, after) = {
        let ws = ws.clone();
        blocking(move || {
            let plan = ws.ok(&["plan"]);
            let apply = ws.ok(&["apply", "-auto-approve"]);
            (plan, apply, ws.terraform(&["plan", "-detailed-exitcode"]))
        })
        .await
    };
    assert!(plan.contains("aws_lightsail_bucket.tagged will be updated in-place"), "{plan}");
    assert!(apply.contains("1 changed"), "{apply}");
    assert_eq!(after.code, 0, "{}", after.out);
    assert_eq!(carried(&endpoint), pairs(&[("env", "prod"), ("team", "web")]));

    // A reserved key is refused at plan, by name, and nothing is sent.
    let calls = endpoint.stats().total_calls();
    ws.write(&with_defaults(r#"env = "prod""#), &bucket(r#""aws:owner" = "me""#));
    let refused = {
        let ws = ws.clone();
        blocking(move || ws.terraform(&["plan"])).await
    };
    assert_ne!(refused.code, 0);
    assert!(refused.out.contains("Invalid tags") && refused.out.contains("aws:owner"), "{}", refused.out);
    assert_eq!(endpoint.stats().total_calls(), calls, "nothing was sent");
    ws.write(&with_defaults(r#"env = "prod""#), &bucket(""));
    blocking(move || ws.ok(&["destroy", "-auto-approve"])).await;
    assert!(endpoint.inspect(|s| s.bucket_names("us-east-1")).is_empty());
}

/// State moves from hashicorp/aws to this provider and back with `terraform state
/// replace-provider`, and neither side plans a change afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_moves_from_hashicorp_aws_and_back() {
    let test = "state_moves_from_hashicorp_aws_and_back";
    if !terraform_installed(test) || !hashicorp_aws_installed(test) {
        return;
    }
    let endpoint = LocalEndpoint::start(Default::default()).await.unwrap();
    let configuration = |ours: bool| {
        let provider = if ours { "\n  provider    = awslightsail" } else { "" };
        let resources = format!(
            r#"
resource "aws_lightsail_bucket" "moved" {{{provider}
  name      = "moved-bucket"
  bundle_id = "small_1_0"
  tags      = {{ team = "web" }}
}}
resource "aws_lightsail_bucket_access_key" "moved" {{{provider}
  bucket_name = aws_lightsail_bucket.moved.id
}}
"#
        );
        resources
    };
    let ws = mirrored_workspace(&endpoint, &configuration(false));
    let (ours, theirs) =
        (both_providers(&endpoint, &configuration(true)), both_providers(&endpoint, &configuration(false)));
    let (ws, to_ours, back) = blocking(move || {
        ws.ok(&["init", "-input=false"]);
        ws.ok(&["apply", "-auto-approve", "-input=false"]);
        std::fs::write(ws.work.join("main.tf"), &ours).unwrap();
        let from = "registry.terraform.io/hashicorp/aws";
        let to = "registry.terraform.io/lightsail-wasm/awslightsail";
        ws.ok(&["state", "replace-provider", "-auto-approve", from, to]);
        let to_ours = ws.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
        std::fs::write(ws.work.join("main.tf"), &theirs).unwrap();
        ws.ok(&["state", "replace-provider", "-auto-approve", to, from]);
        let back = ws.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
        (ws, to_ours, back)
    })
    .await;
    assert_eq!(
        to_ours.code, 0,
        "this provider takes over hashicorp/aws's state with nothing to change:\n{}",
        to_ours.out
    );
    assert_eq!(back.code, 0, "hashicorp/aws takes this provider's state back with nothing to change:\n{}", back.out);
    assert_eq!(keys(&endpoint, "moved-bucket").len(), 1);
    let ws = blocking(move || {
        ws.ok(&["destroy", "-auto-approve", "-input=false"]);
        ws
    })
    .await;
    drop(ws);
    assert!(endpoint.inspect(|s| s.bucket_names("us-east-1")).is_empty(), "all gone");
}

/// The key in use by a provider nobody here wrote: hashicorp/aws's `aws_s3_object`, in a provider
/// alias signed with the key this provider created (its S3 endpoint the local endpoint's), uploads
/// an object, reads it back on plan and removes it on destroy; a bucket that still holds an object
/// goes only once `force_delete` is set, and the refusal says so in Terraform's terms.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hashicorp_aws_s3_object_uploads_with_the_key_and_force_delete_takes_what_is_left() {
    let test = "hashicorp_aws_s3_object_uploads_with_the_key_and_force_delete_takes_what_is_left";
    if !terraform_installed(test) || !hashicorp_aws_installed(test) {
        return;
    }
    let endpoint = LocalEndpoint::start(Default::default()).await.unwrap();
    let resources = |force_delete: bool, objects: &str| {
        format!(
            r#"
resource "aws_lightsail_bucket" "site" {{
  provider     = awslightsail
  name         = "site-bucket"
  bundle_id    = "small_1_0"
  force_delete = {force_delete}
}}
resource "aws_lightsail_bucket_access_key" "site" {{
  provider    = awslightsail
  bucket_name = aws_lightsail_bucket.site.name
}}
provider "aws" {{
  alias                       = "site"
  region                      = "us-east-1"
  access_key                  = aws_lightsail_bucket_access_key.site.access_key_id
  secret_key                  = aws_lightsail_bucket_access_key.site.secret_access_key
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true
  endpoints {{ s3 = "{url}" }}
}}
{objects}"#,
            url = endpoint.url()
        )
    };
    let object = |name: &str, text: &str| {
        format!(
            "resource \"aws_s3_object\" \"{name}\" {{\n  provider     = aws.site\n  bucket       = aws_lightsail_bucket.site.name\n  key          = \"{name}.html\"\n  content      = \"{text}\"\n  content_type = \"text/html\"\n}}\n"
        )
    };
    let both = format!("{}{}", object("index", "<h1>hello</h1>"), object("extra", "left behind"));
    let ws = mirrored_workspace(&endpoint, &resources(false, &both));
    let main_tf = move |ws: &Workspace, text: String| std::fs::write(ws.work.join("main.tf"), text).unwrap();
    let ws = blocking(move || {
        ws.ok(&["init", "-input=false"]);
        // The alias's credentials come from the key: it is made first.
        ws.ok(&["apply", "-auto-approve", "-input=false", "-target=aws_lightsail_bucket_access_key.site"]);
        ws.ok(&["apply", "-auto-approve", "-input=false"]);
        ws
    })
    .await;
    assert_eq!(endpoint.inspect(|s| s.object_count_and_size("us-east-1", "site-bucket")), (2, 14 + 11));
    assert!(endpoint.stats().calls_of("PutObject") == 2, "{:?}", endpoint.stats());

    let both_providers_text = both_providers(&endpoint, &resources(false, &object("index", "<h1>hello</h1>")));
    let forced_text = both_providers(&endpoint, &resources(true, ""));
    let ws = blocking(move || {
        let plan = ws.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
        assert_eq!(plan.code, 0, "the objects read back unchanged:\n{}", plan.out);
        // One object leaves Terraform's hands and stays in the bucket.
        ws.ok(&["state", "rm", "aws_s3_object.extra"]);
        main_tf(&ws, both_providers_text);
        let destroy = ws.terraform(&["destroy", "-auto-approve", "-input=false"]);
        assert_ne!(destroy.code, 0, "a bucket that holds an object is not deleted:\n{}", destroy.out);
        assert!(
            destroy.out.contains("1 object(s)") && destroy.out.contains("set force_delete to true"),
            "{}",
            destroy.out
        );
        main_tf(&ws, forced_text);
        ws.ok(&["apply", "-auto-approve", "-input=false", "-target=aws_lightsail_bucket.site"]);
        ws.ok(&["destroy", "-auto-approve", "-input=false"]);
        ws
    })
    .await;
    drop(ws);
    assert_eq!(endpoint.stats().calls_of("DeleteObject"), 1, "{:?}", endpoint.stats());
    assert!(endpoint.inspect(|s| s.bucket_names("us-east-1")).is_empty(), "all gone");
    assert_eq!(endpoint.inspect(|s| s.object_count_and_size("us-east-1", "site-bucket")), (0, 0));
}

/// `pgp_key` with real `terraform` and GnuPG: the secret is only in the ciphertext, which
/// `terraform output -raw ... | base64 -d | gpg --decrypt` opens into a secret the endpoint's S3 side
/// accepts; neither the state file nor a saved plan (`terraform show -json`) holds it; a bad key
/// fails at plan naming `pgp_key` with no request; a changed key plans a replacement; an imported
/// key with `pgp_key` in its configuration only records it, in place.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pgp_key_keeps_the_secret_out_of_state_and_plan() {
    use lightsail_test_support::gnupg::{self, GnuPg, KeyKind};
    if !terraform_installed("pgp_key_keeps_the_secret_out_of_state_and_plan") || !gnupg::installed() {
        return;
    }
    let endpoint = LocalEndpoint::start(Default::default()).await.unwrap();
    let gpg = GnuPg::new();
    let rsa = gpg.generate(KeyKind::Rsa3072, "RSA <rsa@example.com>");
    let curve = gpg.generate(KeyKind::Curve25519, "Curve <curve@example.com>");
    let config = |pgp_key: &str| {
        format!(
            "{}\noutput \"ciphertext\" {{ value = aws_lightsail_bucket_access_key.example.encrypted_secret_access_key }}\n",
            SEED.replace(
                "bucket_name = aws_lightsail_bucket.example.id",
                &format!("bucket_name = aws_lightsail_bucket.example.id\n  pgp_key     = \"{pgp_key}\"")
            )
        )
    };
    let provider = provider_block(&endpoint);
    let ws = Workspace::new(&provider);
    ws.write(&provider, &config(&gpg.export_base64(&rsa)));
    let (ws, gpg, ciphertext, state, show) = blocking(move || {
        ws.ok(&["apply", "-auto-approve"]);
        let ciphertext = ws.ok(&["output", "-raw", "ciphertext"]);
        let state = std::fs::read_to_string(ws.work.join("terraform.tfstate")).unwrap();
        let show = ws.ok(&["state", "show", "aws_lightsail_bucket_access_key.example"]);
        (ws, gpg, ciphertext, state, show)
    })
    .await;
    let secret = gpg.decrypt_base64(ciphertext.trim());
    assert_eq!(secret.len(), 40);
    assert!(!state.contains(&secret), "the state file holds no plain secret");
    assert!(has(&show, "key_fingerprint", &format!("\"{rsa}\"")), "the fingerprint is gpg's: {show}");
    assert!(has(&show, "encrypted_secret_access_key", &format!("{ciphertext:?}")), "shown, not sensitive: {show}");
    assert!(!show.lines().any(|l| l.trim().starts_with("secret_access_key ")), "no plain secret recorded: {show}");
    let id = state_id(&show);
    let key_id = id.split_once(',').unwrap().1.to_string();
    if lightsail_test_support::aws_cli::installed("pgp_key_keeps_the_secret_out_of_state_and_plan") {
        let url = endpoint.url();
        let listed = tokio::task::block_in_place(|| {
            lightsail_test_support::aws_cli::aws(&url, Some((&key_id, &secret)), &["s3", "ls", "s3://example-bucket"])
        });
        assert!(listed.is_ok(), "the decrypted secret signs S3 requests: {listed:?}");
    }

    // Another key: a replacement, planned and saved; the saved plan holds no plain secret either.
    ws.write(&provider, &config(&gpg.export_base64(&curve)));
    let (ws, plan, json) = blocking(move || {
        let plan = ws.ok(&["plan", "-out", "saved.plan"]);
        let json = ws.ok(&["show", "-json", "saved.plan"]);
        (ws, plan, json)
    })
    .await;
    assert!(plan.contains("aws_lightsail_bucket_access_key.example must be replaced"), "{plan}");
    assert!(plan.contains("pgp_key") && plan.contains("# forces replacement"), "{plan}");
    assert!(!json.contains(&secret), "the saved plan holds no plain secret");

    // Imported with pgp_key in the configuration: recorded in place, nothing sent, then no change.
    ws.write(&provider, &config(&gpg.export_base64(&rsa)));
    let before = endpoint.stats().total_calls();
    let ws = blocking(move || {
        ws.ok(&["state", "rm", "aws_lightsail_bucket_access_key.example"]);
        ws.ok(&["import", "aws_lightsail_bucket_access_key.example", &id]);
        let plan = ws.ok(&["plan"]);
        assert!(plan.contains("aws_lightsail_bucket_access_key.example will be updated in-place"), "{plan}");
        assert!(!plan.contains("must be replaced"), "a live key is not replaced by surprise: {plan}");
        ws.ok(&["apply", "-auto-approve"]);
        let plan = ws.terraform(&["plan", "-detailed-exitcode"]);
        assert_eq!(plan.code, 0, "{}", plan.out);
        ws
    })
    .await;
    assert_eq!(keys(&endpoint, "example-bucket"), vec![key_id.clone()], "the key was kept");
    assert_eq!(endpoint.stats().calls_of("DeleteBucketAccessKey"), 0);
    assert!(endpoint.stats().total_calls() > before);

    // A bad key fails at plan, naming pgp_key; nothing is created or deleted.
    ws.write(&provider, &config("keybase:someone"));
    let plan = blocking(move || ws.terraform(&["plan"])).await;
    assert_ne!(plan.code, 0);
    assert!(plan.out.contains("pgp_key") && plan.out.contains("Keybase"), "{}", plan.out);
    assert!(!plan.out.contains("pgpKey"), "in Terraform's terms: {}", plan.out);
    assert_eq!(endpoint.stats().calls_of("CreateBucketAccessKey"), 1, "only the first apply created a key");
}

/// An endpoint that refuses connections: `terraform apply` fails at once, naming it, having sent
/// nothing: the two attempts the provider block allows (`max_retries = 1`), and no retry by the
/// component.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_that_refuses_connections_fails_at_once_naming_it() {
    if !terraform_installed("an_endpoint_that_refuses_connections_fails_at_once_naming_it") {
        return;
    }
    let endpoint = LocalEndpoint::start(Default::default()).await.unwrap();
    let provider = provider_block(&endpoint).replace(&endpoint.url(), "http://127.0.0.1:1");
    let ws = Workspace::new(&provider);
    let run = blocking(move || ws.terraform(&["apply", "-auto-approve"])).await;
    assert_ne!(run.code, 0, "{}", run.out);
    assert!(run.out.contains("http://127.0.0.1:1 could not be reached"), "{}", run.out);
    assert!(run.out.contains("(CreateBucket, 2 attempts)"), "{}", run.out);
}
