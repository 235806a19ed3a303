//! `pulumi-resource-aws`: a Pulumi resource provider plugin that serves the resources of the
//! provider component over Pulumi's gRPC protocol. The Pulumi engine starts it: it listens on a
//! free port of 127.0.0.1, prints the port alone as the first line of standard output, and serves
//! until the engine stops it.

mod schema;
mod service;
mod values;

/// Pulumi's protocol, compiled from the vendored `proto/` by the build script.
mod rpc {
    #![allow(clippy::all, dead_code)]
    tonic::include_proto!("pulumirpc");
}

use clap::Parser;
use lightsail_provider_host::{ComponentRuntime, PROVIDER_COMPONENT, Provider, RuntimeOptions};
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use tokio::signal::unix::SignalKind;

/// The arguments the engine passes: `[--logtostderr] [-v=N] [--tracing URL] ENGINE_ADDRESS`.
#[derive(Parser)]
#[command(
    // The binary's name, as Pulumi finds plugins (`pulumi-resource-PACKAGE`), not the crate's.
    name = "pulumi-resource-aws",
    version,
    about = "Pulumi resource provider plugin for Lightsail bucket access keys and buckets (a WebAssembly component). The Pulumi engine starts it."
)]
struct Args {
    /// Log to standard error (the engine passes it with -v)
    #[arg(long)]
    logtostderr: bool,
    /// Log verbosity, as the engine's -v: 0 warnings and errors, up to 9 everything
    #[arg(short = 'v', value_name = "LEVEL", default_value_t = 0)]
    verbosity: u8,
    /// The engine's tracing endpoint (not used)
    #[arg(long, value_name = "URL")]
    tracing: Option<String>,
    /// The engine's gRPC address
    engine: Option<String>,
}

fn main() -> ExitCode {
    // `--version` names the component this plugin carries by its digest.
    let version =
        format!("{} (component {})", env!("CARGO_PKG_VERSION"), lightsail_provider_host::provider_component_digest());
    // Made once per process; clap keeps its version as a `&'static str` (without its `string` feature).
    let matches =
        <Args as clap::CommandFactory>::command().version(&*Box::leak(version.into_boxed_str())).get_matches();
    let args = <Args as clap::FromArgMatches>::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let level = match args.verbosity {
        0 => "warn",
        1..=3 => "info",
        4..=6 => "debug",
        _ => "trace",
    };
    // The same caps as every adapter's log: no secret, whatever RUST_LOG or -v asks.
    lightsail_provider_host::logging::init_stderr(level);
    let result = tokio::runtime::Runtime::new().map_err(anyhow::Error::from).and_then(|rt| rt.block_on(serve()));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve() -> anyhow::Result<()> {
    let runtime = Arc::new(ComponentRuntime::new(PROVIDER_COMPONENT, RuntimeOptions::default())?);
    let component_schema = Provider::new(runtime.clone(), None).schema().await?;
    let document = lightsail_provider_host::schema::with_settings(&component_schema)?;
    let package = schema::Package::parse(document)?;
    // Asked to stop by the engine (or a person): SIGINT or SIGTERM. Calls in flight finish first.
    // Watched from before the port line, so a signal sent once it is read is not fatal.
    let stopped = plugin_server::signalled(&[SignalKind::interrupt(), SignalKind::terminate()]);
    let listener = plugin_server::listen(0..=0).await?;
    // The launch contract: the port, alone, as the first line.
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", listener.local_addr()?.port())?;
    stdout.flush()?;
    drop(stdout);
    let service = service::Service::new(runtime, package);
    tonic::transport::Server::builder()
        .add_service(rpc::resource_provider_server::ResourceProviderServer::new(service))
        .serve_with_incoming_shutdown(plugin_server::incoming(listener), stopped)
        .await?;
    Ok(())
}
