//! What the end-to-end tests share beyond `lightsail-test-support`: input bags and error matching.
// Each test binary uses a part of this module.
#![allow(dead_code, unused_imports)]

pub mod inputs;

use lightsail_provider_host::{CallError, ProviderError};

pub use lightsail_test_support::{ACCESS_KEY_TOKEN as TOKEN, REGION, TestEnvironment, test_locks, test_runtime};

pub fn inputs(bucket: &str) -> String {
    serde_json::json!({ "bucketName": bucket }).to_string()
}

pub fn values(json: &str) -> serde_json::Value {
    serde_json::from_str(json).unwrap()
}

pub fn provider_error(result: Result<impl std::fmt::Debug, CallError>) -> ProviderError {
    match result {
        Err(CallError::Provider(e)) => e,
        other => panic!("expected a provider error, got {other:?}"),
    }
}
