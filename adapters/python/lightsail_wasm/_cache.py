"""The compiled component, cached on disk as the Rust host caches it, so that a new process (every
Ansible task is one) loads native code instead of compiling the component again.

An entry is named by the component's SHA-256 and wasmtime-py's version, and carries a checksum of
that key and its bytes: an entry of another component, or copied under another's name, is refused
and the component compiled again; so is one wasmtime cannot load. Entries are written atomically.
What the cache holds is native code run with the user's credentials, so it is used only in a
directory that is the user's alone: owned by them and writable by nobody else."""

import hashlib
import logging
import os
import platform
import stat
import tempfile
from importlib import metadata

import wasmtime
from wasmtime.component import Component

_CHECKSUM_LEN = 32
_log = logging.getLogger("lightsail_wasm")


def default_cache_directory():
    """`$XDG_CACHE_HOME/lightsail-provider`, else `~/.cache/lightsail-provider`: where the Rust host
    keeps its compiled component too (each names its entries apart)."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "lightsail-provider")


def _runtime():
    try:
        return f"wasmtime-py-{metadata.version('wasmtime')}-{platform.machine()}"
    except metadata.PackageNotFoundError:
        return f"wasmtime-py-unknown-{platform.machine()}"


def _private(directory):
    """None if `directory` (made 0700 when missing) is this user's alone, else why not."""
    try:
        os.makedirs(os.path.dirname(directory) or ".", exist_ok=True)
        try:
            os.mkdir(directory, 0o700)
        except FileExistsError:
            pass
        info = os.stat(directory)
    except OSError as e:
        return f"cannot make or read it: {e}"
    if info.st_uid != os.geteuid():
        return f"it belongs to user {info.st_uid}, not to this user ({os.geteuid()})"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"others may write to it (mode {stat.S_IMODE(info.st_mode):o}); chmod go-w it to use the cache"
    return None


def _checksum(key, artifact):
    return hashlib.sha256(key.encode() + artifact).digest()


def load_or_compile(engine, wasm, directory):
    """The component `wasm` compiled for `engine`, and where it came from (`"cache"` or
    `"compiled"`): from the cache in `directory`, or compiled now and stored there. None, or a
    directory that is not the user's alone, compiles without a cache."""
    if directory is not None:
        why = _private(directory)
        if why is not None:
            _log.warning("not using the compiled-component cache %s: %s", directory, why)
            directory = None
    if directory is None:
        return Component(engine, wasm), "compiled"
    digest = hashlib.sha256(wasm).hexdigest()
    key = f"{digest}-{_runtime()}"
    path = os.path.join(directory, f"{digest[:32]}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.py.cwasm")
    try:
        with open(path, "rb") as f:
            entry = f.read()
    except OSError:
        entry = None
    if entry is not None:
        artifact = entry[_CHECKSUM_LEN:]
        if entry[:_CHECKSUM_LEN] == _checksum(key, artifact):
            try:
                return Component.deserialize(engine, artifact), "cache"
            except wasmtime.WasmtimeError as e:
                _log.warning("compiled-component cache entry %s unusable (%s); compiling", path, e)
        else:
            _log.warning("compiled-component cache entry %s is damaged or not this component's; compiling", path)
    component = Component(engine, wasm)
    try:
        _store(directory, path, key, component)
    except (OSError, wasmtime.WasmtimeError) as e:
        _log.warning("cannot write the compiled-component cache entry %s: %s", path, e)
    return component, "compiled"


def _store(directory, path, key, component):
    """Writes the entry beside its place, then moves it there: a reader sees all of it or none."""
    artifact = component.serialize()
    descriptor, temporary = tempfile.mkstemp(dir=directory, suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as f:
            f.write(_checksum(key, artifact))
            f.write(artifact)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
