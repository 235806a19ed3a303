//! Used by build scripts to make a WebAssembly component out of a guest crate of this workspace,
//! as wasmtime's test-programs do: a nested `cargo build` for `wasm32-unknown-unknown` with the
//! `guest` profile, then `wit-component` turns the core module into a component.

use std::path::Path;
use std::process::Command;

pub const TARGET: &str = "wasm32-unknown-unknown";

/// Builds `package` (whose cdylib is `artifact.wasm`) and returns the component's bytes.
/// `target_dir` must not be the outer build's target directory (cargo holds its lock).
pub fn component(workspace: &Path, package: &str, artifact: &str, target_dir: &Path) -> Vec<u8> {
    let core = core_module(workspace, package, artifact, target_dir);
    wit_component::ComponentEncoder::default()
        .module(&core)
        .and_then(|encoder| encoder.validate(true).encode())
        .unwrap_or_else(|e| panic!("componentizing {package} failed: {e:?}"))
}

/// Tells cargo to rebuild when the guest sources or the WIT change.
pub fn rerun_if_changed(workspace: &Path, paths: &[&str]) {
    for path in paths {
        println!("cargo:rerun-if-changed={}", workspace.join(path).display());
    }
}

fn core_module(workspace: &Path, package: &str, artifact: &str, target_dir: &Path) -> Vec<u8> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(workspace)
        .args(["build", "--locked", "-p", package, "--target", TARGET, "--profile", "guest"])
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
            "building {package} for {TARGET} failed. If the target is missing, run:\n    rustup target add {TARGET}"
        );
    }
    let path = target_dir.join(TARGET).join("guest").join(format!("{artifact}.wasm"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}
