//! A component that traps, loops forever or allocates without bound is stopped with a clear error,
//! and the host serves the next call normally. The misbehaving component is built by this
//! package's build script from `crates/test-components/misbehaving`.

use lightsail_provider_host::{CallError, ComponentRuntime, Provider, RuntimeOptions};
use std::sync::Arc;
use std::time::Duration;

static MISBEHAVING: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/misbehaving.wasm"));

fn provider() -> Provider {
    provider_with(RuntimeOptions::default().pool_size)
}

fn provider_with(pool_size: Option<u32>) -> Provider {
    let options = RuntimeOptions {
        pool_size,
        cache_dir: None,
        max_memory_bytes: 16 << 20,
        cpu_time_limit: Duration::from_millis(300),
        ..Default::default()
    };
    Provider::new(Arc::new(ComponentRuntime::new(MISBEHAVING, options).unwrap()), None)
}

async fn trap_message(provider: &Provider, token: &str) -> String {
    match provider.check(token, None, "{}").await {
        Err(e @ CallError::Trap(_)) => e.to_string(),
        other => panic!("{token}: expected a trap, got {other:?}"),
    }
}

async fn still_serving(provider: &Provider) {
    let checked = provider.check("fine", None, r#"{"a": 1}"#).await.expect("the next call is served");
    assert_eq!(checked.inputs, r#"{"a": 1}"#);
}

#[tokio::test]
async fn a_trap_is_an_error_not_a_crash() {
    let provider = provider();
    let message = trap_message(&provider, "trap").await;
    assert!(message.contains("panicked or aborted"), "{message}");
    still_serving(&provider).await;
}

#[tokio::test]
async fn an_endless_loop_is_interrupted_by_the_cpu_time_limit() {
    let provider = provider();
    let message = trap_message(&provider, "loop").await;
    assert!(message.contains("CPU time limit of 300 ms"), "{message}");
    still_serving(&provider).await;
}

#[tokio::test]
async fn unbounded_allocation_stops_at_the_memory_limit() {
    let provider = provider();
    let message = trap_message(&provider, "alloc").await;
    assert!(message.contains("beyond the host's limit of 16777216 bytes"), "{message}");
    still_serving(&provider).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_looping_call_does_not_hold_up_the_others() {
    let provider = provider();
    let looping = {
        let provider = provider.clone();
        tokio::spawn(async move { provider.check("loop", None, "{}").await })
    };
    for _ in 0..20 {
        still_serving(&provider).await;
    }
    assert!(matches!(looping.await.unwrap(), Err(CallError::Trap(_))));
}

/// Pool slots are reused and cleaned by rewriting the pages a call dirtied: what one call wrote, in
/// its statics or in memory it grew, must not be visible to the next call in the same slot.
#[tokio::test]
async fn a_call_never_sees_what_the_previous_call_left_in_memory() {
    for pool_size in [Some(1), None] {
        let provider = provider_with(pool_size);
        for round in 0..3 {
            let secret = format!("secret-{round}-AKIAIOSFODNN7EXAMPLE");
            let wrote = provider.check("remember", None, &secret).await.unwrap().inputs;
            let address = wrote.strip_prefix("wrote@").expect("remember says where it wrote");
            let seen = provider.check("recall", None, "{}").await.unwrap().inputs;
            // Same address, so a page that kept its contents would show the secret here.
            assert_eq!(seen, format!("static=;grown@{address}="), "pool {pool_size:?}, round {round}");
        }
    }
}
