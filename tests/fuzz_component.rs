//! Arbitrary property bags, ids and regions through the host into the component (in wasm): no input
//! traps it, every refusal names a property and a rule, and a refused input never reaches the API.

mod common;

use common::inputs::{TOKENS, bag, id};
use common::*;
use lightsail_provider_host::CallError;
use lightsail_provider_host::ProviderError;
use proptest::prelude::*;

fn check_answer<T: std::fmt::Debug>(
    result: Result<T, CallError>,
    calls_before: u64,
    calls_after: u64,
) -> Result<(), TestCaseError> {
    match result {
        Err(CallError::Trap(e)) => Err(TestCaseError::fail(format!("the component trapped: {e:#}"))),
        Err(CallError::Provider(ProviderError::InvalidInput(failures))) => {
            prop_assert!(!failures.is_empty());
            prop_assert!(failures.iter().all(|f| !f.reason.is_empty()));
            prop_assert_eq!(calls_before, calls_after, "a refused input reached the API");
            Ok(())
        }
        _ => Ok(()),
    }
}

#[test]
fn no_input_traps_the_component() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let s = runtime.block_on(TestEnvironment::new());
    runtime.block_on(s.bucket("fuzz-bucket"));
    let config = ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() };
    proptest!(config, |(token in prop::sample::select(TOKENS), inputs in bag(), state in bag(), id in id(), preview in any::<bool>())| {
        runtime.block_on(async {
            let p = &s.provider;
            let before = s.calls();
            let checked = p.check(token, Some(&state), &inputs).await;
            check_answer(checked, before, s.calls())?;
            let before = s.calls();
            check_answer(p.diff(token, &id, &state, &inputs).await, before, s.calls())?;
            let before = s.calls();
            check_answer(p.create(token, &inputs, preview).await, before, s.calls())?;
            let before = s.calls();
            check_answer(p.read(token, &id, Some(&state)).await, before, s.calls())?;
            let before = s.calls();
            check_answer(p.import(token, &id).await, before, s.calls())?;
            let before = s.calls();
            check_answer(p.update(token, &id, &state, &inputs, preview).await, before, s.calls())?;
            let before = s.calls();
            check_answer(p.delete(token, &id, &state).await, before, s.calls())
        })?;
    });
}

/// Large and deeply nested property bags are answered, not trapped on: the component's memory
/// (never given back within a call) stays under the host's default limit.
#[tokio::test]
async fn large_and_deep_inputs_are_refused_by_name() {
    let s = TestEnvironment::new().await;
    let big_value = "x".repeat(8 << 20);
    let many: Vec<u32> = (0..200_000).collect();
    let cases = [
        (serde_json::json!({"bucketName": "big-bucket", "notes": big_value}).to_string(), "notes"),
        (serde_json::json!({"bucketName": "big-bucket", "list": many}).to_string(), "list"),
        (format!(r#"{{"bucketName": "big-bucket", "deep": {}{}}}"#, "[".repeat(100_000), "]".repeat(100_000)), ""),
    ];
    for (inputs, property) in cases {
        let before = s.calls();
        match s.provider.create(TOKEN, &inputs, false).await {
            Err(CallError::Provider(ProviderError::InvalidInput(failures))) => {
                assert!(failures.iter().any(|f| f.property == property), "{property}: {failures:?}")
            }
            other => panic!("{property}: expected invalid input, got {other:?}"),
        }
        assert_eq!(before, s.calls(), "{property}: a refused input reached the API");
    }
}
