//! The Pulumi plugin's figures, launched as the engine launches it and driven with the calls the
//! engine makes, against a local endpoint in this process:
//!
//! - start-up: spawned to its port line, and to its first answer (GetSchema), with its peak RSS
//!   then (medians of 10 launches);
//! - 100 keys over 50 buckets: a preview of the new stack (Check, then Create with `preview`), the
//!   up that creates it (Check and Create, the buckets first), a preview with refresh of the stack
//!   as it then is (Read, Check, Diff: what `terraform plan` does), and the destroy. Each is one
//!   plugin process of its own, all of its resources at once (Pulumi's parallelism is unbounded);
//!   its wall time and the process's peak RSS are printed.
//!
//! ```sh
//! cargo build --release -p pulumi-provider-lightsail
//! cargo run --release -p pulumi-provider-lightsail --example figures
//! ```
//!
//! There is no Pulumi engine on these machines (its CLI is not packaged on a registry they reach),
//! so the engine's side is this client of the same vendored protos.

#[path = "../tests/common/mod.rs"]
mod common;

use std::future::Future;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Client, Plugin, bag, configure_request, rpc, urn};
use lightsail_local::{Config, LocalEndpoint};
use lightsail_test_support::{ACCESS_KEY_TOKEN as KEY, BUCKET_TOKEN as BUCKET};
use prost_types::Struct;
use serde_json::json;

const BUCKETS: usize = 50;
const KEYS_PER_BUCKET: usize = 2;

#[tokio::main]
async fn main() {
    let plugin = common::plugin_binary();
    if !plugin.exists() {
        eprintln!("error: build the plugin first: cargo build --release -p pulumi-provider-lightsail");
        std::process::exit(2);
    }
    startup(&plugin).await;

    let endpoint = LocalEndpoint::start(Config::default()).await.expect("the endpoint starts");
    println!(
        "\n| {} keys over {BUCKETS} buckets, all at once | wall time | plugin peak RSS |",
        BUCKETS * KEYS_PER_BUCKET
    );
    println!("|---|---|---|");
    let stack = Stack::new();
    let ids = phase(&endpoint, "preview of the new stack (Check, Create with preview)", |c| stack.preview(c)).await;
    assert!(ids.iter().all(String::is_empty), "a preview makes no id");
    let states = phase(&endpoint, "up (Check, Create; the buckets first)", |c| stack.up(c)).await;
    phase(&endpoint, "preview with refresh (Read, Check, Diff), as `terraform plan`", |c| {
        stack.refresh_preview(c, &states)
    })
    .await;
    phase(&endpoint, "destroy (Delete; the keys first)", |c| stack.destroy(c, &states)).await;
    assert!(endpoint.inspect(|store| store.bucket_names("us-east-1").is_empty()), "the destroy leaves nothing");
}

/// Spawned to the port line and to the first answer, medians of 10.
async fn startup(plugin: &std::path::Path) {
    let home = tempfile::tempdir().unwrap();
    let (mut to_port, mut to_schema, mut peaks) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..10 {
        let started = Instant::now();
        let mut child = Command::new(plugin)
            .args(["--logtostderr", "-v=0", "127.0.0.1:9"])
            .env("HOME", home.path())
            .env("XDG_CACHE_HOME", home.path().join("cache"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port: u16 = line.trim().parse().expect("the first line is the port");
        to_port.push(started.elapsed());
        let mut client = Client::connect(format!("http://127.0.0.1:{port}")).await.unwrap();
        let schema = client.get_schema(rpc::GetSchemaRequest::default()).await.unwrap().into_inner().schema;
        to_schema.push(started.elapsed());
        assert!(schema.contains(KEY));
        peaks.push(peak_kib(child.id()));
        let _ = child.kill();
        let _ = child.wait();
    }
    let median = |mut samples: Vec<Duration>| {
        samples.sort();
        samples[samples.len() / 2]
    };
    peaks.sort();
    println!("| Pulumi plugin start-up (median of 10) | |");
    println!("|---|---|");
    println!("| spawned to its port line | {:.1} ms |", median(to_port).as_secs_f64() * 1e3);
    println!("| spawned to its first answer (GetSchema) | {:.1} ms |", median(to_schema).as_secs_f64() * 1e3);
    println!("| peak RSS then | {} |", mib(peaks[peaks.len() / 2]));
}

/// One engine operation in a plugin process of its own, configured for `endpoint` as the engine
/// configures it; prints its wall time (from Configure on) and the process's peak RSS.
async fn phase<T>(endpoint: &LocalEndpoint, what: &str, run: impl AsyncFnOnce(Client) -> T) -> T {
    let plugin = Plugin::launch(0);
    let mut client = plugin.client().await;
    let started = Instant::now();
    client.configure(configure_request(endpoint)).await.expect("configured");
    let result = run(client).await;
    let wall = started.elapsed();
    println!("| {what} | {:.2} s | {} |", wall.as_secs_f64(), mib(peak_kib(plugin.pid())));
    let (code, stderr) = plugin.stop();
    assert_eq!(code, Some(0), "the plugin stops cleanly: {stderr}");
    result
}

/// The program: buckets `fig-00` to `fig-49`, each with two keys.
struct Stack {
    buckets: Vec<String>,
}

/// A resource of the program: its type, name and the inputs the program gives it.
type Declared = (&'static str, String, serde_json::Value);

/// A resource as the engine tracks it: its type, name, inputs and (once created) id and state.
#[derive(Clone)]
struct Resource {
    token: &'static str,
    name: String,
    inputs: Struct,
    id: String,
    state: Struct,
}

impl Stack {
    fn new() -> Self {
        Self { buckets: (0..BUCKETS).map(|i| format!("fig-{i:02}")).collect() }
    }

    /// The buckets, then the keys.
    fn program(&self) -> (Vec<Declared>, Vec<Declared>) {
        let buckets = self.buckets.iter().map(|b| (BUCKET, b.clone(), json!({ "name": b, "bundleId": "small_1_0" })));
        let keys = self
            .buckets
            .iter()
            .flat_map(|b| (0..KEYS_PER_BUCKET).map(move |k| (KEY, format!("{b}-key-{k}"), json!({ "bucketName": b }))));
        (buckets.collect(), keys.collect())
    }

    async fn preview(&self, client: Client) -> Vec<String> {
        let (buckets, keys) = self.program();
        all(buckets.into_iter().chain(keys).map(|(token, name, news)| {
            let mut client = client.clone();
            async move {
                let inputs = check(&mut client, token, &name, json!({}), news).await;
                create(&mut client, token, &name, inputs, true).await.id
            }
        }))
        .await
    }

    async fn up(&self, client: Client) -> Vec<Resource> {
        let (buckets, keys) = self.program();
        let make = |(token, name, news): Declared| {
            let mut client = client.clone();
            async move {
                let inputs = check(&mut client, token, &name, json!({}), news).await;
                let created = create(&mut client, token, &name, inputs.clone(), false).await;
                assert!(!created.id.is_empty(), "{name} is created");
                Resource { token, name, inputs, id: created.id, state: created.properties.unwrap_or_default() }
            }
        };
        let mut made = all(buckets.into_iter().map(make)).await;
        made.extend(all(keys.into_iter().map(make)).await);
        made
    }

    async fn refresh_preview(&self, client: Client, stack: &[Resource]) {
        all(stack.iter().cloned().map(|r| {
            let mut client = client.clone();
            async move {
                let read = client
                    .read(rpc::ReadRequest {
                        id: r.id.clone(),
                        urn: urn(r.token, &r.name),
                        properties: Some(r.state.clone()),
                        inputs: Some(r.inputs.clone()),
                        r#type: r.token.into(),
                        name: r.name.clone(),
                        ..Default::default()
                    })
                    .await
                    .expect("read")
                    .into_inner();
                assert_eq!(read.id, r.id, "{} is still there", r.name);
                let inputs = read.inputs.unwrap_or_default();
                let news = client
                    .check(rpc::CheckRequest {
                        urn: urn(r.token, &r.name),
                        olds: Some(inputs.clone()),
                        news: Some(inputs),
                        r#type: r.token.into(),
                        name: r.name.clone(),
                        ..Default::default()
                    })
                    .await
                    .expect("check")
                    .into_inner()
                    .inputs;
                let diff = client
                    .diff(rpc::DiffRequest {
                        id: r.id.clone(),
                        urn: urn(r.token, &r.name),
                        olds: read.properties,
                        news,
                        old_inputs: Some(r.inputs.clone()),
                        r#type: r.token.into(),
                        name: r.name.clone(),
                        ..Default::default()
                    })
                    .await
                    .expect("diff")
                    .into_inner();
                assert_eq!(diff.changes, rpc::diff_response::DiffChanges::DiffNone as i32, "{} has no change", r.name);
            }
        }))
        .await;
    }

    async fn destroy(&self, client: Client, stack: &[Resource]) {
        let delete = |r: &Resource| {
            let mut client = client.clone();
            let request = rpc::DeleteRequest {
                id: r.id.clone(),
                urn: urn(r.token, &r.name),
                properties: Some(r.state.clone()),
                r#type: r.token.into(),
                name: r.name.clone(),
                ..Default::default()
            };
            async move {
                client.delete(request).await.expect("deleted");
            }
        };
        all(stack.iter().filter(|r| r.token == KEY).map(delete)).await;
        all(stack.iter().filter(|r| r.token == BUCKET).map(delete)).await;
    }
}

async fn check(
    client: &mut Client,
    token: &str,
    name: &str,
    olds: serde_json::Value,
    news: serde_json::Value,
) -> Struct {
    let checked = client
        .check(rpc::CheckRequest {
            urn: urn(token, name),
            olds: Some(bag(olds)),
            news: Some(bag(news)),
            r#type: token.into(),
            name: name.into(),
            ..Default::default()
        })
        .await
        .expect("check")
        .into_inner();
    assert!(checked.failures.is_empty(), "{name}: {:?}", checked.failures);
    checked.inputs.unwrap_or_default()
}

async fn create(client: &mut Client, token: &str, name: &str, inputs: Struct, preview: bool) -> rpc::CreateResponse {
    let request = rpc::CreateRequest {
        urn: urn(token, name),
        properties: Some(inputs),
        preview,
        r#type: token.into(),
        name: name.into(),
        ..Default::default()
    };
    client.create(request).await.expect("create").into_inner()
}

/// Runs every future at once on this runtime and collects their results in order.
async fn all<T: Send + 'static>(futures: impl Iterator<Item = impl Future<Output = T> + Send + 'static>) -> Vec<T> {
    let tasks: Vec<_> = futures.map(tokio::spawn).collect();
    let mut results = Vec::with_capacity(tasks.len());
    for task in tasks {
        results.push(task.await.expect("no panic"));
    }
    results
}

fn mib(kib: u64) -> String {
    format!("{:.0} MiB", kib as f64 / 1024.0)
}

/// The peak RSS (VmHWM, KiB) of the process `pid`.
fn peak_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}
