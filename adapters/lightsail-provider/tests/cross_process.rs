//! Creates on one bucket from more than one `lightsail-provider` process, with a lost answer placed
//! by the endpoint's gates (not by timing): no key any process printed is deleted, and no orphan is
//! left where the locks reach every creator; where they do not, the possible orphan is named.

mod common;

use common::{BIN, text};
use lightsail_local::LocalEndpoint;
use lightsail_test_support::LocalEndpointOptions;
use lightsail_test_support::crossing::{self, FIRST_CREATE, finished, printed_key};
use std::path::Path;
use std::process::Child;

const BUCKET: &str = "shared-bucket";

fn create(endpoint: &LocalEndpoint, home: &Path, locks: &Path, extra: &[&str]) -> Child {
    crossing::cli_create(Path::new(BIN), endpoint, home, locks, BUCKET, extra)
}

async fn endpoint_with_bucket() -> LocalEndpoint {
    crossing::endpoint_with_bucket(BUCKET).await
}

fn keys(endpoint: &LocalEndpoint) -> Vec<String> {
    crossing::keys_of(endpoint, BUCKET)
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
    let mut printed = vec![printed_key(&a), printed_key(&b)];
    printed.sort();
    assert_eq!(keys(&endpoint), printed, "no orphan, no loss");
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_directory_that_cannot_be_used_is_refused_by_name_before_any_call() {
    let endpoint = endpoint_with_bucket().await;
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let before = endpoint.stats().total_calls();
    let output = finished(create(&endpoint, home.path(), &file.join("locks"), &[])).await;
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains("--lock-directory: cannot use the lock directory"), "{stdout}");
    assert_eq!(endpoint.stats().total_calls(), before, "nothing was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_waiting_for_another_process_stops_at_ctrl_c_having_made_nothing() {
    let endpoint = endpoint_with_bucket().await;
    let home = tempfile::tempdir().unwrap();
    let locks = home.path().join("locks");
    let a = create(&endpoint, home.path(), &locks, &[]);
    crossing::until_held(&endpoint, FIRST_CREATE).await;
    let b = create(&endpoint, home.path(), &locks, &[]);
    let file = crossing::bucket_lock_file(&locks, BUCKET);
    crossing::until_waiting_for_lock(b.id(), &file, || crossing::creates(&endpoint) > 1).await;

    // SAFETY: signals the child this test started and has not yet waited for.
    assert_eq!(unsafe { libc::kill(b.id() as i32, libc::SIGINT) }, 0);
    let b = finished(b).await;
    let (stdout, stderr) = text(&b);
    assert_eq!(b.status.code(), Some(128 + libc::SIGINT), "{stdout}{stderr}");
    assert!(stderr.contains("nothing was created"), "{stderr}");
    assert_eq!(crossing::creates(&endpoint), 1, "B sent no create");

    // A, whose answer is lost, finds only its own key, which it cannot tell from another's.
    endpoint.open_gate(FIRST_CREATE);
    let a = finished(a).await;
    assert_eq!(a.status.code(), Some(4), "{}", text(&a).0);
}

/// Two rotations of one full bucket from two processes, the first's create answer lost: they take
/// turns on the bucket's lock, so while the first works the second deletes nothing, and the bucket
/// keeps the key it had (which still opens it); each deletes the oldest key it finds, the lost
/// attempt's key is found and deleted, and the bucket ends with exactly the two keys they printed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_rotations_take_turns_and_a_lost_create_answer_loses_nothing() {
    let endpoint = endpoint_with_bucket().await;
    // The bucket is full: A, then B (the older first), made before the faults meet a create.
    endpoint.set_faults(Default::default()).unwrap();
    let options = lightsail_provider_host::aws::AwsOptions::default()
        .with_local_endpoint(&endpoint, lightsail_test_support::REGION);
    let api = lightsail_provider_host::aws::LightsailApi::new(options).await.unwrap();
    let mut made = Vec::new();
    for _ in 0..2 {
        let key = api.client(None).create_bucket_access_key().bucket_name(BUCKET).send().await.unwrap();
        let key = key.access_key.unwrap();
        made.push((key.access_key_id.unwrap(), key.secret_access_key.unwrap()));
    }
    let [(a, _), (b, b_secret)] = <[_; 2]>::try_from(made).unwrap();
    endpoint.set_faults(crossing::first_create_held_then_lost()).unwrap();
    let home = tempfile::tempdir().unwrap();
    let locks = home.path().join("locks");
    let declared = ["--key-creators-share-lock"];
    let rotate = |home: &Path| crossing::cli_rotate(Path::new(BIN), &endpoint, home, &locks, BUCKET, &declared);

    // The first rotation deleted the oldest key and its create is held at the endpoint, under the lock.
    let first = rotate(home.path());
    crossing::until_held(&endpoint, FIRST_CREATE).await;
    let second = rotate(home.path());
    let file = crossing::bucket_lock_file(&locks, BUCKET);
    crossing::until_waiting_for_lock(second.id(), &file, || keys(&endpoint).is_empty()).await;
    assert_eq!(keys(&endpoint), vec![b.clone()], "the second rotation waits; the bucket keeps a key");
    if lightsail_test_support::aws_cli::installed("two_rotations_take_turns_and_a_lost_create_answer_loses_nothing") {
        let url = endpoint.url();
        let listed = tokio::task::block_in_place(|| {
            lightsail_test_support::aws_cli::aws(&url, Some((&b, &b_secret)), &["s3", "ls", &format!("s3://{BUCKET}")])
        });
        assert!(listed.is_ok(), "the key kept still opens the bucket: {listed:?}");
    }
    endpoint.open_gate(FIRST_CREATE);

    let (first, second) = (finished(first).await, finished(second).await);
    let printed = |output: &std::process::Output| -> serde_json::Value {
        assert!(output.status.success(), "{}{}", text(output).0, text(output).1);
        serde_json::from_str(&text(output).0).unwrap()
    };
    let (first, second) = (printed(&first), printed(&second));
    assert_eq!(first["deleted"], format!("{BUCKET},{a}"), "the oldest went first");
    assert_eq!(second["deleted"], format!("{BUCKET},{b}"), "then the oldest of what the first left");
    let mut recorded: Vec<String> =
        [&first, &second].iter().map(|r| r["outputs"]["accessKeyId"].as_str().unwrap().to_string()).collect();
    recorded.sort();
    assert_eq!(keys(&endpoint), recorded, "both printed keys exist, and nothing else: no orphan");
    let stats = endpoint.stats();
    assert_eq!(stats.faults["lost_response"], 1);
    // Creates: A and B, the lost attempt, its retry, the second rotation. Deletes: A, the lost
    // attempt's key, B.
    assert_eq!((stats.calls["CreateBucketAccessKey"], stats.calls["DeleteBucketAccessKey"]), (5, 3), "{stats:?}");
}
