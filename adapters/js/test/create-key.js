// Creates one access key of BUCKET through the JS host and prints {"id", "accessKeyId"}: the other
// half of a test (tests/js_host.rs) in which another host creates a key of the same bucket at the
// same time. Environment: ENDPOINT_URL, ACCESS_KEY_ID, SECRET_ACCESS_KEY, TRANSPILED, BUCKET,
// LOCK_DIRECTORY, KEY_CREATORS_SHARE_LOCK (`true` or not).

import { load } from '../src/index.js';

const provider = await load({
  transpiled: process.env.TRANSPILED,
  sdk: {
    region: 'us-east-1',
    endpoint: process.env.ENDPOINT_URL,
    credentials: { accessKeyId: process.env.ACCESS_KEY_ID, secretAccessKey: process.env.SECRET_ACCESS_KEY },
  },
  lockDirectory: process.env.LOCK_DIRECTORY,
  keyCreatorsShareLock: process.env.KEY_CREATORS_SHARE_LOCK === 'true',
});
const created = await provider.create('aws:lightsail/bucketAccessKey:BucketAccessKey', { bucketName: process.env.BUCKET });
console.log(JSON.stringify({ id: created.id, accessKeyId: created.outputs.values.accessKeyId }));
