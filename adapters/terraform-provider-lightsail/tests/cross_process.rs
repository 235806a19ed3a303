//! Keys of one bucket created at once by different engines' processes, with the first create's
//! answer lost, placed by the endpoint's gates: `terraform apply` beside a CLI run, and the
//! Terraform plugin beside the Pulumi plugin (driven by Pulumi's own generated stubs). Every key
//! any of them recorded or printed is at the endpoint, and no orphan is left.

mod common;

use common::*;
use lightsail_local::LocalEndpoint;
use lightsail_test_support::crossing::{self, FIRST_CREATE, finished, printed_key};
use std::path::Path;
use std::sync::Arc;

const BUCKET: &str = "shared-bucket";

/// One key of the bucket that exists already (made by the test, as another team's would be).
const ONE_KEY: &str = r#"
resource "aws_lightsail_bucket_access_key" "key" {
  bucket_name = "shared-bucket"
}
"#;

/// The provider block, with the lock directory every process of the test shares and the
/// declaration that they are all the bucket's key creators.
fn sharing_provider_block(endpoint: &LocalEndpoint, locks: &Path) -> String {
    provider_block(endpoint).replace(
        "max_retries = 1",
        &format!("max_retries = 1\n  lock_directory = \"{}\"\n  key_creators_share_lock = true", locks.display()),
    )
}

/// `terraform apply` of `ONE_KEY`, sharing `locks`, started in a workspace of its own.
fn start_apply(endpoint: &LocalEndpoint, locks: &Path) -> (Arc<Workspace>, tokio::task::JoinHandle<Run>) {
    let provider = sharing_provider_block(endpoint, locks);
    let ws = Arc::new(Workspace::new(&provider));
    ws.write(&provider, ONE_KEY);
    let apply = tokio::task::spawn_blocking({
        let ws = ws.clone();
        move || ws.terraform(&["apply", "-auto-approve"])
    });
    (ws, apply)
}

/// Once the apply has succeeded: the key Terraform recorded and `other`, and no other key, are at
/// the endpoint, and the first create's answer was lost.
async fn both_keys_kept(endpoint: &LocalEndpoint, ws: Arc<Workspace>, apply: Run, other: String) {
    assert_eq!(apply.code, 0, "{}", apply.out);
    assert_eq!(endpoint.stats().faults["lost_response"], 1, "the first create's answer was lost");
    let show = blocking(move || ws.ok(&["state", "show", "aws_lightsail_bucket_access_key.key"])).await;
    let mut both = vec![state_id(&show).split_once(',').unwrap().1.to_string(), other];
    both.sort();
    assert_eq!(crossing::keys_of(endpoint, BUCKET), both, "every key recorded or printed, and no other");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terraform_apply_beside_a_cli_run_keeps_both_keys() {
    if !terraform_installed("terraform_apply_beside_a_cli_run_keeps_both_keys") {
        return;
    }
    let endpoint = crossing::endpoint_with_bucket(BUCKET).await;
    let home = tempfile::tempdir().unwrap();
    let locks = home.path().join("locks");

    // Terraform's create is held at the endpoint while its plugin holds the bucket's lock; the
    // CLI, started meanwhile, waits for it.
    let (ws, apply) = start_apply(&endpoint, &locks);
    crossing::until_held(&endpoint, FIRST_CREATE).await;
    let cli = crossing::workspace_binary("lightsail-provider");
    let cli = crossing::cli_create(&cli, &endpoint, home.path(), &locks, BUCKET, &["--key-creators-share-lock"]);
    let file = crossing::bucket_lock_file(&locks, BUCKET);
    crossing::until_waiting_for_lock(cli.id(), &file, || crossing::creates(&endpoint) > 1).await;
    let cli_waited = crossing::creates(&endpoint) == 1;
    endpoint.open_gate(FIRST_CREATE);

    let (apply, cli) = (apply.await.unwrap(), finished(cli).await);
    both_keys_kept(&endpoint, ws, apply, printed_key(&cli)).await;
    assert!(cli_waited, "the CLI's create waited for the lock Terraform's plugin held");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_terraform_plugin_beside_the_pulumi_plugin_keeps_both_keys() {
    if !terraform_installed("the_terraform_plugin_beside_the_pulumi_plugin_keeps_both_keys") {
        return;
    }
    let Some(python) = std::env::var_os("PULUMI_TEST_PYTHON") else {
        assert!(std::env::var_os("REQUIRE_PULUMI_PYTHON").is_none(), "PULUMI_TEST_PYTHON is not set");
        eprintln!(
            "SKIPPED: set PULUMI_TEST_PYTHON to a Python with Pulumi's stubs (adapters/pulumi-provider-lightsail/tests/python)"
        );
        return;
    };
    let endpoint = crossing::endpoint_with_bucket(BUCKET).await;
    let home = tempfile::tempdir().unwrap();
    let locks = home.path().join("locks");

    // The Pulumi plugin's create is held at the endpoint, inside the lock...
    let creds = endpoint.credentials();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../pulumi-provider-lightsail/tests/python/create_key.py");
    let pulumi = std::process::Command::new(python)
        .arg(script)
        .env("PLUGIN", crossing::workspace_binary("pulumi-resource-aws"))
        .env("ENDPOINT_URL", endpoint.url())
        .env("ACCESS_KEY_ID", &creds.access_key_id)
        .env("SECRET_ACCESS_KEY", &creds.secret_access_key)
        .env("BUCKET", BUCKET)
        .env("LOCK_DIRECTORY", &locks)
        .env("KEY_CREATORS_SHARE_LOCK", "true")
        .env("HOME", home.path())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    crossing::until_held(&endpoint, FIRST_CREATE).await;
    // ... and `terraform apply`'s plugin, started meanwhile, waits for it.
    let (ws, apply) = start_apply(&endpoint, &locks);
    let file = crossing::bucket_lock_file(&locks, BUCKET);
    crossing::until("Terraform's plugin waits for the lock", || {
        crossing::someone_waits_for_lock(&file) || crossing::creates(&endpoint) > 1
    })
    .await;
    let terraform_waited = crossing::creates(&endpoint) == 1;
    endpoint.open_gate(FIRST_CREATE);

    let (apply, pulumi) = (apply.await.unwrap(), finished(pulumi).await);
    let stdout = String::from_utf8_lossy(&pulumi.stdout);
    assert!(pulumi.status.success(), "{stdout}{}", String::from_utf8_lossy(&pulumi.stderr));
    let created: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    both_keys_kept(&endpoint, ws, apply, created["accessKeyId"].as_str().unwrap().to_string()).await;
    assert!(terraform_waited, "Terraform's create waited for the lock the Pulumi plugin held");
}
