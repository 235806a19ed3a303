//! A `terraform plan` of 20 keys over 10 buckets lists each bucket's keys once: the reads of one
//! bucket's keys in flight at once share one GetBucketAccessKeys (the WIT's rule), counted by the
//! endpoint. The listings are held at the endpoint's gate until every read has either sent one or
//! joined one (the plugin's debug log says which), so that the count does not depend on timing.

mod common;

use common::*;
use lightsail_local::{Fault, FaultConfig, LocalEndpoint, ScriptedFault};
use std::time::{Duration, Instant};

const BUCKETS: usize = 10;
const KEYS: usize = 20;

const CONFIGURATION: &str = r#"
resource "aws_lightsail_bucket" "b" {
  count     = 10
  name      = "refresh-${count.index}"
  bundle_id = "small_1_0"
}
resource "aws_lightsail_bucket_access_key" "k" {
  count       = 20
  bucket_name = aws_lightsail_bucket.b[count.index % 10].id
}
"#;

fn listings(endpoint: &LocalEndpoint) -> u64 {
    endpoint.stats().calls.get("GetBucketAccessKeys").copied().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_of_20_keys_over_10_buckets_lists_each_bucket_once() {
    if !terraform_installed("a_plan_of_20_keys_over_10_buckets_lists_each_bucket_once") {
        return;
    }
    let endpoint = LocalEndpoint::start(Default::default()).await.unwrap();
    let workspace = std::sync::Arc::new(Workspace::new(&provider_block(&endpoint)));
    workspace.write(&provider_block(&endpoint), CONFIGURATION);
    let applying = workspace.clone();
    blocking(move || applying.ok(&["apply", "-auto-approve", "-parallelism=20"])).await;
    let keys = |b: usize| endpoint.inspect(|s| s.access_key_ids("us-east-1", &format!("refresh-{b}"))).unwrap().len();
    assert_eq!((0..BUCKETS).map(keys).sum::<usize>(), KEYS);

    // Every listing the plan sends is held until the test opens the gate: one per bucket if the
    // reads share them, and the rest (were they sent) would pass unheld and be counted.
    let held = ScriptedFault {
        operation: Some("GetBucketAccessKeys".into()),
        fault: Fault::Latency { ms: 0 },
        hold: Some("refresh".into()),
    };
    endpoint.set_faults(FaultConfig { script: vec![held; BUCKETS], ..Default::default() }).unwrap();
    let before = listings(&endpoint);
    let log = workspace.root.join("terraform.log");
    let mut plan = workspace.spawn_logging(&["plan", "-parallelism=20", "-detailed-exitcode"], &log);

    // Wait until every read of a key has sent a listing or joined one, and the listings are held.
    let lines = |what: &str| std::fs::read_to_string(&log).unwrap_or_default().matches(what).count();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (sent, joined) =
            (lines("GetBucketAccessKeys sent, for sharing"), lines("GetBucketAccessKeys in flight joined"));
        let held = endpoint.gates().get("refresh").map_or(0, |g| g.held);
        if sent + joined >= KEYS && held as usize >= BUCKETS.min(sent) {
            break;
        }
        if Instant::now() >= deadline || plan.try_wait().unwrap().is_some() {
            let output = plan.wait_with_output().unwrap();
            let out = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            panic!(
                "gave up: {sent} sent, {joined} joined, {held} held; terraform:\n{out}\nthe log ends:\n{}",
                tail.join("\n")
            );
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    endpoint.open_gate("refresh");
    let output = blocking(move || plan.wait_with_output().unwrap()).await;
    let out = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "the plan finds no change:\n{out}");
    assert_eq!(listings(&endpoint) - before, BUCKETS as u64, "one GetBucketAccessKeys per bucket for {KEYS} keys");
    assert_eq!(lines("GetBucketAccessKeys in flight joined"), KEYS - BUCKETS);
}
