//! Builds the provider component: compiles `provider-component` for `wasm32-unknown-unknown` with
//! the `guest` profile (a nested cargo, as wasmtime's test-programs do), then componentizes the
//! core module with `wit-component`. The host embeds the result.

use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-unknown-unknown";

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let workspace = manifest_dir.parent().unwrap();
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    for watched in ["wit", "crates/provider-component", "crates/bucket-access-key/src", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", workspace.join(watched).display());
    }

    let core = build_core_module(workspace, &out_dir.join("guest-target"));
    let component = wit_component::ComponentEncoder::default()
        .module(&core)
        .and_then(|encoder| encoder.validate(true).encode())
        .unwrap_or_else(|e| panic!("componentizing the provider failed: {e:?}"));
    std::fs::write(out_dir.join("provider.wasm"), component).unwrap();
}

fn build_core_module(workspace: &Path, target_dir: &Path) -> Vec<u8> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(workspace)
        .args(["build", "--locked", "-p", "provider-component", "--target", TARGET, "--profile", "guest"])
        .arg("--target-dir")
        .arg(target_dir);
    // What the outer build sets for the host must not leak into the guest's build: flags for
    // another target, or clippy's wrapper (which would check instead of build).
    for var in ["CARGO_ENCODED_RUSTFLAGS", "RUSTFLAGS", "RUSTC_WORKSPACE_WRAPPER", "RUSTC_WRAPPER", "CARGO_TARGET_DIR"]
    {
        command.env_remove(var);
    }
    let status = command.status().expect("cargo runs");
    if !status.success() {
        panic!(
            "building the provider component failed. If the wasm target is missing, run:\n    \
             rustup target add {TARGET}"
        );
    }
    let path = target_dir.join(TARGET).join("guest").join("provider_component.wasm");
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}
