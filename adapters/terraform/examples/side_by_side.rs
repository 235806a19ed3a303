//! `terraform apply` and `terraform plan` with hashicorp/aws 5.100.0 and with this provider, same
//! machine, same local endpoint, same run: the seed (a bucket and its key) and 20 keys over 10
//! buckets. For each: the command's wall time and the peak RSS of each provider plugin process
//! Terraform started (sampled from /proc every 5 ms: VmHWM only grows, so at most the last few
//! milliseconds' growth can be missed).
//!
//! ```sh
//! cargo build --release -p terraform-provider-lightsail
//! cargo run --release -p terraform-provider-lightsail --example side_by_side [ROUNDS]
//! ```
//!
//! Needs `terraform` on PATH and hashicorp/aws 5.100.0 in the filesystem mirror at /opt/tf-plugins
//! (or `HASHICORP_MIRROR`). The figures are medians over ROUNDS (default 3) rounds, in which the two
//! providers take turns.

use lightsail_local::LocalEndpoint;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone, Copy, PartialEq)]
enum Provider {
    Hashicorp,
    Ours,
}

impl Provider {
    fn label(self) -> &'static str {
        match self {
            Provider::Hashicorp => "hashicorp/aws 5.100.0",
            Provider::Ours => "this provider",
        }
    }

    /// How its plugin's executable is named once Terraform installed it.
    fn executable_prefix(self) -> &'static str {
        match self {
            Provider::Hashicorp => "terraform-provider-aws_",
            Provider::Ours => "terraform-provider-awslightsail_",
        }
    }
}

/// One command's figures: wall time, and the largest peak RSS among the plugin processes.
#[derive(Clone, Copy)]
struct Figures {
    wall: Duration,
    peak_kib: u64,
    processes: usize,
}

fn main() {
    let rounds: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(3);
    let ours = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("terraform-provider-lightsail")))
        .filter(|path| path.exists())
        .unwrap_or_else(|| {
            eprintln!("error: build the plugin first: cargo build --release -p terraform-provider-lightsail");
            std::process::exit(2);
        });
    let hashicorp_mirror = std::env::var("HASHICORP_MIRROR").unwrap_or_else(|_| "/opt/tf-plugins".into());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let endpoint = runtime.block_on(LocalEndpoint::start(Default::default())).unwrap();

    let scenarios = [("the seed (1 bucket, 1 key)", 1, 1), ("20 keys over 10 buckets", 10, 2)];
    let mut results: BTreeMap<(usize, &str, usize), Vec<Figures>> = BTreeMap::new();
    for round in 0..rounds {
        // Take turns, so that neither side always runs on a machine the other just warmed.
        let order =
            if round % 2 == 0 { [Provider::Hashicorp, Provider::Ours] } else { [Provider::Ours, Provider::Hashicorp] };
        for (s, (_, buckets, keys)) in scenarios.iter().enumerate() {
            for provider in order {
                let run = Workspace::new(provider, &ours, &hashicorp_mirror, &endpoint, *buckets, *keys, round);
                run.terraform(&["init", "-input=false"], provider);
                let apply = run.terraform(&["apply", "-auto-approve", "-input=false"], provider);
                let plan = run.terraform(&["plan", "-input=false", "-detailed-exitcode"], provider);
                run.terraform(&["destroy", "-auto-approve", "-input=false"], provider);
                let index = if provider == Provider::Hashicorp { 0 } else { 1 };
                results.entry((s, "apply", index)).or_default().push(apply);
                results.entry((s, "plan", index)).or_default().push(plan);
            }
        }
        eprintln!("round {} of {rounds} done", round + 1);
    }

    println!(
        "| Configuration | Command | {} | {} | Ratio (this / hashicorp) |",
        Provider::Hashicorp.label(),
        Provider::Ours.label()
    );
    println!("|---|---|---|---|---|");
    for (s, (name, _, _)) in scenarios.iter().enumerate() {
        for command in ["apply", "plan"] {
            let theirs = median(&results[&(s, command, 0)]);
            let ours = median(&results[&(s, command, 1)]);
            println!(
                "| {name} | `terraform {command}` | {} | {} | time {:.2}x, RSS {:.2}x |",
                show(theirs),
                show(ours),
                ours.wall.as_secs_f64() / theirs.wall.as_secs_f64(),
                ours.peak_kib as f64 / theirs.peak_kib as f64,
            );
        }
    }
    println!(
        "\nMedians of {rounds} rounds; wall time of the whole command; RSS: the peak of the largest plugin process \
         (processes per command in brackets)."
    );
}

fn show(f: Figures) -> String {
    format!("{:.2} s, {:.0} MiB ({})", f.wall.as_secs_f64(), f.peak_kib as f64 / 1024.0, f.processes)
}

fn median(samples: &[Figures]) -> Figures {
    let mut by_wall = samples.to_vec();
    by_wall.sort_by_key(|f| f.wall);
    let mut by_rss: Vec<u64> = samples.iter().map(|f| f.peak_kib).collect();
    by_rss.sort();
    Figures { peak_kib: by_rss[by_rss.len() / 2], ..by_wall[by_wall.len() / 2] }
}

struct Workspace {
    _dir: tempfile::TempDir,
    root: PathBuf,
    work: PathBuf,
}

impl Workspace {
    fn new(
        provider: Provider,
        ours: &Path,
        hashicorp_mirror: &str,
        endpoint: &LocalEndpoint,
        buckets: usize,
        keys: usize,
        round: usize,
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let work = root.join("work");
        std::fs::create_dir_all(&work).unwrap();
        let laid_out = Command::new(ours).arg("mirror").arg(root.join("mirror")).output().unwrap();
        assert!(laid_out.status.success(), "{}", String::from_utf8_lossy(&laid_out.stderr));
        std::fs::write(
            root.join("cli.tfrc"),
            format!(
                "provider_installation {{\n  filesystem_mirror {{\n    path = \"{}/mirror\"\n    include = [\"registry.terraform.io/lightsail-wasm/awslightsail\"]\n  }}\n  filesystem_mirror {{\n    path = \"{hashicorp_mirror}\"\n    include = [\"registry.terraform.io/hashicorp/aws\"]\n  }}\n}}\n",
                root.display()
            ),
        )
        .unwrap();
        let creds = endpoint.credentials();
        let (url, id, secret) = (endpoint.url(), &creds.access_key_id, &creds.secret_access_key);
        let (header, provider_line) = match provider {
            Provider::Hashicorp => (
                format!(
                    "terraform {{\n  required_providers {{\n    aws = {{ source = \"hashicorp/aws\", version = \"5.100.0\" }}\n  }}\n}}\n\
                     provider \"aws\" {{\n  region = \"us-east-1\"\n  access_key = \"{id}\"\n  secret_key = \"{secret}\"\n  \
                     skip_credentials_validation = true\n  skip_requesting_account_id = true\n  skip_metadata_api_check = true\n  \
                     endpoints {{ lightsail = \"{url}\" }}\n}}\n"
                ),
                "",
            ),
            Provider::Ours => (
                format!(
                    "terraform {{\n  required_providers {{\n    awslightsail = {{ source = \"lightsail-wasm/awslightsail\", version = \"{}\" }}\n  }}\n}}\n\
                     provider \"awslightsail\" {{\n  region = \"us-east-1\"\n  access_key = \"{id}\"\n  secret_key = \"{secret}\"\n  \
                     endpoints {{ lightsail = \"{url}\" }}\n}}\n",
                    env!("CARGO_PKG_VERSION")
                ),
                "  provider = awslightsail\n",
            ),
        };
        // Bucket names are global: each run names its own.
        let side = if provider == Provider::Hashicorp { "h" } else { "o" };
        let resources = format!(
            "resource \"aws_lightsail_bucket\" \"b\" {{\n{provider_line}  count = {buckets}\n  name = \"bench-{side}{round}-${{count.index}}\"\n  bundle_id = \"small_1_0\"\n}}\n\
             resource \"aws_lightsail_bucket_access_key\" \"k\" {{\n{provider_line}  count = {}\n  bucket_name = aws_lightsail_bucket.b[count.index % {buckets}].id\n}}\n",
            buckets * keys
        );
        std::fs::write(work.join("main.tf"), header + &resources).unwrap();
        Self { _dir: dir, root, work }
    }

    /// Runs one terraform command, sampling the peak RSS of the provider's plugin processes.
    fn terraform(&self, args: &[&str], provider: Provider) -> Figures {
        let peaks = Arc::new(Mutex::new(BTreeMap::<u32, u64>::new()));
        let done = Arc::new(AtomicBool::new(false));
        let sampler = {
            let (peaks, done) = (peaks.clone(), done.clone());
            let prefix = provider.executable_prefix();
            std::thread::spawn(move || {
                while !done.load(Ordering::Relaxed) {
                    for (pid, kib) in plugin_peaks(prefix) {
                        let mut peaks = peaks.lock().unwrap();
                        let peak = peaks.entry(pid).or_default();
                        *peak = (*peak).max(kib);
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
            })
        };
        let started = Instant::now();
        let output = Command::new("terraform")
            .args(args)
            .arg("-no-color")
            .current_dir(&self.work)
            .env("TF_CLI_CONFIG_FILE", self.root.join("cli.tfrc"))
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .env("HOME", &self.root)
            .output()
            .unwrap();
        let wall = started.elapsed();
        done.store(true, Ordering::Relaxed);
        sampler.join().unwrap();
        let code = output.status.code().unwrap_or(-1);
        // `plan -detailed-exitcode` answers 0 when nothing is to change; anything else is a failure here.
        assert_eq!(
            code,
            0,
            "terraform {args:?} ({}):\n{}{}",
            provider.label(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let peaks = peaks.lock().unwrap();
        Figures { wall, peak_kib: peaks.values().copied().max().unwrap_or(0), processes: peaks.len() }
    }
}

/// The peak RSS (VmHWM, KiB) of every running process whose executable's name starts with `prefix`.
fn plugin_peaks(prefix: &str) -> Vec<(u32, u64)> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let exe = std::fs::read_link(entry.path().join("exe")).ok()?;
            if !exe.file_name()?.to_str()?.starts_with(prefix) {
                return None;
            }
            let status = std::fs::read_to_string(entry.path().join("status")).ok()?;
            let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
            let kib = line.split_whitespace().nth(1)?.parse().ok()?;
            Some((pid, kib))
        })
        .collect()
}
