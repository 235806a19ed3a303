//! Embedding the provider in your own Rust program: load the component once, then drive the
//! resource through the typed `Provider` API. Runs against an in-process local endpoint:
//!
//!     cargo run --example embed
//!
//! Against AWS, build `LightsailApi` from `AwsOptions::default()` (the default credential chain)
//! without `with_local_endpoint`.

use lightsail_provider_host::aws::{AwsOptions, LightsailApi};
use lightsail_provider_host::{ComponentRuntime, PROVIDER_COMPONENT, Provider, RuntimeOptions};
use lightsail_test_support::{ACCESS_KEY_TOKEN as TOKEN, DEMO_BUCKET, LocalEndpointOptions, create_bucket};
use std::sync::Arc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // A Lightsail-compatible endpoint on a free loopback port, for the example only.
    let endpoint = lightsail_local::LocalEndpoint::start(Default::default()).await?;
    let api = Arc::new(LightsailApi::new(AwsOptions::default().with_local_endpoint(&endpoint, "us-east-1")).await?);
    create_bucket(&api, DEMO_BUCKET).await?;

    // Compile once (or load from the cache); every call below gets a fresh instance of it.
    let runtime = Arc::new(ComponentRuntime::new(PROVIDER_COMPONENT, RuntimeOptions::default())?);
    let provider = Provider::new(runtime, Some(api));

    let checked = provider.check(TOKEN, None, r#"{"bucketName": "example-bucket"}"#).await?;
    assert!(checked.failures.is_empty());
    let created = provider.create(TOKEN, &checked.inputs, false).await?;
    // Store `created.outputs.values` as your state; the names in `created.outputs.secrets` are secret.
    println!("created {} (secret properties: {:?})", created.id, created.outputs.secrets);

    let read = provider.read(TOKEN, &created.id, Some(&created.outputs.values)).await?;
    println!("read: {}", if read.is_some() { "present" } else { "gone" });

    provider.delete(TOKEN, &created.id, &created.outputs.values).await?;
    println!("deleted {}", created.id);
    Ok(())
}
