//! `terraform apply` and `terraform plan` with hashicorp/aws 5.100.0 and with this provider, same
//! machine, same local endpoint, same run: the seed (a bucket and its key), 20 keys over 10
//! buckets and 100 keys over 50 buckets. For each: the command's wall time, the peak RSS of the
//! largest provider plugin process Terraform started and of `terraform` itself (sampled from /proc
//! every 5 ms: VmHWM only grows, so at most the last few milliseconds' growth can be missed). Then
//! each plugin's start-up: to its handshake (spawned alone, as Terraform spawns it), and to its first
//! answer through Terraform (`terraform providers schema -json`).
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

/// One command's figures: wall time, the largest peak RSS among the plugin processes, and
/// terraform's own.
#[derive(Clone, Copy)]
struct Figures {
    wall: Duration,
    peak_kib: u64,
    processes: usize,
    terraform_kib: u64,
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

    let scenarios =
        [("the seed (1 bucket, 1 key)", 1, 1), ("20 keys over 10 buckets", 10, 2), ("100 keys over 50 buckets", 50, 2)];
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
         (processes per command in brackets), then terraform's own."
    );

    // Start-up: to the handshake line, and to the schema through terraform.
    let hashicorp = Path::new(&hashicorp_mirror)
        .join("registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64/terraform-provider-aws_v5.100.0_x5");
    println!("\n| Start-up | {} | {} | Ratio |", Provider::Hashicorp.label(), Provider::Ours.label());
    println!("|---|---|---|---|");
    let (theirs, ours_handshake) = (handshake(&hashicorp, "5,6"), handshake(&ours, "6"));
    println!(
        "| plugin spawned to its handshake (median of 5) | {:.0} ms | {:.1} ms | {:.3}x |",
        theirs.as_secs_f64() * 1e3,
        ours_handshake.as_secs_f64() * 1e3,
        ours_handshake.as_secs_f64() / theirs.as_secs_f64()
    );
    let schema = |provider| {
        let run = Workspace::new(provider, &ours, &hashicorp_mirror, &endpoint, 0, 0, rounds);
        run.terraform(&["init", "-input=false"], provider);
        let samples: Vec<Figures> =
            (0..3).map(|_| run.terraform(&["providers", "schema", "-json"], provider)).collect();
        median(&samples)
    };
    let (theirs, ours_schema) = (schema(Provider::Hashicorp), schema(Provider::Ours));
    println!(
        "| `terraform providers schema -json` (to the first answer) | {} | {} | time {:.2}x |",
        show(theirs),
        show(ours_schema),
        ours_schema.wall.as_secs_f64() / theirs.wall.as_secs_f64()
    );
}

/// Median time from spawning a plugin as Terraform does to its handshake line on stdout.
fn handshake(binary: &Path, protocols: &str) -> Duration {
    use std::io::BufRead;
    let mut samples: Vec<Duration> = (0..5)
        .map(|_| {
            let started = Instant::now();
            let mut child = Command::new(binary)
                .env("TF_PLUGIN_MAGIC_COOKIE", "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2")
                .env("PLUGIN_PROTOCOL_VERSIONS", protocols)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            let mut line = String::new();
            std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
            let elapsed = started.elapsed();
            assert!(line.starts_with("1|"), "not a handshake: {line:?}");
            let _ = child.kill();
            let _ = child.wait();
            elapsed
        })
        .collect();
    samples.sort();
    samples[samples.len() / 2]
}

fn show(f: Figures) -> String {
    format!(
        "{:.2} s, {:.0} MiB ({}), terraform {:.0} MiB",
        f.wall.as_secs_f64(),
        f.peak_kib as f64 / 1024.0,
        f.processes,
        f.terraform_kib as f64 / 1024.0
    )
}

fn median(samples: &[Figures]) -> Figures {
    let mut by_wall = samples.to_vec();
    by_wall.sort_by_key(|f| f.wall);
    let middle = |of: fn(&Figures) -> u64| {
        let mut values: Vec<u64> = samples.iter().map(of).collect();
        values.sort();
        values[values.len() / 2]
    };
    Figures {
        peak_kib: middle(|f| f.peak_kib),
        terraform_kib: middle(|f| f.terraform_kib),
        ..by_wall[by_wall.len() / 2]
    }
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
        let terraform_kib = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let done = Arc::new(AtomicBool::new(false));
        let started = Instant::now();
        let child = Command::new("terraform")
            .args(args)
            .args(if args[0] == "providers" { None } else { Some("-no-color") })
            .current_dir(&self.work)
            .env("TF_CLI_CONFIG_FILE", self.root.join("cli.tfrc"))
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .env("HOME", &self.root)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let sampler = {
            let (peaks, terraform_kib, done) = (peaks.clone(), terraform_kib.clone(), done.clone());
            let (prefix, terraform) = (provider.executable_prefix(), child.id());
            std::thread::spawn(move || {
                while !done.load(Ordering::Relaxed) {
                    for (pid, kib) in plugin_peaks(prefix) {
                        let mut peaks = peaks.lock().unwrap();
                        let peak = peaks.entry(pid).or_default();
                        *peak = (*peak).max(kib);
                    }
                    if let Some(kib) = peak_of(&Path::new("/proc").join(terraform.to_string())) {
                        terraform_kib.fetch_max(kib, Ordering::Relaxed);
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
            })
        };
        let output = child.wait_with_output().unwrap();
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
        Figures {
            wall,
            peak_kib: peaks.values().copied().max().unwrap_or(0),
            processes: peaks.len(),
            terraform_kib: terraform_kib.load(Ordering::Relaxed),
        }
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
            Some((pid, peak_of(&entry.path())?))
        })
        .collect()
}

/// The peak RSS (VmHWM, KiB) of the process whose /proc directory is `dir`.
fn peak_of(dir: &Path) -> Option<u64> {
    let status = std::fs::read_to_string(dir.join("status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
