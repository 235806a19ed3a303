//! The fuzz targets' inputs under `cargo test`, on stable: every file of `fuzz/corpus/<target>`
//! (the seeds, and what the long runs kept, minimized) and of `fuzz/regressions/<target>` (each
//! input a fuzzer found a fault with, kept once the fault was fixed). The crates that own the
//! parsers replay their targets with it; cargo fuzz (nightly) is needed only to search for more.

use std::path::{Path, PathBuf};

/// The `fuzz/` folder at the workspace's top.
pub fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// Runs `run` on every input kept for `target`; returns how many. A target with no seed is a
/// mistake (a renamed folder), so it fails the test.
pub fn replay(target: &str, run: fn(&[u8])) -> usize {
    let seeds = inputs(&fuzz_dir().join("corpus").join(target));
    assert!(!seeds.is_empty(), "fuzz/corpus/{target} holds no seed");
    let found = inputs(&fuzz_dir().join("regressions").join(target));
    for path in seeds.iter().chain(&found) {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        // Name the input that fails, so that it can be run alone and kept in `regressions/`.
        if std::panic::catch_unwind(|| run(&bytes)).is_err() {
            panic!("{target} fails on {}", path.display());
        }
    }
    seeds.len() + found.len()
}

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_file()).collect();
    paths.sort();
    paths
}
