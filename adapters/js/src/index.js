// A small API over the provider component's exports, in Node.js (24, for JSPI): property bags as
// plain objects, WIT errors as `ProviderError`s that carry the WIT payload. One instance serves
// every call, one call at a time, as the WIT allows.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { imports } from './imports.js';

/** A WIT `provider-error`: `payload` is the variant as jco gives it (`{tag, val}`). */
export class ProviderError extends Error {
  constructor(payload) {
    super(describe(payload));
    this.name = 'ProviderError';
    this.payload = payload;
  }
}

function describe({ tag, val }) {
  switch (tag) {
    case 'invalid-input':
      return `invalid input: ${val.map((f) => (f.property ? `${f.property}: ${f.reason}` : f.reason)).join('; ')}`;
    case 'api': {
      const hint = val.hint ? `; set ${val.hint.property} to ${val.hint.value} to allow it` : '';
      return `AWS error ${val.code}: ${val.message}${hint}`;
    }
    case 'not-ready':
      return `${val.id} was created but is not ready: ${val.reason}`;
    case 'unknown-type':
      return `unknown resource type ${val}`;
    default:
      return `${tag}: ${val}`;
  }
}

const bag = (json) => JSON.parse(json);

/** Outputs as `{values, secrets}`, the values parsed. */
const outputs = (o) => ({ values: bag(o.values), secrets: o.secrets });

/**
 * `sha256:HEX` of the component this package carries (`provider.wasm`, which its `generated/` was
 * transpiled from), or of the file at `path`; null where there is none (a checkout before
 * `npm run transpile`).
 */
export async function componentDigest(path = new URL('../provider.wasm', import.meta.url)) {
  try {
    return `sha256:${createHash('sha256').update(await readFile(path)).digest('hex')}`;
  } catch (e) {
    if (e.code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * Loads the component transpiled by jco (`npm run transpile`) into one instance whose imports use
 * the AWS SDK with `sdk` (LightsailClient configuration: region, credentials, endpoint; by default
 * the SDK's own environment and profile). `log(level, message)` receives the component's log.
 * `defaultTags` (`{KEY: VALUE}`) are carried by every resource that takes tags, besides its own.
 * `lockDirectory` is where the locks that keep a bucket's key creators apart live (default: the
 * per-user directory every host of this project uses; `null`: this process only), and
 * `keyCreatorsShareLock: true` declares that every creator of keys of these buckets takes them.
 */
export async function load({
  transpiled = new URL('../generated/', import.meta.url),
  sdk,
  log,
  defaultTags,
  lockDirectory,
  keyCreatorsShareLock,
} = {}) {
  const dir = transpiled instanceof URL ? transpiled : new URL(`file://${transpiled.replace(/\/?$/, '/')}`);
  const { instantiate } = await import(new URL('provider.js', dir));
  const lock = { directory: lockDirectory, keyCreatorsShareLock };
  if (lockDirectory === undefined) delete lock.directory;
  const importObject = imports({ sdk, log, defaultTags, lock });
  await importObject.resolveRegion();
  const root = await instantiate(async (name) => WebAssembly.compile(await readFile(new URL(name, dir))), importObject);
  return new Provider(root.resourceProvider, importObject['lightsail:provider/lock']);
}

export class Provider {
  #exports;
  #lock;
  #queue = Promise.resolve();

  constructor(exports, lock) {
    this.#exports = exports;
    this.#lock = lock;
  }

  /** Runs one export at a time: an instance serves one call at a time. */
  #run(call) {
    const next = this.#queue.then(async () => {
      try {
        return await call(this.#exports);
      } catch (e) {
        throw e?.payload !== undefined ? new ProviderError(e.payload) : e;
      } finally {
        // The WIT: a lock is released when the call that took it returns or traps.
        this.#lock.releaseHeld();
      }
    });
    this.#queue = next.catch(() => {});
    return next;
  }

  resourceTypes() {
    return this.#run((x) => x.resourceTypes());
  }

  async schema() {
    return bag(await this.#run((x) => x.schema()));
  }

  /** `{inputs, failures}`: failures name a property and a rule; nothing is sent to AWS. */
  async check(type, news, olds) {
    const olds_ = olds === undefined ? undefined : JSON.stringify(olds);
    const checked = await this.#run((x) => x.check(type, olds_, JSON.stringify(news)));
    return { inputs: bag(checked.inputs), failures: checked.failures };
  }

  diff(type, id, olds, news) {
    return this.#run((x) => x.diff(type, id, JSON.stringify(olds), JSON.stringify(news)));
  }

  /** `{id, outputs}`; with `preview`, no call to AWS and an empty id. */
  async create(type, inputs, { preview = false } = {}) {
    const created = await this.#run((x) => x.create(type, JSON.stringify(inputs), preview));
    return { id: created.id, outputs: outputs(created.outputs) };
  }

  /** `{id, inputs, outputs}`, or `null` when the resource is gone. `state` keeps the secret. */
  async read(type, id, state) {
    const found = await this.#run((x) => x.read(type, id, state === undefined ? undefined : JSON.stringify(state)));
    return found ? { id: found.id, inputs: bag(found.inputs), outputs: outputs(found.outputs) } : null;
  }

  /** The outputs after changing in place what `news` changes (`olds`: the last outputs); with
   * `preview`, no call to AWS. */
  async update(type, id, olds, news, { preview = false } = {}) {
    return outputs(await this.#run((x) => x.update(type, id, JSON.stringify(olds), JSON.stringify(news), preview)));
  }

  async import(type, id) {
    const found = await this.#run((x) => x.import(type, id));
    return { id: found.id, inputs: bag(found.inputs), outputs: outputs(found.outputs) };
  }

  /** Deletes; a resource already gone counts as deleted. */
  delete(type, id, state = {}) {
    return this.#run((x) => x.delete(type, id, JSON.stringify(state)));
  }

  /** One page of what exists, narrowed by `query` (the schema's `TYPEListQuery`):
   * `{items: [{id, inputs, outputs}], continuation}`; no item holds a secret, and each id imports.
   * Pass `continuation` back for the next page (`undefined` after the last). */
  async list(type, query = {}, { limit = 0, pageSize = 0, continuation } = {}) {
    const page = await this.#run((x) => x.list(type, JSON.stringify(query), limit, pageSize, continuation));
    const items = page.items.map((found) => ({ id: found.id, inputs: bag(found.inputs), outputs: outputs(found.outputs) }));
    return { items, continuation: page.continuation };
  }

  /** Every page of `list`, one after another. */
  async *listAll(type, query = {}, { limit = 0 } = {}) {
    let continuation;
    do {
      const page = await this.list(type, query, { limit, continuation });
      yield* page.items;
      continuation = page.continuation;
    } while (continuation !== undefined);
  }

  /** Creates, first deleting `replace` (an id of `list`'s) or the oldest where the bucket is full:
   * `{id, outputs, deleted}`; with `preview`, only reads which key would go. */
  async rotate(type, inputs, { replace, preview = false } = {}) {
    const rotated = await this.#run((x) => x.rotate(type, JSON.stringify(inputs), replace, preview));
    return { id: rotated.created.id, outputs: outputs(rotated.created.outputs), deleted: rotated.deleted };
  }
}
