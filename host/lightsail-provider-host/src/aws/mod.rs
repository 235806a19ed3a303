//! The `lightsail` import, implemented with `aws-sdk-lightsail`: credentials from the aws-config
//! default chain (or given), one client per region, retries and timeouts from aws-smithy-runtime.
//! [`options`] says how to reach Lightsail; `imports` performs each import (the SDK call and its
//! answer in the contract's records), and [`errors`] turns the SDK's errors into the contract's.

pub mod errors;
mod imports;
mod options;
pub mod settings;
mod shared_reads;

pub use options::AwsOptions;

use crate::bindings::api;
use aws_config::BehaviorVersion;
use aws_sdk_lightsail::Client;
use aws_sdk_lightsail::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_lightsail::config::retry::RetryConfig;
use aws_sdk_lightsail::config::timeout::TimeoutConfig;
use aws_sdk_lightsail::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_lightsail::config::{Credentials, Region, SharedCredentialsProvider};
use aws_sdk_lightsail::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::http::Response as HttpResponse;
use errors::api_error;
use secrecy::ExposeSecret;
use std::cell::Cell;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// Why the AWS configuration cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The endpoint URL is not an http or https URL with a host.
    #[error("the endpoint URL {0:?} is not an http:// or https:// URL with a host")]
    InvalidEndpoint(String),
}

/// The Lightsail calls the component imports, made with `aws-sdk-lightsail`: one client per region,
/// retries and timeouts from [`AwsOptions`], SDK errors turned into the contract's errors.
pub struct LightsailApi {
    sdk: aws_types::SdkConfig,
    default_region: String,
    default_tags: Vec<(String, String)>,
    clients: Mutex<HashMap<String, RegionClients>>,
    /// `GetBucketAccessKeys` requests in flight that other calls may join (the WIT's rule).
    shared_reads: shared_reads::SharedReads,
}

impl LightsailApi {
    /// Loads the AWS configuration (credentials, region) with these options. No region is needed:
    /// the component refuses a call that needs the default region when there is none.
    pub async fn new(options: AwsOptions) -> Result<Self, ConfigError> {
        if let Some(url) = &options.endpoint_url
            && !settings::is_url(url)
        {
            return Err(ConfigError::InvalidEndpoint(url.clone()));
        }
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(aws_smithy_http_client::Builder::new().tls_provider(tls()).build_https());
        if let Some(profile) = &options.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(region) = &options.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(url) = &options.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        if let Some((id, secret)) = &options.credentials {
            // The SDK keeps its own copy, which it wipes when dropped too.
            let token = options.session_token.as_ref().map(|t| t.expose_secret().to_string());
            let creds = Credentials::new(id, secret.expose_secret(), token, None, "lightsail-provider");
            loader = loader.credentials_provider(SharedCredentialsProvider::new(creds));
        }
        let mut retry = RetryConfig::standard();
        if let Some(attempts) = options.max_attempts {
            retry = retry.with_max_attempts(attempts.max(1));
        }
        if let Some(backoff) = options.initial_backoff {
            retry = retry.with_initial_backoff(backoff);
        }
        loader = loader.retry_config(retry);
        let mut timeouts = TimeoutConfig::builder().connect_timeout(Duration::from_secs(10));
        if let Some(t) = options.attempt_timeout {
            timeouts = timeouts.operation_attempt_timeout(t);
        }
        if let Some(t) = options.operation_timeout {
            timeouts = timeouts.operation_timeout(t);
        }
        loader = loader.timeout_config(timeouts.build());
        let sdk = loader.load().await;
        let default_region = sdk.region().map(|r| r.to_string()).unwrap_or_default();
        let default_tags = options.default_tags;
        Ok(Self {
            sdk,
            default_region,
            default_tags,
            clients: Mutex::new(HashMap::new()),
            shared_reads: Default::default(),
        })
    }

    /// The region of calls that name none; empty when nothing configures one.
    pub fn default_region(&self) -> &str {
        &self.default_region
    }

    /// The tags every resource that takes tags carries besides its own.
    pub fn default_tags(&self) -> &[(String, String)] {
        &self.default_tags
    }

    /// Resolves credentials now, as the first call would, so that a missing or broken credential
    /// is reported when the provider is configured rather than at the first call. The error says
    /// what to set.
    pub async fn resolve_credentials(&self) -> Result<(), String> {
        use aws_credential_types::provider::ProvideCredentials;
        let Some(provider) = self.sdk.credentials_provider() else {
            return Err(errors::NO_CREDENTIALS.into());
        };
        match provider.provide_credentials().await {
            Ok(_) => Ok(()),
            Err(e) => {
                tracing::debug!("no credentials: {}", errors::error_chain(&e));
                Err(format!("{} ({})", errors::NO_CREDENTIALS, e))
            }
        }
    }

    /// The client for a region, made once and reused: it retries as [`AwsOptions`] says.
    pub fn client(&self, region: Option<&str>) -> Client {
        self.clients(region).standard
    }

    /// The client for a region that sends each request once, never retrying it (the WIT's rule
    /// for a create): made once, as [`Self::client`] is, since overriding the retries on each
    /// call rebuilds the client's configuration (about 13 µs a create, measured).
    fn client_sending_once(&self, region: Option<&str>) -> Client {
        self.clients(region).sending_once
    }

    fn clients(&self, region: Option<&str>) -> RegionClients {
        let region = region.unwrap_or(&self.default_region);
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(made) = clients.get(region) {
            return made.clone();
        }
        let config = aws_sdk_lightsail::config::Builder::from(&self.sdk)
            .region(Region::new(region.to_string()))
            .interceptor(CountAttempts)
            .build();
        let sending_once = config.to_builder().retry_config(RetryConfig::disabled()).build();
        let made = RegionClients { standard: Client::from_conf(config), sending_once: Client::from_conf(sending_once) };
        clients.insert(region.to_string(), made.clone());
        made
    }
}

/// A region's two clients (each an `Arc` inside, cheap to clone).
#[derive(Clone)]
struct RegionClients {
    standard: Client,
    sending_once: Client,
}

tokio::task_local! {
    /// Attempts made by the call in progress on this task.
    static ATTEMPTS: Cell<u32>;
}

/// Counts attempts into [`ATTEMPTS`]. Registered once per client: a per-call interceptor would
/// need `customize()`, which rebuilds the client's configuration on every call.
#[derive(Debug)]
struct CountAttempts;

impl Intercept for CountAttempts {
    fn name(&self) -> &'static str {
        "CountAttempts"
    }

    fn read_before_attempt(
        &self,
        _: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let _ = ATTEMPTS.try_with(|n| n.set(n.get() + 1));
        Ok(())
    }
}

impl LightsailApi {
    /// Sends a call and, when it fails, says which operation it was and how many attempts were
    /// made, and for a request that never left, which endpoint could not be reached.
    fn counted<'a, T, E>(
        &'a self,
        region: Option<&'a str>,
        operation: &'a str,
        call: impl std::future::Future<Output = Result<T, SdkError<E, HttpResponse>>> + 'a,
    ) -> impl std::future::Future<Output = Result<T, api::ApiError>> + 'a
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        // The SDK's future (about 5 KiB) is boxed as soon as it is made, before this or any
        // future that awaits it holds it: each of those, up to the one wasmtime boxes for the
        // import call, is then a few hundred bytes, so none is a large allocation or copy.
        let call = Box::pin(call);
        ATTEMPTS.scope(Cell::new(0), async move {
            call.await.map_err(|err| {
                let mut error = api_error(err);
                let attempts = ATTEMPTS.with(Cell::get);
                let plural = if attempts == 1 { "" } else { "s" };
                if error.kind == crate::bindings::errors::ErrorKind::NotSent {
                    error.message = format!("{} could not be reached: {}", self.endpoint(region), error.message);
                }
                error.message = format!("{} ({operation}, {attempts} attempt{plural})", error.message);
                error
            })
        })
    }

    /// Where a region's calls go: the endpoint set (`endpoint_url`, `AWS_ENDPOINT_URL`), else
    /// Lightsail's own in that region.
    fn endpoint(&self, region: Option<&str>) -> String {
        match self.sdk.endpoint_url() {
            Some(url) => url.to_string(),
            None => format!("https://lightsail.{}.amazonaws.com", region.unwrap_or(&self.default_region)),
        }
    }
}

fn tls() -> aws_smithy_http_client::tls::Provider {
    aws_smithy_http_client::tls::Provider::Rustls(aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The contract: at most one CreateBucketAccessKey per import call, although this host's SDK
    /// retries everything else (5 attempts here), whatever became of the request.
    #[tokio::test]
    async fn a_create_is_sent_once_whatever_the_retry_settings() {
        use lightsail_local::{Fault, FaultConfig, LocalEndpoint, ScriptedFault};
        let stall = |apply| Fault::Stall { ms: 1_000, apply };
        let faults =
            [Fault::Unavailable, Fault::ServerError, Fault::Throttle, Fault::LostResponse, stall(true), stall(false)];
        let endpoint = LocalEndpoint::start(Default::default()).await.unwrap();
        let creds = endpoint.credentials();
        let api = LightsailApi::new(AwsOptions {
            region: Some("us-east-1".into()),
            endpoint_url: Some(endpoint.url()),
            credentials: Some((creds.access_key_id.clone(), creds.secret_access_key.clone().into())),
            max_attempts: Some(5),
            initial_backoff: Some(Duration::from_millis(1)),
            attempt_timeout: Some(Duration::from_millis(300)),
            ..Default::default()
        })
        .await
        .unwrap();
        api.client(None).create_bucket().bucket_name("once").bundle_id("small_1_0").send().await.unwrap();
        let script = faults
            .iter()
            .map(|fault| ScriptedFault { operation: Some("CreateBucketAccessKey".into()), fault: *fault, hold: None })
            .collect();
        endpoint.set_faults(FaultConfig { script, ..Default::default() }).unwrap();
        for n in 1..=faults.len() as u64 {
            let error = api.create_bucket_access_key(None, "once").await.unwrap_err();
            assert!(error.retryable, "{error:?}");
            assert!(error.message.contains("(CreateBucketAccessKey, 1 attempt)"), "{}", error.message);
            assert_eq!(endpoint.stats().calls_of("CreateBucketAccessKey"), n, "one request per call");
        }
    }
}
