//! The compiled component, cached on disk. The key is the component's hash and the engine's
//! compatibility hash, so a new component or another wasmtime build never reads a stale artifact.
//! Files are written atomically and carry a checksum, and anything unreadable is recompiled.

use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use wasmtime::Engine;
use wasmtime::component::Component;

const CHECKSUM_LEN: usize = 32;

/// Where the cache lives unless told otherwise: `$XDG_CACHE_HOME/lightsail-provider`, else
/// `~/.cache/lightsail-provider`.
pub fn default_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
    Some(base.join("lightsail-provider"))
}

/// How the component was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Loaded, compiled, from the cache.
    Cache,
    /// Compiled now (and written to the cache where there is one).
    Compiled,
}

/// Where the compiled form of `component` for `engine` lives in `dir`: named by the component's
/// SHA-256 and the engine's compatibility hash.
pub fn artifact_path(dir: &Path, engine: &Engine, component: &[u8]) -> PathBuf {
    let mut engine_hasher = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut engine_hasher);
    let component_hash = hex(&Sha256::digest(component));
    dir.join(format!("{}-{:016x}.cwasm", &component_hash[..32], engine_hasher.finish()))
}

/// Loads the compiled component from `dir`, or compiles it and stores it there.
pub fn load_or_compile(engine: &Engine, component: &[u8], dir: Option<&Path>) -> wasmtime::Result<(Component, Source)> {
    let Some(dir) = dir else {
        return Ok((Component::new(engine, component)?, Source::Compiled));
    };
    let path = artifact_path(dir, engine, component);
    if let Some(loaded) = load(engine, &path) {
        return Ok((loaded, Source::Cache));
    }
    let compiled = Component::new(engine, component)?;
    if let Err(e) = store(dir, &path, &compiled) {
        tracing::warn!(path = %path.display(), error = %e, "cannot write the compiled-component cache");
    }
    Ok((compiled, Source::Compiled))
}

fn load(engine: &Engine, path: &Path) -> Option<Component> {
    let bytes = std::fs::read(path).ok()?;
    if bytes.len() < CHECKSUM_LEN || Sha256::digest(&bytes[CHECKSUM_LEN..]).as_slice() != &bytes[..CHECKSUM_LEN] {
        tracing::warn!(path = %path.display(), "compiled-component cache entry is damaged; recompiling");
        return None;
    }
    // SAFETY: the bytes are what `Component::serialize` wrote for this engine's configuration (the
    // file name holds the engine's compatibility hash) and the checksum shows they are unchanged.
    match unsafe { Component::deserialize(engine, &bytes[CHECKSUM_LEN..]) } {
        Ok(component) => Some(component),
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "compiled-component cache entry unusable; recompiling");
            None
        }
    }
}

fn store(dir: &Path, path: &Path, component: &Component) -> anyhow::Result<()> {
    let artifact = component.serialize()?;
    std::fs::create_dir_all(dir)?;
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(&Sha256::digest(&artifact))?;
    file.write_all(&artifact)?;
    file.as_file().sync_all()?;
    file.persist(path)?;
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
