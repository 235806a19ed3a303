// The `lock` import in Node.js, as the Rust host has it: an in-process queue per name, then an OS
// file lock (flock(2), called through koffi) on a file per name in the lock directory. Every host
// of this project that uses the same directory (the CLI, the Terraform and Pulumi plugins, this
// one) takes the same lock, and the OS releases it the moment its holder dies.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import koffi from 'koffi';

const LOCK_EX = 2;
const LOCK_NB = 4;
const EWOULDBLOCK = { linux: 11, darwin: 35, freebsd: 35, openbsd: 35 }[os.platform()];
const LIBC = { linux: 'libc.so.6', darwin: 'libc.dylib', freebsd: 'libc.so.7', openbsd: 'libc.so' }[os.platform()];

let flock;
/** flock(2), or undefined where this platform has none koffi can reach. */
function libcFlock() {
  if (flock === undefined && LIBC) {
    try {
      flock = koffi.load(LIBC).func('int flock(int fd, int op)');
    } catch {
      flock = null;
    }
  }
  return flock ?? undefined;
}

/** The per-user directory every host of this project uses by default (as the Rust host's). */
export function defaultLockDirectory() {
  const cache = process.env.XDG_CACHE_HOME || (os.homedir() && path.join(os.homedir(), '.cache'));
  return cache ? path.join(cache, 'lightsail-provider', 'locks') : undefined;
}

/** A lock's file name, as every host derives it: bytes outside [A-Za-z0-9._-] as %XX, or a SHA-256
 * for a name too long. */
export function lockFileName(name) {
  let encoded = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const c = String.fromCharCode(byte);
    encoded += /[A-Za-z0-9._-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (encoded.length > 200) encoded = `sha256-${createHash('sha256').update(name, 'utf8').digest('hex')}`;
  return `${encoded}.lock`;
}

/**
 * The locks of one host: `directory` (default: `defaultLockDirectory()`; `null` for this
 * process only) and the user's declaration that every creator of keys of these buckets takes
 * them. Returns the WIT `lock` interface's functions.
 */
export function locks({ directory = defaultLockDirectory(), keyCreatorsShareLock = false } = {}) {
  const call = directory ? libcFlock() : undefined;
  if (directory && !call) throw new Error(`no flock(2) on ${os.platform()}: pass lockDirectory: null to lock in this process only`);
  if (directory) fs.mkdirSync(directory, { recursive: true, mode: 0o700 });
  const held = new Map();

  class Guard {
    #release;
    constructor(release) {
      this.#release = release;
    }
    // jco calls this when the component drops its guard (or the call ends).
    [Symbol.dispose]() {
      this.#release?.();
      this.#release = undefined;
    }
  }

  /** Locks `fd`: at once when free, else on koffi's worker thread, off the event loop. */
  async function lockFile(fd) {
    if (call(fd, LOCK_EX | LOCK_NB) === 0) return;
    if (koffi.errno() !== EWOULDBLOCK) throw new Error(`flock failed: errno ${koffi.errno()}`);
    await new Promise((resolve, reject) =>
      call.async(fd, LOCK_EX, (err, result) => (err || result !== 0 ? reject(err ?? new Error('flock failed')) : resolve())),
    );
  }

  // The guards the component holds: released when it drops them (jco calls Symbol.dispose) and in
  // any case when the export call ends (`releaseHeld`), as the WIT requires.
  const current = new Set();
  const lockError = (tag, val) => ({ payload: { tag, val } });

  async function take(name) {
    while (held.has(name)) await held.get(name);
    let release;
    held.set(name, new Promise((resolve) => (release = resolve)));
    const done = () => {
      held.delete(name);
      release();
    };
    if (!directory) return done;
    let fd;
    try {
      // Never removed: removing a lock file another process is opening would give two holders.
      fd = fs.openSync(path.join(directory, lockFileName(name)), fs.constants.O_WRONLY | fs.constants.O_CREAT, 0o600);
      await lockFile(fd);
    } catch (e) {
      if (fd !== undefined) fs.closeSync(fd);
      done();
      throw lockError('unavailable', `the lock ${JSON.stringify(name)} cannot be taken: ${e.message}`);
    }
    // Closing the file releases the OS lock.
    return () => {
      fs.closeSync(fd);
      done();
    };
  }

  async function acquire(name) {
    // The WIT: one lock at a time; a second is the component's bug, and traps the call.
    if (current.size > 0) throw new Error(`the component asked for the lock ${JSON.stringify(name)} while it holds another`);
    const release = await take(name);
    const guard = new Guard(() => {
      current.delete(guard);
      release();
    });
    current.add(guard);
    return guard;
  }

  /** Releases what the call that just ended still holds. */
  function releaseHeld() {
    for (const guard of [...current]) guard[Symbol.dispose]();
  }

  const reach = keyCreatorsShareLock ? 'every-creator' : directory ? 'machine' : 'process';
  return { Guard, acquire, reach: () => reach, releaseHeld };
}
