// The JS host (jco, one reused instance, the AWS SDK for JavaScript in its imports) against the
// AWS SDK for JavaScript directly, same endpoint, same run, interleaved so that drift hits both
// alike. Prints Markdown rows: a read and its breakdown, a create/read/delete lifecycle against the
// four calls it makes, and a new Node process to its first read against one that imports the SDK
// and makes the call (Node keeps no compiled WebAssembly between processes: there is no cache).
//
// Run by `cargo run --release --example bench -- js`, which starts the endpoint and transpiles the
// component; it passes ENDPOINT_URL, ACCESS_KEY_ID, SECRET_ACCESS_KEY and TRANSPILED.

import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import {
  LightsailClient,
  CreateBucketCommand,
  CreateBucketAccessKeyCommand,
  DeleteBucketAccessKeyCommand,
  GetBucketAccessKeysCommand,
} from '@aws-sdk/client-lightsail';
import { load, Provider } from '../src/index.js';
import { imports } from '../src/imports.js';

const KEY = 'aws:lightsail/bucketAccessKey:BucketAccessKey';
const BUCKET = 'js-bench';
// Also run by the new processes below (its source goes into their code; the credentials stay in
// the environment they inherit, off their command lines).
function sdkFromEnvironment() {
  return {
    region: 'us-east-1',
    endpoint: process.env.ENDPOINT_URL,
    credentials: { accessKeyId: process.env.ACCESS_KEY_ID, secretAccessKey: process.env.SECRET_ACCESS_KEY },
  };
}
const sdk = sdkFromEnvironment();
const direct = new LightsailClient(sdk);
const provider = await load({ transpiled: process.env.TRANSPILED, sdk, lockDirectory: null });
await direct.send(new CreateBucketCommand({ bucketName: BUCKET, bundleId: 'small_1_0' }));
const created = await provider.create(KEY, { bucketName: BUCKET });

// For the breakdown: the host's own import function on its own, and a second instance whose
// get-bucket-access-keys answers at once with what that function answered (no network).
const hostImports = imports({ sdk });
await hostImports.resolveRegion();
const importFunction = hostImports['lightsail:provider/lightsail'].getBucketAccessKeys;
const answer = await importFunction(undefined, BUCKET);
const inMemory = imports({ sdk });
await inMemory.resolveRegion();
inMemory['lightsail:provider/lightsail'].getBucketAccessKeys = async () => answer;
const dir = new URL(`file://${process.env.TRANSPILED.replace(/\/?$/, '/')}`);
const { instantiate } = await import(new URL('provider.js', dir));
const root = await instantiate(async (name) => WebAssembly.compile(await readFile(new URL(name, dir))), inMemory);
const offline = new Provider(root.resourceProvider, inMemory['lightsail:provider/lock']);

const idle = () => new Promise((resolve) => setTimeout(resolve, 1));
const calls = {
  through: () => provider.read(KEY, created.id, created.outputs.values),
  directly: () => direct.send(new GetBucketAccessKeysCommand({ bucketName: BUCKET })),
  importFunction: () => importFunction(undefined, BUCKET),
  inMemory: () => offline.read(KEY, created.id, created.outputs.values),
  idle,
  idleThenInMemory: async () => {
    await idle();
    await offline.read(KEY, created.id, created.outputs.values);
  },
  lifecycleThrough: async () => {
    const key = await provider.create(KEY, { bucketName: BUCKET });
    await provider.read(KEY, key.id, key.outputs.values);
    await provider.delete(KEY, key.id, key.outputs.values);
  },
  // The calls a lifecycle makes: list (the create's check of the bucket's keys), create, list
  // (the read), delete.
  lifecycleDirectly: async () => {
    await direct.send(new GetBucketAccessKeysCommand({ bucketName: BUCKET }));
    const made = await direct.send(new CreateBucketAccessKeyCommand({ bucketName: BUCKET }));
    await direct.send(new GetBucketAccessKeysCommand({ bucketName: BUCKET }));
    const accessKeyId = made.accessKey.accessKeyId;
    await direct.send(new DeleteBucketAccessKeyCommand({ bucketName: BUCKET, accessKeyId }));
  },
};

const ROUNDS = 2000;
const median = (xs) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)];
/** Median wall time of each call (µs), the calls taking turns, after a warm-up. */
async function interleaved(...names) {
  return interleavedRounds(ROUNDS, ...names);
}
async function interleavedRounds(rounds, ...names) {
  for (let i = 0; i < Math.min(300, rounds); i++) for (const n of names) await calls[n]();
  const times = names.map(() => []);
  for (let i = 0; i < rounds; i++) {
    for (const [j, n] of names.entries()) {
      const started = process.hrtime.bigint();
      await calls[n]();
      times[j].push(Number(process.hrtime.bigint() - started) / 1e3);
    }
  }
  return times.map(median);
}
/** CPU time of this process per call (µs), the call repeated on its own. */
async function cpuPerCall(name) {
  for (let i = 0; i < 300; i++) await calls[name]();
  const before = process.cpuUsage();
  for (let i = 0; i < ROUNDS; i++) await calls[name]();
  const { user, system } = process.cpuUsage(before);
  return (user + system) / ROUNDS;
}

const us = (x) => `${x.toFixed(1)} µs`;
const node = `Node ${process.versions.node}`;
const [m, d] = await interleaved('through', 'directly');
console.log(
  `| read via the JS host (jco, ${node}, one reused instance) | ${us(m)} | same call, AWS SDK for JavaScript directly | ${us(d)} | ${(m / d).toFixed(2)}x |`,
);
const [f, d2] = await interleaved('importFunction', 'directly');
console.log(`| - its import function alone (the SDK call and the mapping, no wasm) | ${us(f)} | same call directly | ${us(d2)} | ${(f / d2).toFixed(2)}x |`);
const [warm] = await interleaved('inMemory');
console.log(`| - the component's read, import answered from memory, back to back | ${us(warm)} | the SDK's read | ${us(d)} | ${(warm / d).toFixed(2)}x |`);
const [idleCpu, idleThenCpu] = [await cpuPerCall('idle'), await cpuPerCall('idleThenInMemory')];
const [cold, backToBack] = [idleThenCpu - idleCpu, await cpuPerCall('inMemory')];
console.log(
  `| - the same read after the thread idled 1 ms (as a read idles waiting for the network): CPU | ${us(cold)} | back to back: CPU | ${us(backToBack)} | ${(cold / backToBack).toFixed(2)}x |`,
);
const [l, ld] = await interleavedRounds(300, 'lifecycleThrough', 'lifecycleDirectly');
console.log(
  `| create/read/delete lifecycle via the JS host | ${us(l)} | the same four calls, AWS SDK for JavaScript directly | ${us(ld)} | ${(l / ld).toFixed(2)}x |`,
);

// A new process to its first answer: Node's own clock from the process's start (performance.now()).
const here = new URL('.', import.meta.url).pathname;
const firstRead = `
  const { load } = await import(${JSON.stringify(new URL('../src/index.js', import.meta.url).href)});
  const sdk = (${sdkFromEnvironment})();
  const provider = await load({ transpiled: ${JSON.stringify(process.env.TRANSPILED)}, sdk, lockDirectory: null });
  await provider.read(${JSON.stringify(KEY)}, ${JSON.stringify(created.id)});
  console.log(performance.now());`;
const sdkCall = `
  const { LightsailClient, GetBucketAccessKeysCommand } = await import('@aws-sdk/client-lightsail');
  const direct = new LightsailClient((${sdkFromEnvironment})());
  await direct.send(new GetBucketAccessKeysCommand({ bucketName: ${JSON.stringify(BUCKET)} }));
  console.log(performance.now());`;
const started = (code) =>
  Number(execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: here, encoding: 'utf8' }).trim());
const [hostStarts, sdkStarts] = [[], []];
for (let i = 0; i < 9; i++) {
  sdkStarts.push(started(sdkCall));
  hostStarts.push(started(firstRead));
}
const ms = (x) => `${x.toFixed(1)} ms`;
const [hs, ss] = [median(hostStarts), median(sdkStarts)];
console.log(
  `| a new Node process to its first read via the JS host (no cache: Node keeps no compiled wasm) | ${ms(hs)} | to the same call, AWS SDK for JavaScript imported | ${ms(ss)} | ${(hs / ss).toFixed(2)}x |`,
);
await provider.delete(KEY, created.id, created.outputs.values);
