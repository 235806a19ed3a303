//! `terraform-provider-lightsail`: a Terraform / OpenTofu plugin (protocol 6.10, go-plugin's launch
//! contract with AutoMTLS) that serves the resources of the provider component, and the access key
//! as an ephemeral resource too. Terraform starts it; it is not meant to be run by hand.

mod cty;
mod diagnostics;
mod ephemeral;
mod log;
mod mirror;
mod mtls;
mod plugin;
mod provider;
mod resource;
mod schema;
mod server;
mod shared;
mod values;

/// Terraform's plugin protocol, compiled from the vendored `proto/` by the build script.
mod tfplugin6 {
    #![allow(clippy::all, dead_code)]
    tonic::include_proto!("tfplugin6");
}

/// go-plugin's own services.
mod grpc_plugin {
    #![allow(clippy::all, dead_code)]
    tonic::include_proto!("plugin");
}

use lightsail_provider_host::{ComponentRuntime, PROVIDER_COMPONENT, Provider, RuntimeOptions};
use std::process::ExitCode;
use std::sync::Arc;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    if args.first().is_some_and(|a| a == "mirror") {
        return mirror::lay_out(args.get(1));
    }
    if args.first().is_some_and(|a| a == "--version" || a == "version") {
        // Which component this plugin carries, by the digest a distribution's SHA256SUMS names.
        let digest = lightsail_provider_host::provider_component_digest();
        println!("terraform-provider-lightsail {} (component {digest})", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    if !plugin::launched_by_terraform() {
        eprintln!(
            "This binary is a Terraform/OpenTofu provider plugin; Terraform starts it.\n\
             Install it with `terraform-provider-lightsail mirror DIR` and a filesystem_mirror for DIR \
             (see docs/terraform.md), then run terraform init/plan/apply."
        );
        return ExitCode::FAILURE;
    }
    log::init();
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
    let component = match std::env::var_os("LIGHTSAIL_PROVIDER_COMPONENT") {
        Some(path) => std::fs::read(&path)?,
        None => PROVIDER_COMPONENT.to_vec(),
    };
    let runtime = Arc::new(ComponentRuntime::new(&component, RuntimeOptions::default())?);
    let document = Provider::new(runtime.clone(), None).schema().await?;
    let specs = schema::from_pulumi(&document)?;
    let server = server::Server::new(runtime, specs);
    let shared = server.shared();
    // Ephemeral resources Terraform did not close (it was killed) are deleted on the way out.
    let close_left_open = async move {
        if let Some(configured) = shared.configured()
            && let Some(journal) = &configured.journal
        {
            journal.close_mine(&configured.provider).await;
        }
    };
    plugin::serve(server, close_left_open).await
}
