//! A create interrupted by SIGINT, SIGTERM or SIGHUP, at each point of its work, never exits
//! silently with a live key: it prints the key it made (exit 5), deletes it when it cannot print
//! it, or exits 128 + the signal with nothing made. Where the signal lands is made certain by the
//! endpoint's faults (a stalled request, an operation that stays pending), never by timing.

mod common;

use common::{command, text};
use lightsail_local::{Fault, FaultConfig, ScriptedFault};
use lightsail_test_support::{DEMO_BUCKET as BUCKET, TestEnvironment};
use std::process::{Child, Output, Stdio};
use std::time::Duration;

/// The CLI's create, started against the test's endpoint.
fn start_create(env: &TestEnvironment, home: &std::path::Path, extra: &[&str]) -> Child {
    let creds = env.endpoint.credentials();
    command(home)
        .env("AWS_ACCESS_KEY_ID", &creds.access_key_id)
        .env("AWS_SECRET_ACCESS_KEY", &creds.secret_access_key)
        .env("AWS_REGION", lightsail_test_support::REGION)
        .env("AWS_ENDPOINT_URL", env.endpoint.url())
        .args(["--output", "json", "create", "--bucket-name", BUCKET])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until the endpoint has received `count` requests of `operation` (what puts the CLI at
/// the point under test), then sends `signal`.
async fn signal_once_seen(env: &TestEnvironment, child: &Child, operation: &str, count: u64, signal: i32) {
    let seen = || env.endpoint.stats().calls.get(operation).copied().unwrap_or(0);
    while seen() < count {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // SAFETY: sends a signal to the child this test started (and has not yet waited for).
    let sent = unsafe { libc::kill(child.id() as i32, signal) };
    assert_eq!(sent, 0, "the signal is sent");
}

async fn finish(child: Child) -> Output {
    tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()).await.unwrap()
}

async fn environment(script: Vec<ScriptedFault>) -> TestEnvironment {
    let env = TestEnvironment::new().await;
    env.bucket(BUCKET).await;
    env.endpoint.set_faults(FaultConfig { script, ..Default::default() }).unwrap();
    env
}

fn scripted(operation: &str, fault: Fault) -> ScriptedFault {
    ScriptedFault { operation: Some(operation.into()), fault, hold: None }
}

/// The key a not-ready answer printed: its id is the one key the bucket holds.
fn assert_reported_and_kept(env: &TestEnvironment, output: &Output) -> serde_json::Value {
    let (stdout, stderr) = text(output);
    assert_eq!(output.status.code(), Some(5), "{stdout}{stderr}");
    let answer: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let id = answer["id"].as_str().unwrap();
    let key = id.split_once(',').unwrap().1;
    assert_eq!(env.keys(BUCKET), [key], "the printed key is the bucket's one key");
    assert!(answer["notReady"].as_str().unwrap().contains("Interrupted"), "{answer}");
    assert!(stderr.contains("interrupted by"), "{stderr}");
    answer
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interrupted_while_the_operation_is_awaited_the_key_is_printed() {
    for (signal, name) in [(libc::SIGINT, "SIGINT"), (libc::SIGTERM, "SIGTERM"), (libc::SIGHUP, "SIGHUP")] {
        let env =
            environment(vec![scripted("CreateBucketAccessKey", Fault::OperationPending { polls: u32::MAX })]).await;
        let home = tempfile::tempdir().unwrap();
        let child = start_create(&env, home.path(), &[]);
        signal_once_seen(&env, &child, "GetOperation", 1, signal).await;
        let output = finish(child).await;
        let answer = assert_reported_and_kept(&env, &output);
        assert!(text(&output).1.contains(name), "{}", text(&output).1);
        // The secret stays withheld without --show-secrets, and says so.
        assert!(answer["outputs"]["secretAccessKey"].is_null(), "{answer}");
        assert_eq!(answer["hidden"], serde_json::json!(["secretAccessKey"]));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interrupted_with_show_secrets_the_secret_is_printed_too() {
    let env = environment(vec![scripted("CreateBucketAccessKey", Fault::OperationPending { polls: u32::MAX })]).await;
    let home = tempfile::tempdir().unwrap();
    let child = start_create(&env, home.path(), &["--show-secrets"]);
    signal_once_seen(&env, &child, "GetOperation", 1, libc::SIGINT).await;
    let answer = assert_reported_and_kept(&env, &finish(child).await);
    assert_eq!(answer["outputs"]["secretAccessKey"].as_str().map(str::len), Some(40), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interrupted_while_the_create_is_in_flight_its_answer_is_awaited_and_printed() {
    // The create is applied at once and answered after 5 s: the signal lands while it is in flight.
    // Its operation then stays pending.
    let env = environment(vec![scripted("CreateBucketAccessKey", Fault::Stall { ms: 5_000, apply: true })]).await;
    let faults = env.endpoint.faults();
    env.endpoint.set_faults(FaultConfig { operation_pending_polls: u32::MAX, ..faults }).unwrap();
    let home = tempfile::tempdir().unwrap();
    let child = start_create(&env, home.path(), &[]);
    signal_once_seen(&env, &child, "CreateBucketAccessKey", 1, libc::SIGINT).await;
    assert_reported_and_kept(&env, &finish(child).await);
}

/// Before any create is sent there is nothing to settle: Ctrl-C abandons the request in flight and
/// ends the CLI at once. The list before the create is held at a gate that never opens, so the CLI
/// ends only if it stops waiting for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interrupted_before_the_create_is_sent_nothing_is_made_and_it_ends_at_once() {
    let held = ScriptedFault {
        hold: Some("never-opened".into()),
        ..scripted("GetBucketAccessKeys", Fault::Latency { ms: 0 })
    };
    let env = environment(vec![held]).await;
    let home = tempfile::tempdir().unwrap();
    let child = start_create(&env, home.path(), &[]);
    lightsail_test_support::crossing::until_held(&env.endpoint, "never-opened").await;
    // SAFETY: sends a signal to the child this test started (and has not yet waited for).
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let output = finish(child).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(128 + libc::SIGINT), "{stdout}{stderr}");
    assert!(stderr.contains("nothing was created"), "{stderr}");
    assert_eq!(env.endpoint.stats().calls.get("CreateBucketAccessKey"), None, "no create was sent");
    assert!(env.keys(BUCKET).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_that_cannot_be_printed_is_deleted() {
    // SIGHUP after the terminal is gone: here, standard output's reader has closed it.
    let env = environment(vec![scripted("CreateBucketAccessKey", Fault::OperationPending { polls: u32::MAX })]).await;
    let home = tempfile::tempdir().unwrap();
    let mut child = start_create(&env, home.path(), &[]);
    drop(child.stdout.take());
    signal_once_seen(&env, &child, "GetOperation", 1, libc::SIGHUP).await;
    let output = finish(child).await;
    let stderr = text(&output).1;
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("could not be printed") && stderr.contains("so it was deleted"), "{stderr}");
    assert!(env.keys(BUCKET).is_empty(), "the key nobody could be told of is gone");
    assert_eq!(env.endpoint.stats().calls.get("DeleteBucketAccessKey"), Some(&1));
}
