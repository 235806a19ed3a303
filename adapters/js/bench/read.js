// One read through the component in the JS host (jco, one reused instance, the AWS SDK for
// JavaScript in its imports) against the same call made directly with the AWS SDK for JavaScript,
// same endpoint, same run, interleaved so that drift hits both alike. Prints one Markdown row.
//
// Run by `cargo run --release --example bench -- js`, which starts the endpoint and transpiles the
// component; it passes ENDPOINT_URL, ACCESS_KEY_ID, SECRET_ACCESS_KEY and TRANSPILED.

import { LightsailClient, CreateBucketCommand, GetBucketAccessKeysCommand } from '@aws-sdk/client-lightsail';
import { load } from '../src/index.js';

const KEY = 'aws:lightsail/bucketAccessKey:BucketAccessKey';
const sdk = {
  region: 'us-east-1',
  endpoint: process.env.ENDPOINT_URL,
  credentials: { accessKeyId: process.env.ACCESS_KEY_ID, secretAccessKey: process.env.SECRET_ACCESS_KEY },
};
const direct = new LightsailClient(sdk);
const provider = await load({ transpiled: process.env.TRANSPILED, sdk });
await direct.send(new CreateBucketCommand({ bucketName: 'js-bench', bundleId: 'small_1_0' }));
const created = await provider.create(KEY, { bucketName: 'js-bench' });

const through = async () => provider.read(KEY, created.id, created.outputs.values);
const directly = async () => direct.send(new GetBucketAccessKeysCommand({ bucketName: 'js-bench' }));
const timed = async (f) => {
  const started = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - started) / 1e3;
};
for (let i = 0; i < 300; i++) {
  await through();
  await directly();
}
const [a, b] = [[], []];
for (let i = 0; i < 2000; i++) {
  a.push(await timed(through));
  b.push(await timed(directly));
}
const median = (xs) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const [m, d] = [median(a), median(b)];
const show = (us) => `${us.toFixed(1)} µs`;
console.log(
  `| read via the JS host (jco, Node ${process.versions.node}, one reused instance) | ${show(m)} | same call, AWS SDK for JavaScript directly | ${show(d)} | ${(m / d).toFixed(2)}x |`,
);
await provider.delete(KEY, created.id, created.outputs.values);
