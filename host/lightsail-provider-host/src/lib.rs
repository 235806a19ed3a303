//! The wasmtime host of the Lightsail provider component.
//!
//! - `bindings` (private): the one `bindgen!` of the WIT world; the types re-exported here are
//!   what callers see.
//! - `engine`: the wasmtime `Engine` and the `InstancePre` ([`ComponentRuntime`]); [`cache`]: the
//!   compiled-component cache.
//! - `limits`: what one call may use (memory, CPU time, locks).
//! - [`aws`]: the `lightsail` import, implemented with `aws-sdk-lightsail`.
//! - `openpgp`: the `openpgp` import, by the rules of `openpgp-recipient` (rPGP underneath).
//! - [`interrupt`]: stopping the calls in flight without losing what they made.
//! - [`lock`]: the `lock` import: named locks across the process's calls and, through file
//!   locks, every process on the machine that uses the same lock directory.
//! - [`schema`]: the package schema an engine is given, the provider's settings added.
//! - `provider`: [`Provider`], a typed Rust API over the component's exports, and its one call path;
//!   `request`: how that path polls the imports' SDK requests beside the component's fiber.

#![deny(missing_docs)]

pub mod aws;
mod batch;
mod bindings;
pub mod cache;
#[cfg(feature = "conformance")]
pub mod conformance;
mod engine;
pub mod interrupt;
mod limits;
pub mod lock;
#[cfg(feature = "logging")]
pub mod logging;
mod openpgp;
mod provider;
mod request;
pub mod schema;
mod state;
mod types;

/// The component built from `crates/provider-component` by this crate's build script.
pub static PROVIDER_COMPONENT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/provider.wasm"));

/// The SHA-256 of [`PROVIDER_COMPONENT`] as `sha256:HEX`: what every adapter reports it carries
/// (`--version`), and what a distribution's SHA256SUMS names.
pub fn provider_component_digest() -> &'static str {
    static DIGEST: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| format!("sha256:{}", cache::sha256_hex(PROVIDER_COMPONENT)));
    &DIGEST
}

// One path per name: a topic with functions and tables of its own is a public module (`aws`,
// `cache`, `interrupt`, `lock`, `logging`, `schema`); the call API's types are here.
pub use batch::{Answer, Call};
pub use engine::{CallTimes, ComponentRuntime, RuntimeOptions};
pub use limits::LimitExceeded;
pub use provider::{CallError, IDLE_AT_REST, Provider, describe_error};
pub use types::{
    ApiError, CheckFailure, CheckResult, Created, DiffResult, ErrorKind, Hint, ListPage, NotReady, Outputs,
    ProviderError, ReadResult, Rotated, UNKNOWN,
};

/// The contract version this host implements (`wit/provider.wit`'s package line, read at build time).
pub const CONTRACT_VERSION: &str = env!("CONTRACT_VERSION");

/// Whether this host runs a component of the contract `version`: by the versioning policy
/// (docs/contract.md), one of the same major version from 1.0 on, and before 1.0 the same minor.
pub fn contract_serves(version: &str) -> bool {
    let parts = |v: &str| -> Option<(u64, u64)> {
        let mut numbers = v.split('.').map(|n| n.parse::<u64>().ok());
        Some((numbers.next()??, numbers.next()??))
    };
    match (parts(version), parts(CONTRACT_VERSION)) {
        (Some((0, minor)), Some((0, ours))) => minor == ours,
        (Some((major, _)), Some((ours, _))) => major == ours && major > 0,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    /// The component's size is one of the project's targets: under 192 KiB since issue 29 (it was
    /// 128 KiB; docs/performance.md says where the bytes go). It is reached with `wasm-opt`, which `.ci/run` installs and
    /// requires; elsewhere the build may go without it.
    /// Built with the paths of the builder's machine remapped (`tools/component-build`), the
    /// component holds none of them: another machine with the same toolchain makes the same bytes.
    #[test]
    fn the_component_holds_no_path_of_the_machine_that_built_it() {
        let text = String::from_utf8_lossy(super::PROVIDER_COMPONENT);
        let home = std::env::var("HOME").unwrap_or_default();
        let cargo_home = std::env::var("CARGO_HOME").unwrap_or_else(|_| format!("{home}/.cargo"));
        let workspace = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
        let workspace = std::path::Path::new(workspace).canonicalize().unwrap();
        for path in [cargo_home.as_str(), &workspace.to_string_lossy(), "/home/", "/root/", "/tmp/"] {
            assert!(!path.is_empty() && !text.contains(path), "the component holds {path}");
        }
        assert!(text.contains("/cargo/registry/src/"), "the registry's paths are remapped, not gone");
        let digest = super::provider_component_digest();
        assert!(digest.starts_with("sha256:") && digest.len() == 7 + 64, "{digest}");
    }

    #[test]
    fn the_component_is_under_192_kib() {
        if env!("PROVIDER_COMPONENT_SHRUNK") != "true" {
            assert!(std::env::var_os("REQUIRE_WASM_OPT").is_none(), "the component was built without wasm-opt");
            eprintln!("skipped: the component was built without wasm-opt");
            return;
        }
        let size = super::PROVIDER_COMPONENT.len();
        assert!(size < 192 << 10, "the component is {size} bytes ({} KiB)", size >> 10);
    }
}
