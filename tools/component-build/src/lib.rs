//! Used by build scripts to make a WebAssembly component out of a guest crate of this workspace,
//! as wasmtime's test-programs do: a nested `cargo build` for `wasm32-unknown-unknown` with the
//! `guest` profile, then Binaryen's `wasm-opt` shrinks the core module where it is installed, and
//! `wit-component` turns the core module into a component.

#![deny(missing_docs)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The target guest crates are compiled for: no WASI, so the component imports nothing else.
pub const TARGET: &str = "wasm32-unknown-unknown";

/// A component, as built.
pub struct Built {
    /// The component's bytes.
    pub bytes: Vec<u8>,
    /// Whether `wasm-opt` shrank its core module.
    pub shrunk: bool,
}

/// Builds `package` (whose cdylib is `artifact.wasm`) into a component.
/// `target_dir` must not be the outer build's target directory (cargo holds its lock).
pub fn component(workspace: &Path, package: &str, artifact: &str, target_dir: &Path) -> Built {
    let core = core_module(workspace, package, artifact, target_dir);
    let (core, shrunk) = match shrink(&core, target_dir, artifact) {
        Some(smaller) => (smaller, true),
        None => (core, false),
    };
    let bytes = wit_component::ComponentEncoder::default()
        .module(&core)
        .and_then(|encoder| encoder.validate(true).encode())
        .unwrap_or_else(|e| panic!("componentizing {package} failed: {e:?}"));
    let bytes = without_custom_sections(&bytes).unwrap_or_else(|e| panic!("reading the component {package}: {e}"));
    Built { bytes, shrunk }
}

/// The component without its top-level custom sections: `wit-component` adds a `component-name`
/// section (names for debugging tools, 3.5 KiB here) and `producers`, which no host needs to run it.
fn without_custom_sections(component: &[u8]) -> Result<Vec<u8>, wasmparser::BinaryReaderError> {
    const HEADER: usize = 8; // magic and version
    let sections = &component[HEADER..];
    let mut kept = component[..HEADER].to_vec();
    let mut reader = wasmparser::BinaryReader::new(sections, HEADER as u64);
    while !reader.eof() {
        let start = reader.current_position();
        let id = reader.read_u8()?;
        let len = reader.read_var_u32()?;
        reader.read_bytes(len as usize)?;
        if id != 0 {
            kept.extend_from_slice(&sections[start..reader.current_position()]);
        }
    }
    Ok(kept)
}

/// Tells cargo to rebuild when the guest sources or the WIT change.
pub fn rerun_if_changed(workspace: &Path, paths: &[&str]) {
    for path in paths {
        println!("cargo:rerun-if-changed={}", workspace.join(path).display());
    }
    println!("cargo:rerun-if-env-changed={WASM_OPT}");
}

/// Names the `wasm-opt` to run; else the one on `PATH`.
const WASM_OPT: &str = "WASM_OPT";

/// The WebAssembly features rustc uses for the target by default: `wasm-opt` must accept them
/// (the stripped module has no `target_features` section to tell it) and must not add others.
const FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-multivalue",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-reference-types",
    "--enable-sign-ext",
];

/// `core` optimized for size with `wasm-opt -Oz`, which takes about a sixth off what LLVM leaves
/// (and keeps the `component-type` custom section that `wit-component` reads). `None` where
/// `wasm-opt` is not installed or fails (one too old for rustc's wasm features, say), and the build
/// says why: the component works the same, only larger.
fn shrink(core: &[u8], target_dir: &Path, artifact: &str) -> Option<Vec<u8>> {
    let wasm_opt = std::env::var_os(WASM_OPT).unwrap_or_else(|| "wasm-opt".into());
    let input = target_dir.join(format!("{artifact}.core.wasm"));
    let output = target_dir.join(format!("{artifact}.shrunk.wasm"));
    std::fs::write(&input, core).unwrap_or_else(|e| panic!("cannot write {}: {e}", input.display()));
    let run = Command::new(&wasm_opt)
        // Nothing lives in the first KiB: rustc links the stack first, growing down towards 0 from
        // 1 MiB, and data after it. So wasm-opt may fold constant offsets into loads and stores
        // (about 1 KiB less).
        .args(["-Oz", "--converge", "--zero-filled-memory", "--low-memory-unused"])
        .args(FEATURES)
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .output();
    let why = match run {
        Ok(done) if done.status.success() => {
            return Some(std::fs::read(&output).unwrap_or_else(|e| panic!("cannot read {}: {e}", output.display())));
        }
        Ok(failed) => format!("failed: {}", String::from_utf8_lossy(&failed.stderr).trim()),
        Err(e) => format!("could not be run ({e}); install Binaryen (Debian: binaryen)"),
    };
    println!("cargo:warning={artifact} is not shrunk, so about a sixth larger: {} {why}", wasm_opt.to_string_lossy());
    None
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
    // Panic locations name source files: the registry's and the checkout's are remapped, so that
    // the bytes do not depend on where the builder keeps them (the same toolchain anywhere makes
    // the same component; the standard library's are already `/rustc/HASH/...`).
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    let mut remaps = vec![format!("--remap-path-prefix={}=/lightsail-provider", workspace.display())];
    if let Some(cargo_home) = cargo_home {
        remaps.push(format!("--remap-path-prefix={}=/cargo", cargo_home.display()));
    }
    command.env("CARGO_ENCODED_RUSTFLAGS", remaps.join("\x1f"));
    let status = command.status().expect("cargo runs");
    if !status.success() {
        panic!(
            "building {package} for {TARGET} failed. If the target is missing, run:\n    rustup target add {TARGET}"
        );
    }
    let path = target_dir.join(TARGET).join("guest").join(format!("{artifact}.wasm"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}
