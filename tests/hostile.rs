//! A component that traps, loops forever, allocates without bound or asks for a second lock is
//! stopped with a clear error, and the host serves the next call normally. The misbehaving component is built by this
//! package's build script from `testing/misbehaving-component`.

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
        .with_locks(lightsail_test_support::test_locks())
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

/// The CPU limit counts the component's own time: not the time its call waits for its turn after
/// each tick lets other calls run, however long a busy executor makes that wait.
#[tokio::test(flavor = "current_thread")]
async fn time_spent_waiting_for_a_turn_is_not_counted_as_the_components() {
    let options = RuntimeOptions { cache_dir: None, cpu_time_limit: Duration::from_secs(2), ..Default::default() };
    let provider = Provider::new(Arc::new(ComponentRuntime::new(MISBEHAVING, options).unwrap()), None)
        .with_locks(lightsail_test_support::test_locks());
    // A neighbour that holds the only executor thread for longer than the limit when it runs,
    // which is when the spinning call yields at its first tick.
    let neighbour = tokio::spawn(async { std::thread::sleep(Duration::from_millis(2_500)) });
    // About 0.1 s of counting: many ticks, so the call yields and waits for the neighbour.
    let spun = provider.check("spin", None, "50000000").await;
    assert!(spun.is_ok(), "{:?}", spun.err().map(|e| e.to_string()));
    neighbour.await.unwrap();
}

#[tokio::test]
async fn a_second_lock_is_refused_and_a_trap_lets_go_of_the_first() {
    let provider = provider();
    let message = trap_message(&provider, "two-locks").await;
    assert!(message.contains("holds one lock at a time"), "{message}");
    // A call that traps while holding a lock releases it: the next call takes it, and returns.
    trap_message(&provider, "lock-and-trap").await;
    let next = tokio::time::timeout(Duration::from_secs(60), provider.check("lock", None, "{}")).await;
    assert!(next.expect("the lock was released").is_ok());
    still_serving(&provider).await;
}

/// A call that returns still holding its lock lets go of it when it returns, even on an instance
/// that stays for the next call: another call of the host takes the lock at once.
#[tokio::test]
async fn a_lock_kept_past_the_call_is_released_when_the_call_returns() {
    let reused = provider().reusing_one_instance();
    reused.check("lock-and-keep", None, "{}").await.unwrap();
    let other = provider();
    let next = tokio::time::timeout(Duration::from_secs(60), other.check("lock", None, "{}")).await;
    assert!(next.expect("the lock was released when the call returned").is_ok());
    still_serving(&reused).await;
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

/// A reused instance that traps is dropped: the next call gets a new one and is served.
#[tokio::test]
async fn a_reused_instance_that_traps_is_replaced() {
    let provider = provider_with(None).reusing_one_instance();
    assert!(trap_message(&provider, "trap").await.contains("trapped"));
    let checked = provider.check("fine", None, "{}").await.unwrap();
    assert_eq!(checked.inputs, "{}");
    assert!(provider.instance_memory().await.is_some(), "the new instance is kept for the next call");
}
