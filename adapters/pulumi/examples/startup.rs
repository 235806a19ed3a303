//! The Pulumi plugin's start-up, launched as the engine launches it: to the port line it prints,
//! and to its first answer (GetSchema) over gRPC, with its peak RSS then. Medians of 10 launches.
//!
//! ```sh
//! cargo build --release -p pulumi-provider-lightsail
//! cargo run --release -p pulumi-provider-lightsail --example startup
//! ```

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod rpc {
    #![allow(clippy::all, dead_code)]
    tonic::include_proto!("pulumirpc");
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let plugin = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("pulumi-resource-aws")))
        .filter(|path| path.exists())
        .unwrap_or_else(|| {
            eprintln!("error: build the plugin first: cargo build --release -p pulumi-provider-lightsail");
            std::process::exit(2);
        });
    let home = tempfile::tempdir().unwrap();
    let (mut to_port, mut to_schema, mut peaks) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..10 {
        let started = Instant::now();
        let mut child = Command::new(&plugin)
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
        let url = format!("http://127.0.0.1:{port}");
        let mut client = rpc::resource_provider_client::ResourceProviderClient::connect(url).await.unwrap();
        let schema = client.get_schema(rpc::GetSchemaRequest::default()).await.unwrap().into_inner().schema;
        to_schema.push(started.elapsed());
        assert!(schema.contains("aws:lightsail/bucketAccessKey:BucketAccessKey"));
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
    println!("| peak RSS then | {:.0} MiB |", peaks[peaks.len() / 2] as f64 / 1024.0);
}

fn peak_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}
