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
        .credentials_provider(SdkCredentials::new(
            &creds.access_key_id,
            &creds.secret_access_key,
            creds.session_token.clone(),
            None,
            "test",
        ))
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

/// Whether the error is Lightsail's not-found answer: `NotFoundException` with the `DoesNotExist`
/// code, which the SDK reports as the code (so it is not a typed `NotFoundException` there).
pub fn is_not_found<E, R>(err: &aws_sdk_lightsail::error::SdkError<E, R>) -> bool
where
    E: aws_sdk_lightsail::error::ProvideErrorMetadata,
{
    code(err).as_deref() == Some("DoesNotExist")
}

pub fn message<E, R>(err: &aws_sdk_lightsail::error::SdkError<E, R>) -> String
where
    E: aws_sdk_lightsail::error::ProvideErrorMetadata,
{
    use aws_sdk_lightsail::error::ProvideErrorMetadata;
    err.message().unwrap_or_default().to_string()
}

/// A raw HTTP/1.1 exchange on a fresh connection, for requests no SDK would send.
/// Returns the status and the body, or `None` when the server closed without answering.
pub async fn raw_request(endpoint: &LocalEndpoint, head: &str, body: &[u8]) -> Option<(u16, String)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(endpoint.addr()).await.unwrap();
    let request =
        format!("{head}\r\nhost: {}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", endpoint.addr(), body.len());
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    let text = String::from_utf8_lossy(&response).to_string();
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    Some((status, body))
}

/// A JSON error body's `__type`.
pub fn error_type(body: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"));
    value["__type"].as_str().unwrap_or_default().to_string()
}

/// Rewrites a request after the SDK serialized it and before it signs it, so that a request no SDK
/// would send still carries a valid signature.
#[derive(Debug, Clone, Default)]
pub struct Rewrite {
    pub target: Option<String>,
    pub body: Option<Vec<u8>>,
}

impl aws_sdk_lightsail::config::Intercept for Rewrite {
    fn name(&self) -> &'static str {
        "Rewrite"
    }

    fn modify_before_signing(
        &self,
        context: &mut aws_sdk_lightsail::config::interceptors::BeforeTransmitInterceptorContextMut<'_>,
        _: &aws_sdk_lightsail::config::RuntimeComponents,
        _: &mut aws_sdk_lightsail::config::ConfigBag,
    ) -> Result<(), aws_sdk_lightsail::error::BoxError> {
        let request = context.request_mut();
        if let Some(target) = &self.target {
            request.headers_mut().insert("x-amz-target", target.clone());
        }
        if let Some(body) = &self.body {
            request.headers_mut().insert("content-length", body.len().to_string());
            *request.body_mut() = aws_smithy_types::body::SdkBody::from(body.clone());
        }
        Ok(())
    }
}

/// GetBuckets, rewritten.
pub async fn send_rewritten(
    endpoint: &LocalEndpoint,
    rewrite: Rewrite,
) -> Result<(), aws_sdk_lightsail::error::SdkError<aws_sdk_lightsail::operation::get_buckets::GetBucketsError>> {
    let conf = sdk_config(&endpoint.url(), "us-east-1", endpoint.credentials()).interceptor(rewrite);
    Client::from_conf(conf.build()).get_buckets().send().await.map(|_| ())
}

/// A real `aws-sdk-s3` client of the endpoint's S3 side, signing with this bucket key.
pub fn s3_client(url: &str, region: &str, (id, secret): (&str, &str)) -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new(region.to_string()))
        .endpoint_url(url)
        .force_path_style(true)
        .credentials_provider(aws_sdk_s3::config::Credentials::new(id, secret, None, None, "test"))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .retry_config(aws_sdk_s3::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// A new access key of `bucket`: its id and secret.
pub async fn new_key(client: &Client, bucket: &str) -> (String, String) {
    let created = client.create_bucket_access_key().bucket_name(bucket).send().await.expect("key created");
    let key = created.access_key.expect("a key");
    (key.access_key_id.expect("an id"), key.secret_access_key.expect("a secret"))
}
