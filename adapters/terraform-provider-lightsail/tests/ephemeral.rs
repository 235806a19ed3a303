//! The access key as an ephemeral resource, with the installed terraform and the real
//! hashicorp/aws 5.100.0: opened for the plan and again for the apply, used to configure
//! hashicorp/aws's S3, closed (deleted) at the end of each, and written nowhere; a run killed after
//! opening leaves a key that the next run deletes; a bucket at its two keys says so.

mod common;

use common::*;
use lightsail_local::LocalEndpoint;
use std::path::Path;

fn keys(endpoint: &LocalEndpoint, bucket: &str) -> Vec<String> {
    endpoint.inspect(|s| s.access_key_ids("us-east-1", bucket)).unwrap_or_default()
}

fn ready(test: &str) -> bool {
    terraform_installed(test) && hashicorp_aws_installed(test)
}

/// A bucket of this provider, and an ephemeral key of it.
const BUCKET_AND_EPHEMERAL_KEY: &str = r#"
resource "aws_lightsail_bucket" "site" {
  provider     = awslightsail
  name         = "site-bucket"
  bundle_id    = "small_1_0"
  force_delete = true
}
ephemeral "aws_lightsail_bucket_access_key" "upload" {
  provider    = awslightsail
  bucket_name = aws_lightsail_bucket.site.name
}
"#;

/// hashicorp/aws's S3, signed with the ephemeral key, uploading an object into the bucket.
fn upload_with_the_ephemeral_key(endpoint: &LocalEndpoint) -> String {
    format!(
        r#"
provider "aws" {{
  alias                       = "site"
  region                      = "us-east-1"
  access_key                  = ephemeral.aws_lightsail_bucket_access_key.upload.access_key_id
  secret_key                  = ephemeral.aws_lightsail_bucket_access_key.upload.secret_access_key
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true
  endpoints {{ s3 = "{url}" }}
}}
resource "aws_s3_object" "index" {{
  provider     = aws.site
  bucket       = aws_lightsail_bucket.site.name
  key          = "index.html"
  content      = "<h1>uploaded with a key nobody stored</h1>"
  content_type = "text/html"
}}
"#,
        url = endpoint.url()
    )
}

/// Whether `text` holds any secret the endpoint ever handed out.
fn holds_a_secret(endpoint: &LocalEndpoint, text: &str) -> bool {
    endpoint.inspect(|s| s.issued_secrets().iter().any(|secret| text.contains(secret.as_str())))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ephemeral_key_uploads_with_hashicorp_aws_and_is_stored_nowhere() {
    if !ready("an_ephemeral_key_uploads_with_hashicorp_aws_and_is_stored_nowhere") {
        return;
    }
    let endpoint = LocalEndpoint::start(Default::default()).await.unwrap();
    let resources = format!("{BUCKET_AND_EPHEMERAL_KEY}{}", upload_with_the_ephemeral_key(&endpoint));
    let ws = mirrored_workspace(&endpoint, &resources);
    let (ws, plan_json) = blocking(move || {
        ws.ok(&["init", "-input=false"]);
        // The key is opened at plan, so its bucket must be there first.
        ws.ok(&["apply", "-auto-approve", "-input=false", "-target=aws_lightsail_bucket.site"]);
        ws.ok(&["plan", "-input=false", "-out=tfplan"]);
        let plan_json = ws.ok(&["show", "-json", "tfplan"]);
        ws.ok(&["apply", "-input=false", "tfplan"]);
        (ws, plan_json)
    })
    .await;
    assert_eq!(
        endpoint.inspect(|s| s.object_count_and_size("us-east-1", "site-bucket")).0,
        1,
        "hashicorp/aws uploaded the object with the ephemeral key"
    );
    assert!(keys(&endpoint, "site-bucket").is_empty(), "every key opened was closed");
    let opened = endpoint.inspect(|s| s.issued_secrets().len());
    assert_eq!(opened, 2, "one key for the plan, one for the apply");
    assert_eq!(endpoint.stats().calls_of("DeleteBucketAccessKey"), 2);
    assert!(!holds_a_secret(&endpoint, &plan_json), "the saved plan holds no secret");
    let state = std::fs::read_to_string(ws.work.join("terraform.tfstate")).unwrap();
    assert!(!holds_a_secret(&endpoint, &state), "the state holds no secret");
    let recorded: serde_json::Value = serde_json::from_str(&state).unwrap();
    let types: Vec<&str> =
        recorded["resources"].as_array().unwrap().iter().filter_map(|r| r["type"].as_str()).collect();
    assert_eq!(
        types,
        ["aws_lightsail_bucket", "aws_s3_object"],
        "nothing of the ephemeral key but its name, in a dependency"
    );

    let ws = blocking(move || {
        ws.ok(&["destroy", "-auto-approve", "-input=false"]);
        ws
    })
    .await;
    drop(ws);
    assert!(endpoint.inspect(|s| s.bucket_names("us-east-1")).is_empty(), "all gone");
}

/// Terraform and its plugins killed (SIGKILL, the whole process group) while the key is open: the
/// key is still there, recorded as open; the next run deletes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_left_open_by_a_killed_run_is_deleted_by_the_next() {
    if !ready("a_key_left_open_by_a_killed_run_is_deleted_by_the_next") {
        return;
    }
    let (endpoint, ws, mut run) = apply_held_with_the_key_open().await;
    // SAFETY: kill(2) on the process group the run was started in.
    unsafe { libc::kill(-(run.id() as i32), libc::SIGKILL) };
    let _ = run.wait();
    let left = keys(&endpoint, "site-bucket");
    assert_eq!(left.len(), 1, "the key opened for the apply was never closed");
    let journal = ws.root.join("cache/lightsail-provider/locks/ephemeral");
    assert_eq!(entries(&journal), 1, "and it is recorded as open");

    let (ws, plan) = blocking(move || {
        let plan = ws.ok(&["plan", "-input=false"]);
        (ws, plan)
    })
    .await;
    let now = keys(&endpoint, "site-bucket");
    assert!(!now.contains(&left[0]), "the next run deleted the key the killed one left: {now:?}\n{plan}");
    assert!(now.is_empty(), "and closed its own: {now:?}");
    assert_eq!(entries(&journal), 0, "nothing is recorded as open any more");
    let ws = blocking(move || {
        ws.ok(&["destroy", "-auto-approve", "-input=false"]);
        ws
    })
    .await;
    drop(ws);
}

/// Only terraform killed: its plugin, left without a parent, stops on its own and deletes the key
/// it holds open before it ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_whose_terraform_was_killed_closes_its_keys_and_ends() {
    if !ready("a_plugin_whose_terraform_was_killed_closes_its_keys_and_ends") {
        return;
    }
    let (endpoint, ws, mut run) = apply_held_with_the_key_open().await;
    assert_eq!(keys(&endpoint, "site-bucket").len(), 1);
    let _ = run.kill();
    let _ = run.wait();
    let journal = ws.root.join("cache/lightsail-provider/locks/ephemeral");
    lightsail_test_support::crossing::until("the orphaned plugin deletes the key it held", || {
        keys(&endpoint, "site-bucket").is_empty() && entries(&journal) == 0
    })
    .await;
    // The provisioner's shell is left too: the group goes.
    // SAFETY: kill(2) on the process group the run was started in.
    unsafe { libc::kill(-(run.id() as i32), libc::SIGKILL) };
    blocking(move || ws.ok(&["destroy", "-auto-approve", "-input=false"])).await;
}

/// A `terraform apply` started in a process group of its own and held by a provisioner while the
/// ephemeral key is open (its bucket made first).
async fn apply_held_with_the_key_open() -> (LocalEndpoint, Workspace, std::process::Child) {
    let endpoint = LocalEndpoint::start(Default::default()).await.unwrap();
    let ws = mirrored_workspace(&endpoint, "");
    let opened = ws.root.join("opened");
    let resources = format!("{BUCKET_AND_EPHEMERAL_KEY}{}", holder(&opened));
    std::fs::write(ws.work.join("main.tf"), both_providers(&endpoint, &resources)).unwrap();
    let ws = blocking(move || {
        ws.ok(&["init", "-input=false"]);
        ws.ok(&["apply", "-auto-approve", "-input=false", "-target=aws_lightsail_bucket.site"]);
        ws
    })
    .await;
    let run = ws.spawn(&["apply", "-auto-approve", "-input=false"]);
    lightsail_test_support::crossing::until("the provisioner runs with the key open", || opened.exists()).await;
    (endpoint, ws, run)
}

/// A provisioner that uses the ephemeral key, says so (touches `opened`), and holds the run.
fn holder(opened: &Path) -> String {
    format!(
        r#"
resource "terraform_data" "hold" {{
  provisioner "local-exec" {{
    command     = "touch {opened} && sleep 600"
    environment = {{ KEY_ID = ephemeral.aws_lightsail_bucket_access_key.upload.access_key_id }}
  }}
}}
"#,
        opened = opened.display()
    )
}

fn entries(journal: &Path) -> usize {
    std::fs::read_dir(journal).map(|d| d.filter_map(Result::ok).count()).unwrap_or(0)
}

/// A bucket that holds its two keys already (managed ones here): opening the ephemeral key fails at
/// plan with the limit named, the keys that hold it, and when ephemeral keys are opened.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bucket_at_its_two_keys_says_so_when_the_ephemeral_key_opens() {
    if !ready("a_bucket_at_its_two_keys_says_so_when_the_ephemeral_key_opens") {
        return;
    }
    let endpoint = LocalEndpoint::start(Default::default()).await.unwrap();
    let managed = r#"
resource "aws_lightsail_bucket_access_key" "first" {
  provider    = awslightsail
  bucket_name = aws_lightsail_bucket.site.name
}
resource "aws_lightsail_bucket_access_key" "second" {
  provider    = awslightsail
  bucket_name = aws_lightsail_bucket.site.name
}
"#;
    let resources = format!("{BUCKET_AND_EPHEMERAL_KEY}{managed}{}", upload_with_the_ephemeral_key(&endpoint));
    let ws = mirrored_workspace(&endpoint, &resources);
    let (ws, plan) = blocking(move || {
        ws.ok(&["init", "-input=false"]);
        let targets =
            ["-target=aws_lightsail_bucket_access_key.first", "-target=aws_lightsail_bucket_access_key.second"];
        ws.ok(&["apply", "-auto-approve", "-input=false", targets[0], targets[1]]);
        let plan = ws.terraform(&["plan", "-input=false"]);
        (ws, plan)
    })
    .await;
    assert_ne!(plan.code, 0, "{}", plan.out);
    let text = plan.out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("bucket site-bucket already holds 2 access keys"), "{text}");
    assert!(text.contains("the most Lightsail allows a bucket"), "{text}");
    assert!(text.contains("opened during terraform plan and again during terraform apply"), "{text}");
    assert_eq!(keys(&endpoint, "site-bucket").len(), 2, "no key was added, none deleted");
    assert_eq!(endpoint.stats().calls_of("CreateBucketAccessKey"), 2, "no create was sent for it");
    drop(ws);
}
