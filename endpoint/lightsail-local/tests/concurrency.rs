//! 1,000 requests in flight at once, each on its own connection, all answered.

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn holds_a_thousand_concurrent_requests() {
    // Client and server share this process: 2,000 sockets need more than the default 1,024.
    rlimit::increase_nofile_limit(u64::MAX).unwrap();
    let endpoint = endpoint().await;
    // Hold every request for a while so that all of them are in flight together.
    endpoint
        .set_faults(lightsail_local::FaultConfig { latency_rate: 1.0, latency_ms: 200, ..Default::default() })
        .unwrap();
    let client = client(&endpoint, "us-east-1");
    let calls = (0..1000).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.get_buckets().send().await })
    });
    let results = futures_join_all(calls).await;
    let failed: Vec<_> = results.iter().filter(|r| r.is_err()).collect();
    assert!(failed.is_empty(), "{} of 1000 failed, first: {:?}", failed.len(), failed.first());
    assert_eq!(endpoint.stats().calls_of("GetBuckets"), 1000);
}

async fn futures_join_all<T>(handles: impl Iterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::new();
    for handle in handles.collect::<Vec<_>>() {
        out.push(handle.await.unwrap());
    }
    out
}
