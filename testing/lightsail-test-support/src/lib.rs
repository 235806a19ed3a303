//! What the tests, the examples and the adapters' tests share: the names they use, a local
//! endpoint of a test's own and AWS options that point the host at it. No product links it.

#![deny(missing_docs)]

pub mod aws_cli;
pub mod crossing;
pub mod gnupg;
pub mod hosts;

use lightsail_local::{Config, FaultConfig, LocalEndpoint};
use lightsail_provider_host::aws::{AwsOptions, LightsailApi};
use lightsail_provider_host::lock::Locks;
use lightsail_provider_host::{ComponentRuntime, Provider, RuntimeOptions};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// The type tokens of the component's resources, from the logic that defines them.
pub use provider_logic::{access_key::TOKEN as ACCESS_KEY_TOKEN, bucket::TOKEN as BUCKET_TOKEN};
/// The region local set-ups use.
pub const REGION: &str = "us-east-1";
/// The seed's bucket, as the demo, the examples and the tests make it.
pub const DEMO_BUCKET: &str = "example-bucket";
/// The bundle buckets are made with.
pub const DEMO_BUNDLE: &str = "small_1_0";

/// AWS options that send every call to a local endpoint.
pub trait LocalEndpointOptions {
    /// These options, sending every call to `endpoint` in `region`, signed with the endpoint's
    /// own credentials.
    fn with_local_endpoint(self, endpoint: &LocalEndpoint, region: &str) -> Self;
}

impl LocalEndpointOptions for AwsOptions {
    fn with_local_endpoint(self, endpoint: &LocalEndpoint, region: &str) -> Self {
        let creds = endpoint.credentials();
        self.at_endpoint(endpoint.url(), region, (creds.access_key_id.clone(), creds.secret_access_key.clone()))
    }
}

/// Makes a bucket with [`DEMO_BUNDLE`] in the API's default region, directly with the SDK.
pub async fn create_bucket(
    api: &LightsailApi,
    name: &str,
) -> Result<(), aws_sdk_lightsail::error::SdkError<aws_sdk_lightsail::operation::create_bucket::CreateBucketError>> {
    api.client(None).create_bucket().bucket_name(name).bundle_id(DEMO_BUNDLE).send().await.map(drop)
}

/// The embedded component's digest as `sha256:HEX`, computed by coreutils' `sha256sum` (not by the
/// host): what each adapter's `--version` must name.
pub fn component_digest_by_coreutils() -> String {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("provider.wasm");
    std::fs::write(&path, lightsail_provider_host::PROVIDER_COMPONENT).expect("written");
    let output = std::process::Command::new("sha256sum").arg(&path).output().expect("sha256sum runs");
    let text = String::from_utf8_lossy(&output.stdout);
    format!("sha256:{}", text.split_whitespace().next().expect("a digest"))
}

/// The embedded component, compiled once per process, for tests: no cache directory (tests leave
/// no files behind) and waits shortened to a millisecond.
pub fn test_runtime() -> Arc<ComponentRuntime> {
    static RUNTIME: OnceLock<Arc<ComponentRuntime>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            let options = RuntimeOptions { cache_dir: None, max_wait: Duration::from_millis(1), ..Default::default() };
            Arc::new(ComponentRuntime::new(lightsail_provider_host::PROVIDER_COMPONENT, options).expect("compiles"))
        })
        .clone()
}

/// Locks for a test whose endpoint is its own: this process's, which then reach every creator (and
/// leave no lock files behind).
pub fn test_locks() -> Arc<Locks> {
    Arc::new(Locks::in_process().covering_every_creator())
}

/// A local endpoint of a test's own, and a provider whose host reaches it with aws-sdk-lightsail
/// over HTTP and SigV4.
pub struct TestEnvironment {
    /// The test's own endpoint.
    pub endpoint: LocalEndpoint,
    /// The SDK's way to it, for set-up outside the provider.
    pub api: Arc<LightsailApi>,
    /// A provider whose calls reach it.
    pub provider: Provider,
}

impl TestEnvironment {
    /// No faults, and no retries by the SDK.
    pub async fn new() -> Self {
        Self::with_faults(FaultConfig::default()).await
    }

    /// These faults, and no retries by the SDK.
    pub async fn with_faults(faults: FaultConfig) -> Self {
        Self::with(faults, AwsOptions { max_attempts: Some(1), ..Default::default() }).await
    }

    /// These faults, and AWS options of the test's own (retries, timeouts); the endpoint's
    /// address, region and credentials are filled in.
    pub async fn with(faults: FaultConfig, options: AwsOptions) -> Self {
        let endpoint = LocalEndpoint::start(Config { faults, ..Default::default() }).await.expect("starts");
        let api =
            Arc::new(LightsailApi::new(options.with_local_endpoint(&endpoint, REGION)).await.expect("configures"));
        // The endpoint is the test's own, and only this process creates keys there.
        let provider = Provider::new(test_runtime(), Some(api.clone())).with_locks(test_locks());
        Self { endpoint, api, provider }
    }

    /// Makes a bucket (before any fault a test sets afterwards).
    pub async fn bucket(&self, name: &str) {
        create_bucket(&self.api, name).await.expect("the bucket is made");
    }

    /// Requests the endpoint has answered.
    pub fn calls(&self) -> u64 {
        self.endpoint.stats().total_calls()
    }

    /// The access key ids the endpoint holds for a bucket, read without a request.
    pub fn keys(&self, bucket: &str) -> Vec<String> {
        self.endpoint.inspect(|s| s.access_key_ids(REGION, bucket)).unwrap_or_default()
    }
}
