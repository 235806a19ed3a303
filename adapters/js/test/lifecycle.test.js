// The JS host's lifecycle against lightsail-local, with the component bytes the Rust host uses.
// The calling test (tests/js_host.rs) starts the endpoint and transpiles the component; it passes
// ENDPOINT_URL, ACCESS_KEY_ID, SECRET_ACCESS_KEY and TRANSPILED.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LightsailClient, CreateBucketCommand, DeleteBucketAccessKeyCommand } from '@aws-sdk/client-lightsail';
import { readFile } from 'node:fs/promises';
import { load, ProviderError } from '../src/index.js';
import { lockFileName } from '../src/locks.js';
import { KEY, calls, sdk, total } from './endpoint.js';

const direct = new LightsailClient(sdk);

test('the lifecycle of a key, through one reused instance', async () => {
  const provider = await load({ transpiled: process.env.TRANSPILED, sdk });
  await direct.send(new CreateBucketCommand({ bucketName: 'js-bucket', bundleId: 'small_1_0' }));
  assert.deepEqual((await provider.resourceTypes()).sort(), ['aws:lightsail/bucket:Bucket', KEY].sort());

  // Invalid input and an unknown type are refused, with no call to AWS.
  const before = await total();
  const checked = await provider.check(KEY, { bucketName: 'Bad_Name' });
  assert.equal(checked.failures[0].property, 'bucketName');
  await assert.rejects(provider.create(KEY, { bucketName: 'Bad_Name' }), (e) => {
    assert.ok(e instanceof ProviderError);
    assert.equal(e.payload.tag, 'invalid-input');
    assert.match(e.message, /bucketName: /);
    return true;
  });
  await assert.rejects(provider.read('aws:nothing/here:Thing', 'x'), (e) => e.payload?.tag === 'unknown-type');
  assert.equal(await total(), before, 'nothing reached the endpoint');

  // Create; read with state keeps the secret.
  const created = await provider.create(KEY, { bucketName: 'js-bucket' });
  assert.match(created.id, /^js-bucket,AKIA/);
  assert.equal(created.outputs.values.secretAccessKey.length, 40);
  assert.deepEqual(created.outputs.secrets, ['secretAccessKey']);
  const read = await provider.read(KEY, created.id, created.outputs.values);
  assert.equal(read.outputs.values.secretAccessKey, created.outputs.values.secretAccessKey);

  // Import, with and without the region: no secret.
  for (const id of [created.id, `${created.id}@us-east-1`]) {
    const imported = await provider.import(KEY, id);
    assert.deepEqual(imported.inputs, { bucketName: 'js-bucket', region: 'us-east-1' });
    assert.equal(imported.outputs.values.secretAccessKey, null);
  }

  // Deleted out of band: read as gone. Deleting twice is fine.
  const accessKeyId = created.id.split(',')[1];
  await direct.send(new DeleteBucketAccessKeyCommand({ bucketName: 'js-bucket', accessKeyId }));
  assert.equal(await provider.read(KEY, created.id, created.outputs.values), null);
  await provider.delete(KEY, created.id, created.outputs.values);
  await provider.delete(KEY, created.id, created.outputs.values);

  // Every create was sent once.
  assert.equal((await calls()).CreateBucketAccessKey, 1);
});

test('list pages a bucket\'s keys with no secret, and rotate makes room in a full bucket', async () => {
  const provider = await load({ transpiled: process.env.TRANSPILED, sdk });
  await direct.send(new CreateBucketCommand({ bucketName: 'js-listed', bundleId: 'small_1_0' }));
  const first = await provider.create(KEY, { bucketName: 'js-listed' });
  const second = await provider.create(KEY, { bucketName: 'js-listed' });
  const page = await provider.list(KEY, { bucketName: 'js-listed' }, { pageSize: 1 });
  assert.equal(page.items.length, 1);
  assert.notEqual(page.continuation, undefined);
  const rest = await provider.list(KEY, { bucketName: 'js-listed' }, { pageSize: 1, continuation: page.continuation });
  assert.equal(rest.continuation, undefined);
  const ids = [...page.items, ...rest.items].map((item) => item.id);
  assert.deepEqual(ids, [first.id, second.id]);
  for (const item of [...page.items, ...rest.items]) assert.equal(item.outputs.values.secretAccessKey, null);
  const all = [];
  for await (const item of provider.listAll(KEY, { bucketName: 'js-listed' })) all.push(item.id);
  assert.deepEqual(all, ids);

  const before = (await calls()).DeleteBucketAccessKey ?? 0;
  const preview = await provider.rotate(KEY, { bucketName: 'js-listed' }, { preview: true });
  assert.equal(preview.deleted, first.id);
  assert.equal((await calls()).DeleteBucketAccessKey ?? 0, before, 'a preview deletes nothing');
  const rotated = await provider.rotate(KEY, { bucketName: 'js-listed' }, { replace: second.id });
  assert.equal(rotated.deleted, second.id);
  const left = (await provider.list(KEY, { bucketName: 'js-listed' })).items.map((item) => item.id);
  assert.deepEqual(left, [first.id, rotated.id]);
});

test('a reused instance stays flat over 10,000 calls', async () => {
  const provider = await load({ transpiled: process.env.TRANSPILED, sdk });
  const run = async (n) => {
    for (let i = 0; i < n; i++) {
      await provider.check(KEY, { bucketName: `bucket-${i % 100}` });
      if (i % 10 === 0) await provider.schema();
    }
  };
  await run(1000);
  const first = process.memoryUsage().arrayBuffers;
  await run(9000);
  const after = process.memoryUsage().arrayBuffers;
  // Linear memory is an ArrayBuffer: with a clean heap per call it does not grow.
  assert.ok(after - first < 2 * 65536, `linear memory grew by ${after - first} bytes`);
});

test('bucket tags with default tags, changed in place through the SDK', async () => {
  const BUCKET = 'aws:lightsail/bucket:Bucket';
  const provider = await load({ transpiled: process.env.TRANSPILED, sdk, defaultTags: { env: 'dev' } });
  const inputs = { name: 'js-tagged', bundleId: 'small_1_0', tags: { team: 'web' } };
  const created = await provider.create(BUCKET, inputs);
  assert.deepEqual(created.outputs.values.tagsAll, { env: 'dev', team: 'web' });
  const news = { ...inputs, tags: { team: 'api' } };
  const updated = await provider.update(BUCKET, created.id, created.outputs.values, news);
  assert.deepEqual(updated.values.tags, { team: 'api' });
  assert.deepEqual(updated.values.tagsAll, { env: 'dev', team: 'api' });
  const read = await provider.read(BUCKET, created.id, updated.values);
  assert.deepEqual(read.outputs.values.tagsAll, { env: 'dev', team: 'api' });
  const sent = await calls();
  assert.equal(sent.TagResource, 1);
  assert.equal(sent.UntagResource ?? 0, 0, 'nothing to remove: the changed tag is overwritten');
  await provider.delete(BUCKET, created.id, updated.values);
});

test('lock file names follow the shared vectors (conformance/lock-file-names.json)', async () => {
  const { vectors } = JSON.parse(await readFile(new URL('../../../conformance/lock-file-names.json', import.meta.url)));
  for (const { name, file } of vectors) assert.equal(lockFileName(name), file);
});
