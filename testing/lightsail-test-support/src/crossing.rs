//! Placing what several processes do, for the tests of creates on one bucket from more than one
//! process: a create held at a gate of the local endpoint, another process seen waiting for the
//! lock the first one holds (in `/proc/locks`), both found without sleeping on a guess.

use crate::LocalEndpointOptions;
use lightsail_local::{Fault, FaultConfig, LocalEndpoint, ScriptedFault};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The gate the first create is held at.
pub const FIRST_CREATE: &str = "first-create";

/// Faults for the crossing: the first CreateBucketAccessKey waits at [`FIRST_CREATE`] until the
/// test opens it, then is applied and its answer lost.
pub fn first_create_held_then_lost() -> FaultConfig {
    let held = ScriptedFault {
        operation: Some("CreateBucketAccessKey".into()),
        fault: Fault::LostResponse,
        hold: Some(FIRST_CREATE.into()),
    };
    FaultConfig { seed: 1, script: vec![held], ..Default::default() }
}

/// Polls `done` every few milliseconds until it holds; panics with `what` after two minutes (a
/// bound for a broken build, not a measure: every wait here ends on an event).
pub async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !done() {
        assert!(Instant::now() < deadline, "gave up waiting until {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Waits until a request is held at `gate`.
pub async fn until_held(endpoint: &LocalEndpoint, gate: &str) {
    until(&format!("a request is held at {gate}"), || endpoint.gates().get(gate).is_some_and(|g| g.held > 0)).await;
}

/// The file of the lock a host takes for `bucket`'s keys in us-east-1, in `directory`.
pub fn bucket_lock_file(directory: &Path, bucket: &str) -> PathBuf {
    let name = format!("lightsail/us-east-1/bucket/{bucket}/access-keys");
    directory.join(lightsail_provider_host::lock::file_name(&name))
}

/// Whether process `pid` is blocked waiting for an OS lock on `file` (a `->` line of
/// `/proc/locks` names the waiters, with the file's inode).
pub fn waits_for_lock(pid: u32, file: &Path) -> bool {
    lock_waiters(file).contains(&pid)
}

/// Whether any process is blocked waiting for an OS lock on `file` (for a process this test did
/// not start itself, such as the plugin Terraform started).
pub fn someone_waits_for_lock(file: &Path) -> bool {
    !lock_waiters(file).is_empty()
}

/// The processes blocked waiting for an OS lock on `file`.
fn lock_waiters(file: &Path) -> Vec<u32> {
    let Ok(inode) = std::fs::metadata(file).map(|m| m.ino().to_string()) else { return Vec::new() };
    let locks = std::fs::read_to_string("/proc/locks").unwrap_or_default();
    locks
        .lines()
        .filter_map(|line| {
            // "1: -> FLOCK  ADVISORY  WRITE 2155 fe:00:10010801 0 EOF": a waiter, its pid, the file.
            let fields: Vec<&str> = line.split_whitespace().collect();
            let waits = fields.get(1) == Some(&"->");
            let same_file = fields.get(6).and_then(|id| id.rsplit(':').next()) == Some(inode.as_str());
            if waits && same_file { fields.get(5)?.parse().ok() } else { None }
        })
        .collect()
}

/// A binary of another package of the workspace, where cargo put it beside this test's own
/// (`cargo test --workspace` builds every binary before it runs any test).
pub fn workspace_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test's path");
    // target/<profile>/deps/<test>: the binaries are in target/<profile>.
    let path = exe.parent().and_then(Path::parent).expect("target/<profile>").join(name);
    assert!(path.exists(), "{} is not built: run the tests with `cargo test --workspace`", path.display());
    path
}

/// Waits until process `pid` waits for the lock on `file`, or `instead` holds (what a broken lock
/// would let happen, such as its create reaching the endpoint): the test then goes on either way
/// and its assertions tell which.
pub async fn until_waiting_for_lock(pid: u32, file: &Path, mut instead: impl FnMut() -> bool) {
    until(&format!("process {pid} waits for {}", file.display()), || waits_for_lock(pid, file) || instead()).await;
}

/// How many CreateBucketAccessKey requests the endpoint has seen.
pub fn creates(endpoint: &LocalEndpoint) -> u64 {
    endpoint.stats().calls.get("CreateBucketAccessKey").copied().unwrap_or(0)
}

/// `lightsail-provider create --bucket-name BUCKET --output json` (the CLI at `binary`) against
/// `endpoint`, with its locks in `locks`, `extra` options, and the lock's debug log on stderr;
/// started, not waited for.
pub fn cli_create(
    binary: &Path,
    endpoint: &LocalEndpoint,
    home: &Path,
    locks: &Path,
    bucket: &str,
    extra: &[&str],
) -> Child {
    cli(binary, endpoint, home, locks, extra, &["create", "--bucket-name", bucket])
}

/// `lightsail-provider rotate --bucket-name BUCKET --output json`, as [`cli_create`] starts a create.
pub fn cli_rotate(
    binary: &Path,
    endpoint: &LocalEndpoint,
    home: &Path,
    locks: &Path,
    bucket: &str,
    extra: &[&str],
) -> Child {
    cli(binary, endpoint, home, locks, extra, &["rotate", "--bucket-name", bucket])
}

fn cli(binary: &Path, endpoint: &LocalEndpoint, home: &Path, locks: &Path, extra: &[&str], command: &[&str]) -> Child {
    let creds = endpoint.credentials();
    Command::new(binary)
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
        .args(command)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the CLI starts")
}

/// A child's output, once it has exited (waited for off the async runtime).
pub async fn finished(child: Child) -> Output {
    tokio::task::spawn_blocking(move || child.wait_with_output().expect("the child is waited for"))
        .await
        .expect("joins")
}

/// The access key id a successful `create --output json` printed.
pub fn printed_key(output: &Output) -> String {
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "the create failed:\n{stdout}{stderr}");
    let printed: serde_json::Value = serde_json::from_str(&stdout).expect("JSON on stdout");
    printed["outputs"]["accessKeyId"].as_str().expect("an access key id").to_string()
}

/// A local endpoint with the bucket `bucket`, whose first create will be held, then lost.
pub async fn endpoint_with_bucket(bucket: &str) -> LocalEndpoint {
    let endpoint = LocalEndpoint::start(lightsail_local::Config::default()).await.expect("starts");
    let options = lightsail_provider_host::aws::AwsOptions::default().with_local_endpoint(&endpoint, crate::REGION);
    let api = lightsail_provider_host::aws::LightsailApi::new(options).await.expect("configures");
    crate::create_bucket(&api, bucket).await.expect("the bucket is made");
    endpoint.set_faults(first_create_held_then_lost()).expect("valid faults");
    endpoint
}

/// The bucket's access key ids at the endpoint, sorted.
pub fn keys_of(endpoint: &LocalEndpoint, bucket: &str) -> Vec<String> {
    let mut keys = endpoint.inspect(|s| s.access_key_ids(crate::REGION, bucket)).unwrap_or_default();
    keys.sort();
    keys
}
