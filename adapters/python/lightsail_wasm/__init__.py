"""The Lightsail provider component in Python: wasmtime-py runs the `.wasm`, boto3 makes its
Lightsail calls. Property bags are dicts; a WIT `provider-error` is raised as `ProviderError`. One
instance serves every call, one at a time (the component cleans its heap per call), as the WIT
allows; a call that traps is followed by a fresh instance."""

import hashlib
import json
import logging
import os
import threading
import time

import boto3
import wasmtime
from wasmtime.component import Linker, ResourceHost, ResourceType, Variant

from . import _cache, _openpgp

try:
    from . import _typecache
except (ImportError, AttributeError):  # a wasmtime-py laid out otherwise: its own path serves
    _typecache = None
from ._cache import default_cache_directory
from ._lightsail import Lightsail
from ._locks import Locks, default_lock_directory, lock_file_name

__all__ = [
    "load",
    "bundled_component",
    "component_digest",
    "Provider",
    "ProviderError",
    "default_cache_directory",
    "default_lock_directory",
    "lock_file_name",
]

_PACKAGE = "lightsail:provider"
_GUARD = 1  # the host's number for the `guard` resource type
_LEVELS = {
    "trace": logging.DEBUG - 5,
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warn": logging.WARNING,
    "error": logging.ERROR,
}
_log = logging.getLogger("lightsail_wasm")


class ProviderError(Exception):
    """A WIT `provider-error`: `kind` is its case (`invalid-input`, `api`, `not-ready`, ...) and
    `payload` its value, with records as dicts (`{"code", "message", "retryable"}` for `api`)."""

    def __init__(self, kind, payload):
        super().__init__(_describe(kind, payload))
        self.kind = kind
        self.payload = payload


def _describe(kind, payload):
    if kind == "invalid-input":
        return "invalid input: " + "; ".join(
            f"{f['property']}: {f['reason']}" if f["property"] else f["reason"] for f in payload
        )
    if kind == "api":
        hint = payload.get("hint")
        hint = f"; set {hint['property']} to {hint['value']} to allow it" if hint else ""
        return f"AWS error {payload['code']}: {payload['message']}{hint}"
    if kind == "not-ready":
        return f"{payload['id']} was created but is not ready: {payload['reason']}"
    if kind == "unknown-type":
        return f"unknown resource type {payload}"
    return f"{kind}: {payload}"


def _plain(value):
    """A lifted WIT value with its records as dicts keyed by the WIT's field names."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "__dict__") and not isinstance(value, Variant):
        return {name: _plain(v) for name, v in vars(value).items()}
    return value


def _outputs(o):
    return {"values": json.loads(o["values"]), "secrets": o["secrets"]}


def _read(found):
    return {"id": found["id"], "inputs": json.loads(found["inputs"]), "outputs": _outputs(found["outputs"])}


# The component the wheel carries, beside this file (a checkout has none: give `load` a path).
_BUNDLED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "provider.wasm")


def bundled_component():
    """The component this package carries (the wheel holds it), as bytes; None where it holds none."""
    try:
        with open(_BUNDLED, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def component_digest(wasm=None):
    """`sha256:HEX` of `wasm` (bytes), or of the component this package carries (None if none)."""
    wasm = bundled_component() if wasm is None else wasm
    return None if wasm is None else "sha256:" + hashlib.sha256(wasm).hexdigest()


def load(
    wasm=None,
    *,
    session=None,
    endpoint_url=None,
    default_tags=None,
    lock_directory=default_lock_directory,
    key_creators_share_lock=False,
    cache_directory=default_cache_directory,
    log=None,
    provider_class=None,
):
    """A provider running `wasm` (the component's bytes, or a path to them; by default the one
    this package carries).

    `session` is the boto3 Session whose credentials, region and profile the calls use (default:
    boto3's own chain; `AWS_ENDPOINT_URL` is honoured, or give `endpoint_url`). `default_tags`
    (`{KEY: VALUE}`) are carried by every resource that takes tags. `lock_directory` is where the
    locks that keep a bucket's key creators apart live (default: the per-user directory every host
    of this project uses; None: this process only); `key_creators_share_lock=True` declares that
    every creator of keys of these buckets takes them. `cache_directory` keeps the component
    compiled, for the next process (default: the per-user directory the Rust host uses; None: no
    cache); a directory others may write to is not used. `log(level, message)` receives the
    component's log (default: the `lightsail_wasm` logger). `provider_class` runs another
    component of the contract on the same imports (the conformance kit's driver does).
    """
    if wasm is None:
        wasm = bundled_component()
        if wasm is None:
            raise ValueError(
                "this lightsail_wasm carries no component (installed from a checkout, not the wheel): "
                "give load() the component, as `lightsail-provider component --out provider.wasm` writes it"
            )
    elif isinstance(wasm, (str, os.PathLike)):
        with open(wasm, "rb") as f:
            wasm = f.read()
    directory = default_lock_directory() if lock_directory is default_lock_directory else lock_directory
    cache = default_cache_directory() if cache_directory is default_cache_directory else cache_directory
    return (provider_class or Provider)(
        wasm,
        Lightsail(session or boto3.Session(), endpoint_url, default_tags),
        Locks(directory, key_creators_share_lock),
        log or (lambda level, message: _log.log(_LEVELS[level], "%s", message)),
        cache_directory=cache,
    )


def _contract_version(component, engine):
    """The contract version the component imports, which this host links its imports under: the
    version is written once, in the WIT, and wasmtime checks every type when it instantiates."""
    prefix = f"{_PACKAGE}/lightsail@"
    for name in component.type.imports(engine):
        if name.startswith(prefix):
            return name[len(prefix) :]
    raise ValueError(f"the component imports no {prefix}VERSION: it is not a component of this contract")


class Provider:
    """The component's exports over one reused instance."""

    # The interface whose functions `_call` runs.
    _EXPORT = "resource-provider"

    def __init__(self, wasm, lightsail, locks, log, cache_directory=None, types_once=True):
        self._engine = wasmtime.Engine()
        self._component, self._component_source = _cache.load_or_compile(self._engine, wasm, cache_directory)
        self._version = _contract_version(self._component, self._engine)
        self._lightsail = lightsail
        self._locks = locks
        self._log = log
        # wasmtime-py derives a function's types on every call; `_typecache` keeps them.
        self._types_once = types_once and _typecache is not None and _typecache.supported()
        self._linker = self._link()
        self._instance = None
        self._functions = {}
        self._serial = threading.Lock()
        # Guards the component holds, by rep: released when it drops them, or when its call ends.
        self._held = {}
        self._next_rep = 0

    @property
    def component_source(self):
        """`"cache"` if the compiled component came from the cache, `"compiled"` if compiled now."""
        return self._component_source

    def _link(self):
        linker = Linker(self._engine)
        version = self._version
        add_func = _typecache.add_func if self._types_once else (lambda instance, *f: instance.add_func(*f))
        with linker.root() as root:
            # `errors` holds types only: an instance with nothing in it.
            with root.add_instance(f"{_PACKAGE}/errors@{version}"):
                pass
            with root.add_instance(f"lightsail:provider/lightsail@{version}") as lightsail:
                for name, function in self._lightsail.functions():
                    add_func(lightsail, name, function)
            with root.add_instance(f"lightsail:provider/openpgp@{version}") as openpgp:
                for name, function in _openpgp.functions():
                    add_func(openpgp, name, function)
            with root.add_instance(f"lightsail:provider/lock@{version}") as lock:
                lock.add_resource("guard", ResourceType.host(_GUARD), self._drop_guard)
                add_func(lock, "reach", lambda store: self._locks.reach)
                add_func(lock, "acquire", self._acquire)
            with root.add_instance(f"lightsail:provider/wait@{version}") as wait:
                add_func(wait, "wait", lambda store, millis: time.sleep(millis / 1000))
            with root.add_instance(f"lightsail:provider/log@{version}") as log:
                add_func(log, "log", lambda store, level, message: self._log(level, message))
        return linker

    def _acquire(self, store, name):
        # The WIT: the component holds one lock at a time; a second is its bug, and traps the call.
        if self._held:
            raise RuntimeError(f"the component asked for the lock {name!r} while it holds another")
        try:
            guard = self._locks.acquire(name)
        except OSError as e:
            return Variant("unavailable", f"the lock {name!r} cannot be taken: {e}")
        self._next_rep += 1
        self._held[self._next_rep] = guard
        return ResourceHost.own(self._next_rep, _GUARD)

    def _drop_guard(self, store, rep):
        guard = self._held.pop(rep, None)
        if guard is not None:
            guard.release()

    def _call(self, export, *args):
        """Runs one export on the instance, one call at a time; the WIT's `ok` is returned, its
        `err` raised as ProviderError."""
        with self._serial:
            if self._instance is None:
                self._store = wasmtime.Store(self._engine)
                instance = self._linker.instantiate(self._store, self._component)
                interface = instance.get_export_index(self._store, f"{_PACKAGE}/{self._EXPORT}@{self._version}")
                self._instance = instance
                self._interface = interface
                self._functions = {}
            function = self._functions.get(export)
            if function is None:
                index = self._instance.get_export_index(self._store, export, self._interface)
                function = self._instance.get_func(self._store, index)
                if self._types_once:
                    function = _typecache.settled_func(function, self._store)
                self._functions[export] = function
            try:
                answer = function(self._store, *args)
            except BaseException:
                # A trap (or an interrupt in a host function) leaves the instance unusable.
                self._instance = None
                raise
            finally:
                # The WIT: a lock is released when the call that took it returns or traps.
                for rep in list(self._held):
                    self._drop_guard(self._store, rep)
        if isinstance(answer, Variant):
            if answer.tag == "ok":
                return _plain(answer.payload)
            if answer.tag == "err":
                answer = answer.payload
            raise ProviderError(answer.tag, _plain(answer.payload))
        return _plain(answer)

    def resource_types(self):
        return self._call("resource-types")

    def schema(self):
        return json.loads(self._call("schema"))

    def check(self, token, news, olds=None):
        """`{"inputs", "failures"}`: failures name a property and a rule; nothing is sent to AWS."""
        checked = self._call("check", token, None if olds is None else json.dumps(olds), json.dumps(news))
        return {"inputs": json.loads(checked["inputs"]), "failures": checked["failures"]}

    def diff(self, token, id, olds, news):
        return self._call("diff", token, id, json.dumps(olds), json.dumps(news))

    def create(self, token, inputs, preview=False):
        """`{"id", "outputs"}`; with `preview`, no call to AWS and an empty id."""
        created = self._call("create", token, json.dumps(inputs), preview)
        return {"id": created["id"], "outputs": _outputs(created["outputs"])}

    def read(self, token, id, state=None):
        """`{"id", "inputs", "outputs"}`, or None when the resource is gone; `state` keeps the secret."""
        found = self._call("read", token, id, None if state is None else json.dumps(state))
        return None if found is None else _read(found)

    def update(self, token, id, olds, news, preview=False):
        """The outputs after changing in place what `news` changes (`olds`: the last outputs)."""
        return _outputs(self._call("update", token, id, json.dumps(olds), json.dumps(news), preview))

    def delete(self, token, id, state=None):
        """Deletes; a resource already gone counts as deleted."""
        self._call("delete", token, id, json.dumps(state or {}))

    def import_(self, token, id):
        return _read(self._call("import", token, id))

    def list(self, token, query=None, limit=0, page_size=0, continuation=None):
        """One page of what exists, narrowed by `query` (the schema's `TOKENListQuery`):
        `{"items": [{"id", "inputs", "outputs"}], "continuation"}`; no item holds a secret, and each
        id imports. Pass `continuation` back for the next page (None after the last)."""
        page = self._call("list", token, json.dumps(query or {}), limit, page_size, continuation)
        return {"items": [_read(item) for item in page["items"]], "continuation": page["continuation"]}

    def list_all(self, token, query=None, limit=0):
        """Every page of `list`, one after another."""
        continuation = None
        while True:
            page = self.list(token, query, limit=limit, continuation=continuation)
            yield from page["items"]
            continuation = page["continuation"]
            if continuation is None:
                return

    def rotate(self, token, inputs, replace=None, preview=False):
        """Creates, first deleting `replace` (an id of `list`'s) or the oldest where the bucket is
        full: `{"id", "outputs", "deleted"}`; with `preview`, only reads which key would go."""
        rotated = self._call("rotate", token, json.dumps(inputs), replace, preview)
        created = rotated["created"]
        return {"id": created["id"], "outputs": _outputs(created["outputs"]), "deleted": rotated["deleted"]}
