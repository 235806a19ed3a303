//! The `lightsail` import, implemented with `aws-sdk-lightsail`: credentials from the aws-config
//! default chain (or given), one client per region, retries and timeouts from aws-smithy-runtime.
//! [`options`] says how to reach Lightsail; `convert` and [`errors`] turn the SDK's answers into
//! the contract's.

mod convert;
pub mod errors;
pub mod options;
pub mod settings;

pub use errors::error_chain;
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
use convert::{access_key, bucket, malformed, operation, operations};
use errors::api_error;
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
    clients: Mutex<HashMap<String, Client>>,
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
            let creds = Credentials::new(id, secret, options.session_token.clone(), None, "lightsail-provider");
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
        Ok(Self { sdk, default_region, default_tags, clients: Mutex::new(HashMap::new()) })
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
                tracing::debug!("no credentials: {}", error_chain(&e));
                Err(format!("{} ({})", errors::NO_CREDENTIALS, e))
            }
        }
    }

    /// The client for a region, made once and reused.
    pub fn client(&self, region: Option<&str>) -> Client {
        let region = region.unwrap_or(&self.default_region);
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        clients
            .entry(region.to_string())
            .or_insert_with(|| {
                let config = aws_sdk_lightsail::config::Builder::from(&self.sdk)
                    .region(Region::new(region.to_string()))
                    .interceptor(CountAttempts)
                    .build();
                Client::from_conf(config)
            })
            .clone()
    }

    pub(crate) async fn create_bucket_access_key(
        &self,
        region: Option<&str>,
        bucket_name: &str,
    ) -> Result<api::CreatedAccessKey, api::ApiError> {
        let out = self
            .client(region)
            .create_bucket_access_key()
            .bucket_name(bucket_name)
            .customize()
            // Sent once, as the WIT requires: after a lost answer a retry would make a second key
            // whose secret nobody saw. The component retries it once it has settled the first.
            .config_override(aws_sdk_lightsail::config::Builder::default().retry_config(RetryConfig::disabled()))
            .send();
        let out = counted("CreateBucketAccessKey", out).await?;
        let key = out.access_key.ok_or_else(|| malformed("CreateBucketAccessKey returned no accessKey"))?;
        Ok(api::CreatedAccessKey { access_key: access_key(key)?, operations: operations(out.operations)? })
    }

    pub(crate) async fn get_bucket_access_keys(
        &self,
        region: Option<&str>,
        bucket_name: &str,
    ) -> Result<Vec<api::AccessKey>, api::ApiError> {
        let out = self.client(region).get_bucket_access_keys().bucket_name(bucket_name).send();
        let out = counted("GetBucketAccessKeys", out).await?;
        out.access_keys.unwrap_or_default().into_iter().map(access_key).collect()
    }

    pub(crate) async fn delete_bucket_access_key(
        &self,
        region: Option<&str>,
        bucket_name: &str,
        access_key_id: &str,
    ) -> Result<Vec<api::Operation>, api::ApiError> {
        let out =
            self.client(region).delete_bucket_access_key().bucket_name(bucket_name).access_key_id(access_key_id).send();
        let out = counted("DeleteBucketAccessKey", out).await?;
        operations(out.operations)
    }

    pub(crate) async fn get_operation(
        &self,
        region: Option<&str>,
        operation_id: &str,
    ) -> Result<api::Operation, api::ApiError> {
        let out = self.client(region).get_operation().operation_id(operation_id).send();
        let out = counted("GetOperation", out).await?;
        operation(out.operation.ok_or_else(|| malformed("GetOperation returned no operation"))?)
    }
}

impl LightsailApi {
    pub(crate) async fn create_bucket(
        &self,
        region: Option<&str>,
        bucket_name: &str,
        bundle_id: &str,
        tags: &[(String, String)],
    ) -> Result<api::CreatedBucket, api::ApiError> {
        let out = self
            .client(region)
            .create_bucket()
            .bucket_name(bucket_name)
            .bundle_id(bundle_id)
            .set_tags(if tags.is_empty() { None } else { Some(tags.iter().map(tag).collect()) })
            .send();
        let out = counted("CreateBucket", out).await?;
        let created = out.bucket.ok_or_else(|| malformed("CreateBucket returned no bucket"))?;
        Ok(api::CreatedBucket { bucket: bucket(created)?, operations: operations(out.operations)? })
    }

    pub(crate) async fn get_bucket(
        &self,
        region: Option<&str>,
        bucket_name: &str,
    ) -> Result<api::Bucket, api::ApiError> {
        let out = self.client(region).get_buckets().bucket_name(bucket_name).send();
        let out = counted("GetBuckets", out).await?;
        let found = out.buckets.unwrap_or_default().into_iter().find(|b| b.name.as_deref() == Some(bucket_name));
        match found {
            Some(found) => bucket(found),
            // An empty answer for a named bucket means the same as NotFoundException.
            None => Err(api::ApiError {
                kind: api::ErrorKind::NotFound,
                code: "NotFoundException".into(),
                message: format!("no bucket {bucket_name}"),
                retryable: false,
            }),
        }
    }

    pub(crate) async fn update_bucket_bundle(
        &self,
        region: Option<&str>,
        bucket_name: &str,
        bundle_id: &str,
    ) -> Result<Vec<api::Operation>, api::ApiError> {
        let out = self.client(region).update_bucket_bundle().bucket_name(bucket_name).bundle_id(bundle_id).send();
        let out = counted("UpdateBucketBundle", out).await?;
        operations(out.operations)
    }

    pub(crate) async fn delete_bucket(
        &self,
        region: Option<&str>,
        bucket_name: &str,
        force_delete: bool,
    ) -> Result<Vec<api::Operation>, api::ApiError> {
        let out = self.client(region).delete_bucket().bucket_name(bucket_name).force_delete(force_delete).send();
        let out = counted("DeleteBucket", out).await?;
        operations(out.operations)
    }

    pub(crate) async fn tag_resource(
        &self,
        region: Option<&str>,
        resource_name: &str,
        tags: &[(String, String)],
    ) -> Result<Vec<api::Operation>, api::ApiError> {
        let out = self
            .client(region)
            .tag_resource()
            .resource_name(resource_name)
            .set_tags(Some(tags.iter().map(tag).collect()))
            .send();
        operations(counted("TagResource", out).await?.operations)
    }

    pub(crate) async fn untag_resource(
        &self,
        region: Option<&str>,
        resource_name: &str,
        keys: &[String],
    ) -> Result<Vec<api::Operation>, api::ApiError> {
        let out =
            self.client(region).untag_resource().resource_name(resource_name).set_tag_keys(Some(keys.to_vec())).send();
        operations(counted("UntagResource", out).await?.operations)
    }
}

fn tag((key, value): &(String, String)) -> aws_sdk_lightsail::types::Tag {
    aws_sdk_lightsail::types::Tag::builder().key(key).value(value).build()
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

/// Sends a call and, when it fails, says which operation it was and how many attempts were made.
async fn counted<T, E>(
    operation: &str,
    call: impl std::future::Future<Output = Result<T, SdkError<E, HttpResponse>>>,
) -> Result<T, api::ApiError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    // Boxed, the SDK's future (about 5 KiB) is held once per call in flight; inline, the futures
    // that wrap it up to the one wasmtime boxes came to 14 KiB (15 MiB more at 1,000 in flight).
    let call = Box::pin(call);
    ATTEMPTS
        .scope(Cell::new(0), async {
            call.await.map_err(|err| {
                let mut error = api_error(err);
                let attempts = ATTEMPTS.with(Cell::get);
                let plural = if attempts == 1 { "" } else { "s" };
                error.message = format!("{} ({operation}, {attempts} attempt{plural})", error.message);
                error
            })
        })
        .await
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
            credentials: Some((creds.access_key_id.clone(), creds.secret_access_key.clone())),
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
