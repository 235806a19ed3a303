// What the JS host's tests share: the local endpoint the calling test (tests/js_host.rs) started,
// named by ENDPOINT_URL, ACCESS_KEY_ID and SECRET_ACCESS_KEY, and the calls it has counted.

/** The access key's type token. */
export const KEY = 'aws:lightsail/bucketAccessKey:BucketAccessKey';
export const endpoint = process.env.ENDPOINT_URL;
/** AWS SDK options that reach the endpoint. */
export const sdk = {
  region: 'us-east-1',
  endpoint,
  credentials: { accessKeyId: process.env.ACCESS_KEY_ID, secretAccessKey: process.env.SECRET_ACCESS_KEY },
};
/** The endpoint's call counts, by operation. */
export const calls = async () => (await (await fetch(`${endpoint}/_lightsail-local/stats`)).json()).calls;
/** Every call the endpoint has counted. */
export const total = async () => Object.values(await calls()).reduce((a, b) => a + b, 0);
