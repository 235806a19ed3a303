//! Shared set-up: an endpoint on a free loopback port and a real `aws-sdk-lightsail` client.
#![allow(dead_code)]

use aws_sdk_lightsail::config::{BehaviorVersion, Region, retry::RetryConfig};
use aws_sdk_lightsail::{Client, config::Credentials as SdkCredentials};
use lightsail_local::{Config, Credentials, LocalEndpoint};

pub async fn endpoint() -> LocalEndpoint {
    LocalEndpoint::start(Config::default()).await.expect("endpoint starts")
}

pub fn sdk_config(url: &str, region: &str, creds: &Credentials) -> aws_sdk_lightsail::config::Builder {
    aws_sdk_lightsail::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .endpoint_url(url)
        .credentials_provider(SdkCredentials::new(&creds.access_key_id, &creds.secret_access_key, None, None, "test"))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        // Error paths are asserted one attempt at a time.
        .retry_config(RetryConfig::disabled())
}

pub fn client(endpoint: &LocalEndpoint, region: &str) -> Client {
    Client::from_conf(sdk_config(&endpoint.url(), region, endpoint.credentials()).build())
}

pub async fn create_bucket(client: &Client, name: &str) {
    client.create_bucket().bucket_name(name).bundle_id("small_1_0").send().await.expect("bucket created");
}

/// The error code the SDK reports (as `ProvideErrorMetadata` sees it).
pub fn code<E, R>(err: &aws_sdk_lightsail::error::SdkError<E, R>) -> Option<String>
where
    E: aws_sdk_lightsail::error::ProvideErrorMetadata,
{
    use aws_sdk_lightsail::error::ProvideErrorMetadata;
    err.code().map(str::to_string)
}

pub fn message<E, R>(err: &aws_sdk_lightsail::error::SdkError<E, R>) -> String
where
    E: aws_sdk_lightsail::error::ProvideErrorMetadata,
{
    use aws_sdk_lightsail::error::ProvideErrorMetadata;
    err.message().unwrap_or_default().to_string()
}
