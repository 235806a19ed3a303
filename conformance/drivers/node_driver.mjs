// The JavaScript host's conformance driver: runs the probe component, transpiled by jco into
// TRANSPILED, on the imports of `adapters/js` and answers each request line on stdin with one
// line on stdout, the probe's answer or `{"trap": ...}`. The runner (tests/conformance.rs) names
// the endpoint and the host's settings in the environment.

import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { imports } from '../../adapters/js/src/imports.js';

const sdk = {
  endpoint: process.env.ENDPOINT_URL,
  region: process.env.AWS_REGION,
  credentials: { accessKeyId: process.env.ACCESS_KEY_ID, secretAccessKey: process.env.SECRET_ACCESS_KEY },
};
const importObject = imports({
  sdk,
  defaultTags: JSON.parse(process.env.DEFAULT_TAGS),
  lock: { directory: process.env.LOCK_DIRECTORY },
});
await importObject.resolveRegion();
const dir = new URL(`file://${process.env.TRANSPILED.replace(/\/?$/, '/')}`);
const { instantiate } = await import(new URL('provider.js', dir));
const load = async () => instantiate(async (name) => WebAssembly.compile(await readFile(new URL(name, dir))), importObject);

let probe = await load();
for await (const line of createInterface({ input: process.stdin })) {
  let answer;
  try {
    answer = await probe.probe.call(line);
  } catch (e) {
    // A trap: the instance cannot be called again.
    answer = JSON.stringify({ trap: String(e?.message ?? e).split('\n')[0] });
    probe = await load();
  } finally {
    // The WIT: a lock is released when the call that took it returns or traps.
    importObject['lightsail:provider/lock'].releaseHeld();
  }
  process.stdout.write(`${answer}\n`);
}
