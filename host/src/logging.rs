//! Logging that never shows a secret, whatever `RUST_LOG` asks for.
//!
//! At trace level the AWS SDK's orchestrator logs every operation's output with `Debug`, and the
//! SDK's `Debug` of an access key prints its secret in clear. So the SDK's targets are capped at
//! debug, which logs requests and their outcome but no output. Nothing in this workspace logs a
//! secret itself (the component's log messages never contain one, and the host never logs SDK
//! outputs).

use tracing_subscriber::filter::EnvFilter;
use tracing_subscriber::prelude::*;

/// Targets that would log secrets above debug level.
const SECRET_BEARING_TARGETS: &[&str] =
    &["aws_smithy_runtime", "aws_smithy_runtime::client::orchestrator", "aws_smithy_runtime_api", "aws_sdk_lightsail"];

/// `RUST_LOG` (else `default`), with the SDK's targets capped at debug whatever it says.
pub fn env_filter(default: &str) -> EnvFilter {
    let env = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    SECRET_BEARING_TARGETS
        .iter()
        .fold(env, |env, target| env.add_directive(format!("{target}=debug").parse().expect("a valid directive")))
}

/// Logs to stderr, filtered by [`env_filter`].
pub fn init_stderr(default: &str) {
    let layer = tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_filter(env_filter(default));
    tracing_subscriber::registry().with(layer).init();
}

/// Logs into a file, filtered by [`env_filter`] with `trace` by default.
pub fn init_file(file: std::fs::File) {
    let layer = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .with_filter(env_filter("trace"));
    tracing_subscriber::registry().with(layer).init();
}
