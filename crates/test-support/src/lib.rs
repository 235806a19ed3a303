//! What the tests, the examples, the CLI's `demo` and `--local`, and the adapters' tests share: the
//! names they use, and AWS options that point the host at a local endpoint. An engine links none of
//! it.

use lightsail_local::LocalEndpoint;
use lightsail_provider_host::{AwsOptions, LightsailApi};

/// The type token of the access key resource.
pub const ACCESS_KEY_TOKEN: &str = "aws:lightsail/bucketAccessKey:BucketAccessKey";
/// The type token of the bucket resource.
pub const BUCKET_TOKEN: &str = "aws:lightsail/bucket:Bucket";
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
        Self {
            region: Some(region.to_string()),
            profile: None,
            endpoint_url: Some(endpoint.url()),
            credentials: Some((creds.access_key_id.clone(), creds.secret_access_key.clone())),
            ..self
        }
    }
}

/// Makes a bucket with [`DEMO_BUNDLE`] in the API's default region, directly with the SDK.
pub async fn create_bucket(
    api: &LightsailApi,
    name: &str,
) -> Result<(), aws_sdk_lightsail::error::SdkError<aws_sdk_lightsail::operation::create_bucket::CreateBucketError>> {
    api.client(None).create_bucket().bucket_name(name).bundle_id(DEMO_BUNDLE).send().await.map(drop)
}
