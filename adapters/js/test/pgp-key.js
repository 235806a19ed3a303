// pgpKey through the JS host (OpenPGP.js): refuses each key of BAD_KEYS (a JSON array of
// [pgpKey, rule]) naming pgpKey with no call to AWS, then creates a key of BUCKET encrypted to
// PGP_KEY and prints its id and outputs as one JSON line, for the calling test (tests/js_host.rs)
// to open with gpg. It passes ENDPOINT_URL, ACCESS_KEY_ID, SECRET_ACCESS_KEY and TRANSPILED too.

import assert from 'node:assert/strict';
import { LightsailClient, CreateBucketCommand } from '@aws-sdk/client-lightsail';
import { load } from '../src/index.js';
import { KEY, sdk, total } from './endpoint.js';

const bucketName = process.env.BUCKET;
const provider = await load({ transpiled: process.env.TRANSPILED, sdk });
await new LightsailClient(sdk).send(new CreateBucketCommand({ bucketName, bundleId: 'small_1_0' }));

const before = await total();
for (const [pgpKey, rule] of JSON.parse(process.env.BAD_KEYS)) {
  const checked = await provider.check(KEY, { bucketName, pgpKey });
  assert.equal(checked.failures.length, 1, JSON.stringify(checked.failures));
  assert.equal(checked.failures[0].property, 'pgpKey');
  assert.ok(checked.failures[0].reason.includes(rule), `${rule}: ${checked.failures[0].reason}`);
  await assert.rejects(provider.create(KEY, { bucketName, pgpKey }), (e) => e.payload?.tag === 'invalid-input');
}
assert.equal(await total(), before, 'no bad key reached the endpoint');

const created = await provider.create(KEY, { bucketName, pgpKey: process.env.PGP_KEY });
console.log(JSON.stringify(created));
