//! Shared set-up: one compiled component per test binary, a local endpoint per test, and a
//! provider whose host talks to it with aws-sdk-lightsail over HTTP and SigV4.
#![allow(dead_code)]

use lightsail_local::{Config, FaultConfig, LocalEndpoint};
use lightsail_provider_host::ProviderError;
use lightsail_provider_host::{AwsOptions, CallError, ComponentRuntime, LightsailApi, Provider, RuntimeOptions};
use lightsail_test_support::LocalEndpointOptions;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

pub const TOKEN: &str = "aws:lightsail/bucketAccessKey:BucketAccessKey";
pub const REGION: &str = "us-east-1";

pub fn runtime() -> Arc<ComponentRuntime> {
    static RUNTIME: OnceLock<Arc<ComponentRuntime>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            // No cache directory: tests leave no files behind.
            let options = RuntimeOptions { cache_dir: None, max_wait: Duration::from_millis(1), ..Default::default() };
            Arc::new(ComponentRuntime::new(lightsail_provider_host::PROVIDER_COMPONENT, options).unwrap())
        })
        .clone()
}

pub struct Setup {
    pub endpoint: LocalEndpoint,
    pub api: Arc<LightsailApi>,
    pub provider: Provider,
}

impl Setup {
    pub async fn new() -> Self {
        Self::with_faults(FaultConfig::default()).await
    }

    pub async fn with_faults(faults: FaultConfig) -> Self {
        Self::with(faults, AwsOptions { max_attempts: Some(1), ..Default::default() }).await
    }

    /// With AWS options of the test's own (retries, timeouts); the endpoint fields are filled in.
    pub async fn with(faults: FaultConfig, options: AwsOptions) -> Self {
        let endpoint = LocalEndpoint::start(Config { faults, ..Default::default() }).await.unwrap();
        let api = LightsailApi::new(options.with_local_endpoint(&endpoint, REGION)).await.unwrap();
        let api = Arc::new(api);
        let provider = Provider::new(runtime(), Some(api.clone()));
        Self { endpoint, api, provider }
    }

    pub async fn bucket(&self, name: &str) {
        self.api.client(None).create_bucket().bucket_name(name).bundle_id("small_1_0").send().await.unwrap();
    }

    pub fn calls(&self) -> u64 {
        self.endpoint.stats().total_calls()
    }

    pub fn keys(&self, bucket: &str) -> Vec<String> {
        self.endpoint.inspect(|s| s.access_key_ids(REGION, bucket)).unwrap_or_default()
    }
}

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
