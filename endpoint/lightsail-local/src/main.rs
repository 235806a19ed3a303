//! `lightsail-local serve`: run the endpoint until Ctrl-C.

use clap::{Args, Parser, Subcommand};
use lightsail_local::{Config, Credentials, FaultConfig, LocalEndpoint};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(version, about = "A Lightsail-compatible local endpoint for buckets and bucket access keys")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the Lightsail API (awsJson1_1, SigV4), and the buckets' objects over S3, until interrupted.
    Serve(ServeArgs),
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:8585")]
    addr: SocketAddr,
    /// Keep the state in this SQLite database across restarts (a JSON state file of earlier versions
    /// is migrated, the JSON kept beside it).
    #[arg(long)]
    state_file: Option<PathBuf>,
    /// Access key id that requests must be signed with.
    #[arg(long, env = "LIGHTSAIL_LOCAL_ACCESS_KEY_ID", default_value = Credentials::TEST_ACCESS_KEY_ID, requires = "secret_access_key")]
    access_key_id: String,
    /// Secret access key that requests must be signed with (prefer the environment variable).
    #[arg(long, env = "LIGHTSAIL_LOCAL_SECRET_ACCESS_KEY", hide_env_values = true, hide_default_value = true, default_value = Credentials::TEST_SECRET_ACCESS_KEY)]
    secret_access_key: String,
    /// Session token that requests must carry, for testing temporary credentials (prefer the
    /// environment variable); without it, a request that carries one is refused.
    #[arg(long, env = "LIGHTSAIL_LOCAL_SESSION_TOKEN", hide_env_values = true)]
    session_token: Option<String>,
    /// Fault injection as JSON, or @PATH to read it from a file (see docs/local-endpoint.md).
    #[arg(long, value_parser = parse_faults)]
    faults: Option<FaultConfig>,
    /// Largest Lightsail request body accepted, in bytes.
    #[arg(long, default_value_t = lightsail_local::DEFAULT_BODY_LIMIT)]
    body_limit: usize,
    /// Largest S3 request body accepted (an object, or one part of a multipart upload), in bytes.
    #[arg(long, default_value_t = lightsail_local::DEFAULT_OBJECT_LIMIT)]
    object_limit: usize,
}

fn parse_faults(value: &str) -> Result<FaultConfig, String> {
    let text = match value.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?,
        None => value.to_string(),
    };
    let config: FaultConfig = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    config.validate()?;
    Ok(config)
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    let Command::Serve(args) = Cli::parse().command;
    // Each client connection costs a descriptor; the default soft limit of 1024 is too few.
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let config = Config {
            addr: args.addr,
            state_file: args.state_file,
            credentials: Credentials {
                session_token: args.session_token,
                ..Credentials::new(args.access_key_id, args.secret_access_key)
            },
            faults: args.faults.unwrap_or_default(),
            body_limit: args.body_limit,
            object_limit: args.object_limit,
        };
        let endpoint = match LocalEndpoint::start(config).await {
            Ok(endpoint) => endpoint,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        };
        // The one line on stdout, so scripts can read the address when port 0 was asked for.
        println!("lightsail-local listening on {}", endpoint.url());
        wait_for_stop_signal().await;
        endpoint.shutdown().await;
        ExitCode::SUCCESS
    })
}

/// Ctrl-C or SIGTERM (what service managers and `kill` send).
async fn wait_for_stop_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {}
    }
}
