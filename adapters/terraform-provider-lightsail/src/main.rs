//! `terraform-provider-lightsail`: a Terraform / OpenTofu plugin (protocol 6, go-plugin handshake
//! with AutoMTLS, through the `tf-provider` crate) that serves the resources of the provider
//! component. Terraform starts it; it is not meant to be run by hand.

mod mirror;
mod nodelay;
mod provider;
mod resource;
mod schema;
mod shared;
mod values;

use lightsail_provider_host::{ComponentRuntime, PROVIDER_COMPONENT, Provider, RuntimeOptions};
use std::process::ExitCode;
use std::sync::Arc;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    if args.first().is_some_and(|a| a == "mirror") {
        return mirror::lay_out(args.get(1));
    }
    // tf-provider appends a backtrace to every diagnostic when RUST_BACKTRACE asks for one (common
    // on developers' machines): a Terraform user reads the error, not our call stack. Panics keep
    // theirs (RUST_BACKTRACE still governs those).
    // SAFETY: no other thread exists yet (the async runtime starts below).
    unsafe { std::env::set_var("RUST_LIB_BACKTRACE", "0") };
    if std::env::var_os("TF_PLUGIN_MAGIC_COOKIE").is_none() {
        eprintln!(
            "This binary is a Terraform/OpenTofu provider plugin; Terraform starts it.\n\
             Install it with `terraform-provider-lightsail mirror DIR` and a filesystem_mirror for DIR \
             (see docs/terraform.md), then run terraform init/plan/apply."
        );
        return ExitCode::FAILURE;
    }
    // tf-provider would log everything at trace level to PLUGIN_LOG_FILE, the SDK's secret-bearing
    // output included; log there ourselves, with the SDK capped.
    if let Some(path) = std::env::var_os("PLUGIN_LOG_FILE") {
        // SAFETY: no other thread exists yet (the async runtime starts below).
        unsafe { std::env::remove_var("PLUGIN_LOG_FILE") };
        match std::fs::File::create(&path) {
            Ok(file) => lightsail_provider_host::logging::init_file(file),
            Err(e) => eprintln!("warning: cannot open the plugin log file: {e}"),
        }
    }
    nodelay::hold_handshake();
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
    let (name, specs) = schema::from_pulumi(&document)?;
    tf_provider::serve(name, provider::AdapterProvider::new(runtime, specs)).await
}
