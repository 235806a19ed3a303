//! Logging that never shows a secret or the caller's credentials, whatever `RUST_LOG` asks for.
//!
//! At trace level the AWS SDK's orchestrator logs every operation's output with `Debug`, and the
//! SDK's `Debug` of an access key prints its secret in clear; at debug level it logs the resolved
//! endpoint with the caller's identity (access key id included). `RUST_LOG` can ask for any of it,
//! by target, by span (`[try_op]=trace`) or by field. So two filters apply, and an event must pass
//! both: what `RUST_LOG` (else the default) asks for, and a fixed cap that no directive can widen.
//! Nothing in this workspace logs a secret itself (the component's log messages never contain one,
//! and the host never logs SDK outputs).

use std::io::IsTerminal;
use tracing::{Level, Metadata};
use tracing_subscriber::filter::{EnvFilter, FilterExt, FilterFn};
use tracing_subscriber::prelude::*;

/// Targets that log the caller's identity or the credential chain's work above info.
const IDENTITY_TARGETS: &[&str] =
    &["aws_smithy_runtime::client::orchestrator::endpoints", "aws_smithy_runtime::client::identity", "aws_config"];

/// This workspace's own targets, which may log at any level: none of them logs a secret.
const OWN_TARGETS: &[&str] =
    &["lightsail_provider_host", "lightsail_local", "terraform_provider_lightsail", "component"];

/// Whether the cap lets an event or span through: other crates' events (the SDK, hyper, rustls,
/// wasmtime, ...) stop at debug, where the SDK logs requests and their outcome but no output; those
/// that log identity stop at info.
fn within_cap(metadata: &Metadata<'_>) -> bool {
    let target = metadata.target();
    // A prefix is a module path: `component` covers `component::x`, not `component_model`.
    let is = |prefix: &&str| target.strip_prefix(*prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with("::"));
    if OWN_TARGETS.iter().any(is) {
        true
    } else if IDENTITY_TARGETS.iter().any(is) {
        *metadata.level() <= Level::INFO
    } else {
        *metadata.level() <= Level::DEBUG
    }
}

/// `RUST_LOG` (else `default`).
fn env_filter(default: &str) -> EnvFilter {
    EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default))
}

/// Logs to stderr what `RUST_LOG` asks for (else `default`), within the cap; in colour only when
/// stderr is a terminal.
pub fn init_stderr(default: &str) {
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_filter(env_filter(default).and(FilterFn::new(within_cap)));
    tracing_subscriber::registry().with(layer).init();
}

/// Logs into a file what `RUST_LOG` asks for (else `trace`), within the cap, without colour.
pub fn init_file(file: std::fs::File) {
    let layer = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .with_filter(env_filter("trace").and(FilterFn::new(within_cap)));
    tracing_subscriber::registry().with(layer).init();
}

/// Logs what `RUST_LOG` asks for (else `default`) through `layer`, an engine's own format,
/// within the cap.
pub fn init_layer<L>(layer: L, default: &str)
where
    L: tracing_subscriber::Layer<tracing_subscriber::Registry> + Send + Sync + 'static,
{
    let layer = layer.with_filter(env_filter(default).and(FilterFn::new(within_cap)));
    tracing_subscriber::registry().with(layer).init();
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::callsite::Identifier;
    use tracing::field::FieldSet;
    use tracing::metadata::Kind;

    struct Site;
    impl tracing::callsite::Callsite for Site {
        fn set_interest(&self, _: tracing::subscriber::Interest) {}
        fn metadata(&self) -> &Metadata<'_> {
            unreachable!()
        }
    }
    static SITE: Site = Site;

    fn event(target: &'static str, level: Level) -> Metadata<'static> {
        Metadata::new("event", target, level, None, None, None, FieldSet::new(&[], Identifier(&SITE)), Kind::EVENT)
    }

    #[test]
    fn the_cap_keeps_sdk_trace_and_identity_debug_out_whatever_else_is_asked() {
        assert!(!within_cap(&event("aws_smithy_runtime::client::orchestrator", Level::TRACE)));
        assert!(within_cap(&event("aws_smithy_runtime::client::orchestrator", Level::DEBUG)));
        assert!(!within_cap(&event("aws_smithy_runtime::client::orchestrator::endpoints", Level::DEBUG)));
        assert!(!within_cap(&event("aws_config::profile", Level::DEBUG)));
        assert!(!within_cap(&event("hyper::proto::h1::io", Level::TRACE)));
        assert!(within_cap(&event("lightsail_provider_host::aws", Level::TRACE)));
        assert!(within_cap(&event("component", Level::TRACE)));
        // A prefix is a path, not a string: a crate whose name merely starts the same is capped.
        assert!(!within_cap(&event("component_model_of_something_else", Level::TRACE)));
    }
}
