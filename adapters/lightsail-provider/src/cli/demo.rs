//! `demo`: the resource's whole lifecycle through the component, on an in-process local endpoint.

use super::output::Printer;
use super::{BUCKET_ACCESS_KEY as TOKEN, exit, report};
use lightsail_provider_host::aws::AwsOptions;
use lightsail_provider_host::lock::Locks;
use lightsail_provider_host::{CallError, ComponentRuntime, Provider, cache};
use std::sync::Arc;

/// The seed's bucket, which the demo (and `--local`) makes on the local endpoint.
pub const BUCKET: &str = "example-bucket";
/// The bundle it is made with.
pub const BUNDLE: &str = "small_1_0";

fn step(n: u32, text: &str) {
    println!("\n{n}. {text}");
}

pub async fn run(runtime: Arc<ComponentRuntime>, aws: &AwsOptions, printer: &Printer) -> u8 {
    match lifecycle(runtime, aws, printer).await {
        Ok(()) => exit::OK,
        Err(Failure::Call(e)) => report(printer, &e),
        Err(Failure::Setup(e)) => {
            eprintln!("error: {e:#}");
            exit::FAILURE
        }
        Err(Failure::Unexpected(what)) => {
            eprintln!("error: the demo went wrong: {what}");
            exit::FAILURE
        }
    }
}

enum Failure {
    Call(CallError),
    Setup(anyhow::Error),
    Unexpected(String),
}

impl From<CallError> for Failure {
    fn from(e: CallError) -> Self {
        Failure::Call(e)
    }
}

async fn lifecycle(runtime: Arc<ComponentRuntime>, aws: &AwsOptions, printer: &Printer) -> Result<(), Failure> {
    let endpoint = lightsail_local::LocalEndpoint::start(lightsail_local::Config::default())
        .await
        .map_err(|e| Failure::Setup(e.into()))?;
    let api = super::local_api(aws, &endpoint).await.map_err(Failure::Setup)?;
    // The demo's endpoint is its own, in this process: its locks reach every creator.
    let locks = Arc::new(Locks::in_process().covering_every_creator());
    let provider = Provider::new(runtime.clone(), Some(api.clone())).with_locks(locks);
    printer.set_default_region(Some(api.default_region()));
    let client = api.client(None);

    println!("Lifecycle of {TOKEN}");
    println!(
        "  component          {} KiB, {}",
        runtime.component_size() / 1024,
        match runtime.source() {
            cache::Source::Cache => "loaded from the compiled-component cache",
            cache::Source::Compiled => "compiled now",
        }
    );
    println!(
        "  local endpoint     {} (region {}, SigV4 with the test credentials)",
        endpoint.url(),
        api.default_region()
    );

    step(1, &format!("Create bucket {BUCKET} ({BUNDLE}) with aws-sdk-lightsail, outside the provider"));
    super::ensure_bucket(&api, BUCKET, BUNDLE).await.map_err(Failure::Setup)?;
    println!("  bucket {BUCKET} exists");

    step(2, "Check invalid inputs: refused before any AWS call");
    let calls_before = endpoint.stats().total_calls();
    let checked = provider.check(TOKEN, None, r#"{"bucketName": "Example_Bucket", "colour": "blue"}"#).await?;
    for failure in &checked.failures {
        println!("  {}: {}", failure.property, failure.reason);
    }
    println!("  Lightsail calls made: {}", endpoint.stats().total_calls() - calls_before);

    step(3, "Create an access key");
    let inputs = serde_json::json!({ "bucketName": BUCKET }).to_string();
    let created = provider.create(TOKEN, &inputs, false).await?;
    printer.created(&created, false);

    let key = KeyUse::of(&created.outputs.values, &endpoint.url(), api.default_region())?;
    step(4, "Use it: put an object into the bucket and read it back, signed with the new key (aws-sdk-s3)");
    let read_back = key.put_and_get(BUCKET, OBJECT_KEY, OBJECT_TEXT).await.map_err(Failure::Setup)?;
    println!("  put s3://{BUCKET}/{OBJECT_KEY} ({} bytes), read back: {read_back:?}", OBJECT_TEXT.len());

    step(5, "Read it back, with the state from step 3 (the secret is kept from state)");
    let read = provider.read(TOKEN, &created.id, Some(&created.outputs.values)).await?;
    let read = read.ok_or_else(|| Failure::Unexpected("the new key reads as gone".into()))?;
    printer.read(&created.id, None, Some(&read));

    step(6, &format!("Import it by id {} (an import never has the secret)", created.id));
    let imported = provider.import(TOKEN, &created.id).await?;
    printer.imported(&imported);

    let access_key_id = created.id.split_once(',').map(|(_, key)| key).unwrap_or_default();
    step(7, "Delete the key out of band, with aws-sdk-lightsail (as someone in the console would)");
    client
        .delete_bucket_access_key()
        .bucket_name(BUCKET)
        .access_key_id(access_key_id)
        .send()
        .await
        .map_err(|e| Failure::Setup(anyhow::anyhow!(lightsail_provider_host::aws::errors::error_chain(&e))))?;
    println!("  deleted {access_key_id}");

    step(8, "Read it again: the provider reports it gone, so an engine would plan to recreate it");
    let gone = provider.read(TOKEN, &created.id, Some(&created.outputs.values)).await?;
    if gone.is_some() {
        return Err(Failure::Unexpected("a deleted key still reads as present".into()));
    }
    printer.read(&created.id, Some(&created.outputs.values), None);
    match key.put_and_get(BUCKET, OBJECT_KEY, OBJECT_TEXT).await {
        Ok(_) => return Err(Failure::Unexpected("the deleted key still opens the bucket".into())),
        Err(refused) => println!("  and S3 refuses the deleted key: {refused}"),
    }

    step(9, "Create it again");
    let again = provider.create(TOKEN, &inputs, false).await?;
    printer.created(&again, false);

    step(10, "Delete it through the provider, then delete it once more (already gone is fine)");
    provider.delete(TOKEN, &again.id, &again.outputs.values).await?;
    printer.deleted(&again.id, &again.outputs.values, true);
    provider.delete(TOKEN, &again.id, &again.outputs.values).await?;
    printer.deleted(&again.id, &again.outputs.values, false);

    let stats = endpoint.stats();
    println!("\nDone: {} calls, all signed with SigV4 over HTTP:", stats.total_calls());
    for (operation, count) in &stats.calls {
        println!("  {operation:<22} {count}");
    }
    Ok(())
}

/// An S3 refusal as the demo shows it: `InvalidAccessKeyId (403)`.
fn refused<E: aws_sdk_s3::error::ProvideErrorMetadata>(
    error: aws_sdk_s3::error::SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
) -> anyhow::Error {
    use aws_sdk_s3::error::ProvideErrorMetadata;
    let status = error.raw_response().map_or("no answer".into(), |r| r.status().as_u16().to_string());
    anyhow::anyhow!("{} ({status})", error.code().unwrap_or("refused"))
}

const OBJECT_KEY: &str = "hello.txt";
const OBJECT_TEXT: &str = "hello from the new key";

/// The new key in an S3 client of the endpoint's S3 side.
struct KeyUse {
    s3: aws_sdk_s3::Client,
}

impl KeyUse {
    fn of(outputs: &str, url: &str, region: &str) -> Result<Self, Failure> {
        let outputs: serde_json::Value =
            serde_json::from_str(outputs).map_err(|e| Failure::Unexpected(format!("the outputs are not JSON: {e}")))?;
        let text = |name: &str| {
            outputs[name]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| Failure::Unexpected(format!("no {name} in the outputs")))
        };
        let credentials =
            aws_sdk_s3::config::Credentials::new(text("accessKeyId")?, text("secretAccessKey")?, None, None, "demo");
        let config = aws_sdk_s3::Config::builder()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(aws_sdk_s3::config::Region::new(region.to_string()))
            .endpoint_url(url)
            .force_path_style(true)
            .credentials_provider(credentials)
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .build();
        Ok(Self { s3: aws_sdk_s3::Client::from_conf(config) })
    }

    /// Puts `text` at `key` and reads it back; the refusal's code and status otherwise.
    async fn put_and_get(&self, bucket: &str, key: &str, text: &str) -> anyhow::Result<String> {
        let body = aws_sdk_s3::primitives::ByteStream::from(text.as_bytes().to_vec());
        self.s3.put_object().bucket(bucket).key(key).body(body).send().await.map_err(refused)?;
        let object = self.s3.get_object().bucket(bucket).key(key).send().await.map_err(refused)?;
        let bytes = object.body.collect().await?.into_bytes();
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}
