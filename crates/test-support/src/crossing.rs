//! Placing what several processes do, for the tests of creates on one bucket from more than one
//! process: a create held at a gate of the local endpoint, another process seen waiting for the
//! lock the first one holds (in `/proc/locks`), both found without sleeping on a guess.

use lightsail_local::{Fault, FaultConfig, LocalEndpoint, ScriptedFault};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
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
    let Ok(inode) = std::fs::metadata(file).map(|m| m.ino()) else { return false };
    let locks = std::fs::read_to_string("/proc/locks").unwrap_or_default();
    locks.lines().any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        // "1: -> FLOCK  ADVISORY  WRITE 2155 fe:00:10010801 0 EOF"
        fields.get(1) == Some(&"->")
            && fields.get(5) == Some(&pid.to_string().as_str())
            && fields.get(6).and_then(|id| id.rsplit(':').next()) == Some(inode.to_string().as_str())
    })
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
