"""The `lock` import, as every host of this project takes it: an in-process lock per name, then an
OS file lock (flock(2)) on a file per name in the lock directory. The CLI, the Terraform and Pulumi
plugins, the JavaScript host and this one take the same lock when they use the same directory, and
the OS releases it the moment its holder dies."""

import fcntl
import hashlib
import os
import re
import threading

from ._cache import default_cache_directory

_SAFE = re.compile(rb"[A-Za-z0-9._-]")

# In-process locks per (directory, name), each with the number of its holders and waiters, so that
# an entry goes with its last user: flock(2) alone would serve two threads of this process too,
# but the process-only reach has no file at all.
_process_locks = {}
_process_locks_guard = threading.Lock()


def _enter(key):
    with _process_locks_guard:
        entry = _process_locks.setdefault(key, [threading.Lock(), 0])
        entry[1] += 1
        return entry[0]


def _leave(key):
    with _process_locks_guard:
        entry = _process_locks[key]
        entry[1] -= 1
        if entry[1] == 0:
            del _process_locks[key]


def default_lock_directory():
    """`locks` in the per-user directory (`$XDG_CACHE_HOME/lightsail-provider/locks`, else
    `~/.cache/lightsail-provider/locks`), as every host of this project names it."""
    return os.path.join(default_cache_directory(), "locks")


def lock_file_name(name):
    """A lock's file name, as every host derives it: bytes outside [A-Za-z0-9._-] as %XX, or a
    SHA-256 for a name too long."""
    encoded = "".join(
        chr(byte) if _SAFE.fullmatch(bytes([byte])) else "%{:02X}".format(byte) for byte in name.encode("utf-8")
    )
    if len(encoded) > 200:
        encoded = "sha256-" + hashlib.sha256(name.encode("utf-8")).hexdigest()
    return encoded + ".lock"


class Guard:
    """One held lock; `release` is idempotent."""

    def __init__(self, key, thread_lock, fd):
        self._key = key
        self._thread_lock = thread_lock
        self._fd = fd

    def release(self):
        if self._fd is not None:
            os.close(self._fd)  # closing the file releases the OS lock
            self._fd = None
        if self._thread_lock is not None:
            self._thread_lock.release()
            self._thread_lock = None
            _leave(self._key)


class Locks:
    """The locks of one host: in `directory` (None: this process only), with the user's declaration
    that every creator of keys of these buckets takes them."""

    def __init__(self, directory, key_creators_share_lock=False):
        self.directory = directory
        if directory is not None:
            os.makedirs(directory, mode=0o700, exist_ok=True)
        if key_creators_share_lock:
            self.reach = "every-creator"
        elif directory is not None:
            self.reach = "machine"
        else:
            self.reach = "process"

    def acquire(self, name):
        key = (self.directory, name)
        thread_lock = _enter(key)
        thread_lock.acquire()
        guard = Guard(key, thread_lock, None)
        if self.directory is None:
            return guard
        try:
            # Never removed: removing a lock file another process is opening would give two holders.
            guard._fd = os.open(os.path.join(self.directory, lock_file_name(name)), os.O_WRONLY | os.O_CREAT, 0o600)
            fcntl.flock(guard._fd, fcntl.LOCK_EX)
        except BaseException:
            guard.release()
            raise
        return guard

    def entries(self):
        """How many names this process's lock table holds (for tests: it shrinks to none)."""
        with _process_locks_guard:
            return len(_process_locks)
