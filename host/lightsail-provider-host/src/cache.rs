//! The compiled component, cached on disk. The key is the component's hash and the engine's
//! compatibility hash, so a new component or another wasmtime build never reads a stale artifact.
//! Files are written atomically and carry a checksum of the key and the artifact, so an entry copied
//! under another key's name is refused, and anything unreadable is recompiled.
//!
//! What the cache holds is native code the host runs with the user's credentials, so it is used
//! only in a directory that is the user's alone: owned by them and writable by nobody else.

use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
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

/// What an entry is for: the component's SHA-256 and the engine's compatibility hash.
fn entry_key(engine: &Engine, component: &[u8]) -> String {
    let mut engine_hasher = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut engine_hasher);
    format!("{}-{:016x}", hex(&Sha256::digest(component)), engine_hasher.finish())
}

/// Where the compiled form of `component` for `engine` lives in `dir`: named by its key.
pub fn artifact_path(dir: &Path, engine: &Engine, component: &[u8]) -> PathBuf {
    let key = entry_key(engine, component);
    let (component_hash, engine_hash) = key.split_at(64);
    dir.join(format!("{}{engine_hash}.cwasm", &component_hash[..32]))
}

/// Loads the compiled component from `dir`, or compiles it and stores it there. A directory that
/// is not the user's alone is not used at all.
pub fn load_or_compile(engine: &Engine, component: &[u8], dir: Option<&Path>) -> wasmtime::Result<(Component, Source)> {
    let dir = dir.filter(|dir| match private_dir(dir) {
        Ok(()) => true,
        Err(why) => {
            tracing::warn!(dir = %dir.display(), "not using the compiled-component cache: {why}");
            false
        }
    });
    let Some(dir) = dir else {
        return Ok((Component::new(engine, component)?, Source::Compiled));
    };
    let key = entry_key(engine, component);
    let path = artifact_path(dir, engine, component);
    if let Some(loaded) = load(engine, &path, &key) {
        return Ok((loaded, Source::Cache));
    }
    let compiled = Component::new(engine, component)?;
    if let Err(e) = store(dir, &path, &key, &compiled) {
        tracing::warn!(path = %path.display(), error = %e, "cannot write the compiled-component cache");
    }
    Ok((compiled, Source::Compiled))
}

/// Makes `dir` (mode 0700) if it does not exist; else checks that it is owned by this user and
/// writable by nobody else.
fn private_dir(dir: &Path) -> Result<(), String> {
    if !dir.exists() {
        if let Some(parent) = dir.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::DirBuilder::new().mode(0o700).create(dir).map_err(|e| format!("cannot create it: {e}"))?;
    }
    let meta = std::fs::metadata(dir).map_err(|e| format!("cannot read it: {e}"))?;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me {
        return Err(format!("it belongs to user {}, not to this user ({me})", meta.uid()));
    }
    if meta.mode() & 0o022 != 0 {
        return Err(format!("others may write to it (mode {:o}); chmod go-w it to use the cache", meta.mode() & 0o777));
    }
    Ok(())
}

/// The checksum an entry carries: of its key and its artifact, so the same bytes under another
/// key's name do not check out.
fn checksum(key: &str, artifact: &[u8]) -> [u8; CHECKSUM_LEN] {
    Sha256::new().chain_update(key.as_bytes()).chain_update(artifact).finalize().into()
}

fn load(engine: &Engine, path: &Path, key: &str) -> Option<Component> {
    let bytes = std::fs::read(path).ok()?;
    if bytes.len() < CHECKSUM_LEN || checksum(key, &bytes[CHECKSUM_LEN..]) != bytes[..CHECKSUM_LEN] {
        tracing::warn!(path = %path.display(), "compiled-component cache entry is damaged or not this component's; recompiling");
        return None;
    }
    // SAFETY: the bytes are what `Component::serialize` wrote for this component and this engine's
    // configuration (the checksum covers both, and the artifact), in a directory only this user can
    // write to.
    match unsafe { Component::deserialize(engine, &bytes[CHECKSUM_LEN..]) } {
        Ok(component) => Some(component),
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "compiled-component cache entry unusable; recompiling");
            None
        }
    }
}

fn store(dir: &Path, path: &Path, key: &str, component: &Component) -> anyhow::Result<()> {
    let artifact = component.serialize()?;
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(&checksum(key, &artifact))?;
    file.write_all(&artifact)?;
    file.as_file().sync_all()?;
    file.persist(path)?;
    Ok(())
}

/// The SHA-256 of `bytes`, in lower-case hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// The smallest component: its magic number and version, nothing else.
    const EMPTY_COMPONENT: &[u8] = b"\0asm\x0d\0\x01\0";

    #[test]
    fn an_entry_copied_under_another_components_name_is_refused() {
        let engine = Engine::default();
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("cache");
        let (_, source) = load_or_compile(&engine, EMPTY_COMPONENT, Some(&cache)).unwrap();
        assert_eq!(source, Source::Compiled);
        assert_eq!(load_or_compile(&engine, EMPTY_COMPONENT, Some(&cache)).unwrap().1, Source::Cache);

        // The other component's entry, put where the provider's belongs.
        let provider = crate::PROVIDER_COMPONENT;
        std::fs::copy(artifact_path(&cache, &engine, EMPTY_COMPONENT), artifact_path(&cache, &engine, provider))
            .unwrap();
        let (loaded, source) = load_or_compile(&engine, provider, Some(&cache)).unwrap();
        assert_eq!(source, Source::Compiled, "the swapped entry was refused and the component compiled");
        assert!(loaded.component_type().exports(&engine).next().is_some(), "it is the provider, exports and all");
    }

    #[test]
    fn a_directory_others_can_write_is_neither_read_nor_written() {
        let engine = Engine::default();
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("cache");
        load_or_compile(&engine, EMPTY_COMPONENT, Some(&cache)).unwrap();
        assert_eq!(std::fs::metadata(&cache).unwrap().mode() & 0o777, 0o700, "made private");

        std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o777)).unwrap();
        assert_eq!(load_or_compile(&engine, EMPTY_COMPONENT, Some(&cache)).unwrap().1, Source::Compiled);
        std::fs::remove_file(artifact_path(&cache, &engine, EMPTY_COMPONENT)).unwrap();
        load_or_compile(&engine, EMPTY_COMPONENT, Some(&cache)).unwrap();
        assert!(!artifact_path(&cache, &engine, EMPTY_COMPONENT).exists(), "nothing written there");
    }
}
