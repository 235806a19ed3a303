//! Creates on one bucket from more than one `lightsail-provider` process, with a lost answer placed
//! by the endpoint's gates (not by timing): no key any process printed is deleted, and no orphan is
//! left where the locks reach every creator; where they do not, the possible orphan is named.

mod common;

use common::{BIN, text};
use lightsail_local::{Config, LocalEndpoint};
use lightsail_test_support::crossing::{self, FIRST_CREATE};
use lightsail_test_support::{LocalEndpointOptions, create_bucket};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

const BUCKET: &str = "shared-bucket";

/// `lightsail-provider create` on `BUCKET` at `endpoint`, with its locks in `locks`, started.
fn create(endpoint: &LocalEndpoint, home: &Path, locks: &Path, extra: &[&str]) -> Child {
    let creds = endpoint.credentials();
    Command::new(BIN)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", &creds.access_key_id)
        .env("AWS_SECRET_ACCESS_KEY", &creds.secret_access_key)
        .env("RUST_LOG", "lightsail_provider_host::lock=debug")
        .args(["--region", "us-east-1", "--endpoint-url", &endpoint.url(), "--output", "json", "--lock-directory"])
        .arg(locks)
        .args(extra)
        .args(["create", "--bucket-name", BUCKET])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

async fn finished(child: Child) -> Output {
    tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()).await.unwrap()
}

/// The access key id a successful `create --output json` printed.
fn printed_key(output: &Output) -> String {
    let (stdout, stderr) = text(output);
    assert!(output.status.success(), "the create failed:\n{stdout}{stderr}");
    let printed: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    printed["outputs"]["accessKeyId"].as_str().unwrap().to_string()
}

async fn endpoint_with_bucket() -> LocalEndpoint {
    let endpoint = LocalEndpoint::start(Config::default()).await.unwrap();
    let options = lightsail_provider_host::AwsOptions::default().with_local_endpoint(&endpoint, "us-east-1");
    create_bucket(&lightsail_provider_host::LightsailApi::new(options).await.unwrap(), BUCKET).await.unwrap();
    endpoint.set_faults(crossing::first_create_held_then_lost()).unwrap();
    endpoint
}

fn keys(endpoint: &LocalEndpoint) -> Vec<String> {
    endpoint.inspect(|s| s.access_key_ids("us-east-1", BUCKET)).unwrap_or_default()
}

fn sorted(mut keys: Vec<String>) -> Vec<String> {
    keys.sort();
    keys
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_sharing_the_lock_keep_both_keys_and_leave_no_orphan() {
    let endpoint = endpoint_with_bucket().await;
    let home = tempfile::tempdir().unwrap();
    let locks = home.path().join("locks");
    let declared = ["--key-creators-share-lock"];

    // A's create is held at the endpoint while A holds the bucket's lock...
    let a = create(&endpoint, home.path(), &locks, &declared);
    crossing::until_held(&endpoint, FIRST_CREATE).await;
    // ... and B, started meanwhile, waits for that lock (with a lock that did not reach B, B's
    // create would reach the endpoint instead, and A would take B's key for its own orphan).
    let b = create(&endpoint, home.path(), &locks, &declared);
    let file = crossing::bucket_lock_file(&locks, BUCKET);
    crossing::until_waiting_for_lock(b.id(), &file, || crossing::creates(&endpoint) > 1).await;
    let b_waited = crossing::creates(&endpoint) == 1;
    endpoint.open_gate(FIRST_CREATE);

    let (a, b) = (finished(a).await, finished(b).await);
    assert_eq!(endpoint.stats().faults["lost_response"], 1, "A's first answer was lost");
    let printed = sorted(vec![printed_key(&a), printed_key(&b)]);
    assert_eq!(sorted(keys(&endpoint)), printed, "no orphan, no loss");
    assert!(b_waited, "B's create waited for A's lock");
    assert!(text(&b).1.contains("waiting for the lock"), "B said it waited: {}", text(&b).1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn where_the_locks_do_not_meet_the_other_key_is_kept_and_the_possible_orphan_named() {
    let endpoint = endpoint_with_bucket().await;
    let home = tempfile::tempdir().unwrap();
    // Two lock directories: as two machines, neither sees the other's lock.
    let a = create(&endpoint, home.path(), &home.path().join("locks-a"), &[]);
    crossing::until_held(&endpoint, FIRST_CREATE).await;
    let b = finished(create(&endpoint, home.path(), &home.path().join("locks-b"), &[])).await;
    let b_key = printed_key(&b);
    endpoint.open_gate(FIRST_CREATE);
    let a = finished(a).await;

    let (stdout, stderr) = text(&a);
    assert_eq!(a.status.code(), Some(4), "an AWS outcome error:\n{stdout}{stderr}");
    let error: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let message = error["error"]["message"].as_str().unwrap();
    assert_eq!(error["error"]["code"], "OutcomeUnknown", "{stdout}");
    let keys = keys(&endpoint);
    assert!(keys.contains(&b_key), "B's key is kept: {keys:?}");
    assert_eq!(keys.len(), 2, "A's lost attempt made one key, which nothing deleted: {keys:?}");
    let orphan = keys.iter().find(|k| **k != b_key).unwrap();
    for part in [
        orphan.as_str(),
        &b_key,
        "nothing was deleted",
        "aws lightsail get-bucket-access-keys --region us-east-1 --bucket-name shared-bucket",
        &format!("--bucket-name shared-bucket --access-key-id {orphan}"),
    ] {
        assert!(message.contains(part), "{part:?} is missing from: {message}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_holder_killed_inside_the_locked_section_frees_the_lock_at_once() {
    let endpoint = endpoint_with_bucket().await;
    let home = tempfile::tempdir().unwrap();
    let locks = home.path().join("locks");
    let mut a = create(&endpoint, home.path(), &locks, &[]);
    // A holds the lock (its create is held at the endpoint, inside the locked section): kill it.
    crossing::until_held(&endpoint, FIRST_CREATE).await;
    a.kill().unwrap();
    a.wait().unwrap();

    // The next create takes the lock without waiting: B's log says when it had to wait.
    let b = finished(create(&endpoint, home.path(), &locks, &[])).await;
    let b_key = printed_key(&b);
    assert!(!text(&b).1.contains("waiting for the lock"), "B waited for a dead holder: {}", text(&b).1);
    assert_eq!(keys(&endpoint), [b_key]);
}
