//! A long fuzz run of every export, half through one reused instance and half through fresh ones:
//!
//!     cargo run --release --example fuzz -- [CALLS]      (default 1,000,000)
//!
//! Generated tokens, property bags and ids (the strategies of `tests/fuzz_component.rs`, which
//! runs a few hundred cases in the test suite) go to a local endpoint whose faults answer the
//! imports with every kind of error: throttling and 5xx (`service`), lost answers (`transport`),
//! failed and pending operations, and the service's own `not-found` and `invalid-input`. Checked:
//! no call traps, every refusal names its rule and sends nothing, and the reused instance's memory
//! stays as the first tenth of the run left it. Prints one row for the README's reliability table.

#[path = "../tests/common/inputs.rs"]
mod inputs;

use lightsail_local::{Config, FaultConfig, LocalEndpoint};
use lightsail_provider_host::aws::{AwsOptions, LightsailApi};
use lightsail_provider_host::{
    CallError, ComponentRuntime, PROVIDER_COMPONENT, Provider, ProviderError, RuntimeOptions,
};
use lightsail_test_support::{LocalEndpointOptions, REGION, create_bucket};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn main() -> anyhow::Result<()> {
    let calls: u64 = match std::env::args().nth(1) {
        Some(n) => n.replace('_', "").parse()?,
        None => 1_000_000,
    };
    tokio::runtime::Runtime::new()?.block_on(run(calls))
}

async fn run(calls: u64) -> anyhow::Result<()> {
    let endpoint = LocalEndpoint::start(Config::default()).await?;
    let options =
        AwsOptions { max_attempts: Some(1), attempt_timeout: Some(Duration::from_secs(2)), ..Default::default() };
    let api = Arc::new(LightsailApi::new(options.with_local_endpoint(&endpoint, REGION)).await?);
    for bucket in ["fuzz-bucket", "example-bucket"] {
        create_bucket(&api, bucket).await?;
    }
    endpoint
        .set_faults(FaultConfig {
            seed: 7,
            throttle_rate: 0.05,
            server_error_rate: 0.03,
            lost_response_rate: 0.03,
            operation_failure_rate: 0.05,
            operation_pending_polls: 2,
            ..FaultConfig::default()
        })
        .map_err(anyhow::Error::msg)?;
    let options = RuntimeOptions { cache_dir: None, max_wait: Duration::from_millis(1), ..Default::default() };
    let runtime = Arc::new(ComponentRuntime::new(PROVIDER_COMPONENT, options)?);
    let fresh = Provider::new(runtime, Some(api));
    let reused = fresh.clone().reusing_one_instance();

    // A third of the bags and ids are valid, so that calls reach the endpoint and its faults.
    let valid_bag = prop::sample::select(vec![
        r#"{"bucketName": "fuzz-bucket"}"#.to_string(),
        r#"{"bucketName": "example-bucket", "region": "us-east-1"}"#.to_string(),
        r#"{"name": "fuzz-bucket", "bundleId": "small_1_0"}"#.to_string(),
        r#"{"name": "fuzz-other", "bundleId": "medium_1_0", "forceDelete": true}"#.to_string(),
    ]);
    let valid_id = prop_oneof![
        "fuzz-bucket,AKIA[A-Z0-9]{16}(@us-east-1)?",
        Just("fuzz-bucket".to_string()),
        Just("fuzz-other@us-east-1".to_string()),
    ];
    let case = (
        prop::sample::select(inputs::TOKENS),
        prop_oneof![2 => inputs::bag(), 1 => valid_bag.clone()],
        prop_oneof![2 => inputs::bag(), 1 => valid_bag],
        prop_oneof![2 => inputs::id(), 1 => valid_id],
        any::<bool>(),
        0..9u8,
    );
    let mut runner = TestRunner::deterministic();
    let mut answers: BTreeMap<&str, u64> = BTreeMap::new();
    let mut memory_after_a_tenth = None;
    let started = Instant::now();
    for n in 0..calls {
        let (token, bag, state, id, preview, export) =
            case.new_tree(&mut runner).map_err(anyhow::Error::msg)?.current();
        let provider = if n % 2 == 0 { &reused } else { &fresh };
        let before = endpoint.stats().total_calls();
        let answer = match export {
            0 => provider.check(token, Some(&state), &bag).await.map(drop),
            1 => provider.diff(token, &id, &state, &bag).await.map(drop),
            2 => provider.create(token, &bag, preview).await.map(drop),
            3 => provider.read(token, &id, Some(&state)).await.map(drop),
            4 => provider.import(token, &id).await.map(drop),
            5 => provider.update(token, &id, &state, &bag, preview).await.map(drop),
            6 => provider.delete(token, &id, &state).await.map(drop),
            7 => provider.schema().await.map(drop),
            _ => provider.resource_types().await.map(drop),
        };
        let kind = match answer {
            Ok(()) => "answered",
            Err(CallError::Provider(ProviderError::InvalidInput(failures))) => {
                anyhow::ensure!(
                    !failures.is_empty() && failures.iter().all(|f| !f.reason.is_empty()),
                    "call {n}: a refusal names no rule: {failures:?}"
                );
                anyhow::ensure!(endpoint.stats().total_calls() == before, "call {n}: a refused input reached the API");
                "refused as invalid input"
            }
            Err(CallError::Provider(ProviderError::NotFound(_))) => "not found",
            Err(CallError::Provider(ProviderError::Api(_))) => "AWS error (a fault or the service)",
            Err(CallError::Provider(ProviderError::NotReady(_))) => "created, not ready",
            Err(CallError::Provider(_)) => "unknown type or unsupported",
            Err(e) => anyhow::bail!("call {n} ({token}, export {export}) failed the component: {e}"),
        };
        *answers.entry(kind).or_default() += 1;
        if n + 1 == calls / 10 {
            memory_after_a_tenth = reused.instance_memory().await;
        }
    }
    let memory_at_end = reused.instance_memory().await;
    if calls >= 10 {
        anyhow::ensure!(
            memory_after_a_tenth == memory_at_end,
            "the reused instance grew: {memory_after_a_tenth:?} after a tenth, {memory_at_end:?} at the end"
        );
    }
    let elapsed = started.elapsed();
    println!("{calls} calls in {:.1} s, no trap; answers:", elapsed.as_secs_f64());
    for (kind, count) in &answers {
        println!("  {kind:<36} {count}");
    }
    println!("API requests: {}", endpoint.stats().total_calls());
    let kib = memory_at_end.unwrap_or_default() / 1024;
    println!(
        "\n| fuzz: {calls} generated calls of every export, half on one reused instance, faults on | no trap, every refusal named with no request sent, reused instance flat at {kib} KiB | {:.1} s |",
        elapsed.as_secs_f64()
    );
    Ok(())
}
