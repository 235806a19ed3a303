// The component's five imports, made with the AWS SDK for JavaScript: `lightsail` (each call
// an SDK command), `openpgp` (OpenPGP.js: a pgpKey's checks, the secret's encryption), `lock` (named locks across this process and, through file locks, every process
// of the machine that uses the same lock directory; see locks.js), `wait` and `log`.
// The rules they keep are the WIT's (wit/provider.wit); the important ones are noted where kept.

import {
  LightsailClient,
  CreateBucketAccessKeyCommand,
  GetBucketAccessKeysCommand,
  DeleteBucketAccessKeyCommand,
  GetOperationCommand,
  CreateBucketCommand,
  GetBucketsCommand,
  UpdateBucketBundleCommand,
  DeleteBucketCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-lightsail';
import { locks } from './locks.js';

const seconds = (date) => (date instanceof Date ? date.getTime() / 1000 : undefined);

const STATUS = {
  NotStarted: 'not-started',
  Started: 'started',
  Failed: 'failed',
  Completed: 'completed',
  Succeeded: 'succeeded',
};

/** An answer that lacks what the WIT's records require: `MalformedResponse`, never a guess. */
const malformed = (message) => ({ payload: apiErrorOf('other', 'MalformedResponse', message, false) });

/** `answer[member]`, which the WIT's record requires. */
function required(answer, member, what) {
  const value = answer?.[member];
  if (value === undefined || value === null || value === '') throw malformed(`${what} came without its ${member}`);
  return value;
}

function operation(o) {
  const status = STATUS[o.status];
  if (!status) throw malformed(`an operation came with the status ${JSON.stringify(o.status)}, which the WIT does not know`);
  return {
    id: required(o, 'id', 'an operation'),
    resourceName: o.resourceName,
    operationType: o.operationType,
    status,
    isTerminal: Boolean(o.isTerminal),
    createdAt: seconds(o.createdAt),
    errorCode: o.errorCode,
    errorDetails: o.errorDetails,
  };
}

function accessKey(k) {
  const used = k.lastUsed;
  return {
    accessKeyId: required(k, 'accessKeyId', 'an access key'),
    secretAccessKey: k.secretAccessKey,
    status: k.status,
    createdAt: seconds(k.createdAt),
    lastUsed: used && {
      lastUsedDate: seconds(used.lastUsedDate),
      region: used.region,
      serviceName: used.serviceName,
    },
  };
}

function bucket(b) {
  return {
    name: required(b, 'name', 'a bucket'),
    arn: b.arn,
    bundleId: b.bundleId,
    createdAt: seconds(b.createdAt),
    url: b.url,
    availabilityZone: b.location?.availabilityZone,
    region: b.location?.regionName,
    supportCode: b.supportCode,
    tags: (b.tags ?? []).filter((t) => t.key !== undefined).map((t) => [t.key, t.value ?? '']),
  };
}

/** The WIT's `tags` (key, value pairs) as the SDK's `Tag` list. */
const sdkTags = (tags) => tags.map(([key, value]) => ({ key, value }));

/** The WIT's `api-error` record; a host's carries no hint. */
const apiErrorOf = (kind, code, message, retryable) => ({ kind, code, message, retryable, hint: undefined });

// Node's codes for a connection that was never made: nothing of the request was sent.
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** An SDK failure as the WIT's `api-error`, with the kind the WIT's rules give it; `endpoint` is
 * where the call was going. */
export function apiError(e, endpoint) {
  const status = e?.$metadata?.httpStatusCode;
  const code = e?.code ?? e?.name ?? 'Error';
  const message = String(e?.message ?? e);
  let kind;
  if (code === 'NotFoundException' || code === 'DoesNotExist' || message.includes('DoesNotExist')) kind = 'not-found';
  else if (code === 'InvalidInputException') kind = 'invalid-input';
  else if (/AccessDenied|Unauthenticated|UnrecognizedClient|Signature|ExpiredToken|CredentialsProviderError/.test(code))
    kind = 'access-denied';
  else if (code === 'ThrottlingException' || code === 'ServiceException' || code === 'ServiceUnavailable' || (status ?? 0) >= 500)
    kind = 'service';
  else if (status === undefined && NOT_CONNECTED.has(code)) {
    // Refused, or a name that does not resolve: a wrong endpoint does not mend within the
    // component's retries, so this fails now.
    return apiErrorOf('not-sent', 'ConnectionFailed', `${endpoint} could not be reached: ${message}`, false);
  }
  // No answer (a connection error or a timeout): the request may or may not have been applied.
  else if (status === undefined) kind = 'transport';
  else kind = 'other';
  return apiErrorOf(kind, code, message, kind === 'service' || kind === 'transport');
}

/** Runs an SDK call; a failure is thrown as the WIT `err` (jco takes `payload`). */
async function call(endpoint, send) {
  try {
    return await send();
  } catch (e) {
    throw { payload: apiError(e, endpoint) };
  }
}

const operations = (out) => (out.operations ?? []).map(operation);

/**
 * Each `lightsail` import as the Lightsail operation it is (the WIT's rule): its command, the
 * members its WIT parameters fill after the region, and its answer in the WIT's records. `once`:
 * the WIT's send-once rule; `omitEmpty`: an empty tag list is left out, as Lightsail's own
 * clients do.
 */
const OPERATIONS = {
  createBucketAccessKey: {
    command: CreateBucketAccessKeyCommand,
    members: ['bucketName'],
    once: true,
    answer: (out) => ({ accessKey: accessKey(required(out, 'accessKey', 'the answer')), operations: operations(out) }),
  },
  getBucketAccessKeys: {
    command: GetBucketAccessKeysCommand,
    members: ['bucketName'],
    answer: (out) => (out.accessKeys ?? []).map(accessKey),
  },
  deleteBucketAccessKey: { command: DeleteBucketAccessKeyCommand, members: ['bucketName', 'accessKeyId'], answer: operations },
  getOperation: {
    command: GetOperationCommand,
    members: ['operationId'],
    answer: (out) => operation(required(out, 'operation', 'the answer')),
  },
  createBucket: {
    command: CreateBucketCommand,
    members: ['bucketName', 'bundleId', 'tags'],
    omitEmpty: true,
    answer: (out) => ({ bucket: bucket(required(out, 'bucket', 'the answer')), operations: operations(out) }),
  },
  getBucket: {
    command: GetBucketsCommand,
    members: ['bucketName'],
    // The WIT: the bucket of exactly this name, or not-found.
    answer: (out, { bucketName }) => {
      const found = (out.buckets ?? []).find((b) => b.name === bucketName);
      if (!found) throw { payload: apiErrorOf('not-found', 'NotFoundException', `no bucket ${bucketName}`, false) };
      return bucket(found);
    },
  },
  getBuckets: {
    command: GetBucketsCommand,
    members: ['pageToken'],
    answer: (out) => ({ buckets: (out.buckets ?? []).map(bucket), nextPageToken: out.nextPageToken }),
  },
  updateBucketBundle: { command: UpdateBucketBundleCommand, members: ['bucketName', 'bundleId'], answer: operations },
  deleteBucket: { command: DeleteBucketCommand, members: ['bucketName', 'forceDelete'], answer: operations },
  tagResource: { command: TagResourceCommand, members: ['resourceName', 'tags'], answer: operations },
  untagResource: { command: UntagResourceCommand, members: ['resourceName', 'tagKeys'], answer: operations },
};

const keyError = (tag, val) => ({ payload: { tag, val } });

// OpenPGP.js takes about 45 ms to import: it is loaded when a key is first checked or encrypted
// to, not by every process (a read, an Ansible-like one-shot) that never uses it.
let openpgpImport;
const openpgpLibrary = () => (openpgpImport ??= import('openpgp'));

// The WIT's rules for a usable key are OpenPGP.js's own: getEncryptionKey() returns the newest
// subkey (or primary) bound by a valid self-signature, marked for encryption, neither revoked nor
// expired now. What stops a key is told apart for the error kinds.
async function usableKey(bytes) {
  const openpgp = await openpgpLibrary();
  const text = new TextDecoder().decode(bytes);
  let key;
  try {
    key = text.trimStart().startsWith('-----BEGIN PGP ')
      ? await openpgp.readKey({ armoredKey: text })
      : await openpgp.readKey({ binaryKey: bytes });
  } catch (e) {
    throw keyError('malformed', `no OpenPGP public key could be read: ${String(e.message).split('\n')[0]}`);
  }
  const fingerprint = key.getFingerprint().toUpperCase();
  if (key.isPrivate()) {
    throw keyError('malformed', 'it is a secret key: give the public key (gpg --export, not --export-secret-keys)');
  }
  if (await key.isRevoked()) throw keyError('revoked', `key ${fingerprint} is revoked`);
  const expires = await key.getExpirationTime().catch(() => null);
  if (expires instanceof Date && expires <= new Date()) {
    throw keyError('expired', `key ${fingerprint} expired on ${expires.toISOString().slice(0, 10)}`);
  }
  try {
    await key.getEncryptionKey();
  } catch (e) {
    const why = String(e.message).split('\n')[0];
    if (expires === null) throw keyError('malformed', `key ${fingerprint} has no self-signature that verifies`);
    throw keyError('no-encryption-key', `key ${fingerprint} has no usable key for encryption (${why})`);
  }
  return { key, recipient: { fingerprint } };
}

/**
 * The import object for `instantiate`, for this SDK configuration (region, credentials and endpoint
 * as the SDK reads them when not given), a log sink, and the lock settings (`locks()`'s options).
 */
export function imports({ sdk = {}, log = () => {}, defaultTags = {}, lock = {} } = {}) {
  const clients = new Map();
  // The WIT: a host sends create-bucket-access-key at most once per call, so its client never
  // retries (a retry after a lost answer would make a second key whose secret nobody saw).
  const client = (region, once = false) => {
    const key = `${region ?? ''}/${once}`;
    if (!clients.has(key)) {
      const config = { ...sdk, ...(region ? { region } : {}), ...(once ? { maxAttempts: 1 } : {}) };
      clients.set(key, new LightsailClient(config));
    }
    return clients.get(key);
  };
  let defaultRegion;
  // Where a region's calls go, to name it when it cannot be reached.
  const endpoint = (region) => {
    const set = typeof sdk.endpoint === 'string' ? sdk.endpoint : process.env.AWS_ENDPOINT_URL_LIGHTSAIL ?? process.env.AWS_ENDPOINT_URL;
    return set ?? `https://lightsail.${region ?? defaultRegion}.amazonaws.com`;
  };
  const lightsail = {};
  for (const [name, op] of Object.entries(OPERATIONS)) {
    // The WIT's parameters after the region are the operation's members, in order.
    lightsail[name] = async (region, ...args) => {
      const input = {};
      op.members.forEach((member, i) => {
        const value = member === 'tags' ? sdkTags(args[i]) : args[i];
        if (!(Array.isArray(value) && value.length === 0 && op.omitEmpty)) input[member] = value;
      });
      const out = await call(endpoint(region), () => client(region, op.once).send(new op.command(input)));
      return op.answer(out, input);
    };
  }
  return {
    'lightsail:provider/lightsail': {
      // Synchronous in the WIT: the region is resolved once, before the first call (see `load`).
      defaultRegion: () => defaultRegion ?? '',
      defaultTags: () => Object.entries(defaultTags),
      ...lightsail,
    },
    'lightsail:provider/openpgp': {
      checkPublicKey: async (bytes) => (await usableKey(bytes)).recipient,
      // The message is the secret: it goes to OpenPGP.js and nowhere else (never logged).
      encrypt: async (bytes, message) => {
        const { key, recipient } = await usableKey(bytes);
        const openpgp = await openpgpLibrary();
        const encrypted = await openpgp.encrypt({
          message: await openpgp.createMessage({ binary: message }),
          encryptionKeys: key,
          format: 'binary',
        });
        return { message: encrypted, recipient };
      },
    },
    'lightsail:provider/lock': locks(lock),
    'lightsail:provider/wait': { wait: (millis) => new Promise((resolve) => setTimeout(resolve, millis)) },
    'lightsail:provider/log': { log: (level, message) => log(level, message) },
    /** Resolves the SDK's default region once (it may read files), as `defaultRegion` must answer at once. */
    async resolveRegion() {
      const region = client(undefined).config.region;
      defaultRegion = typeof region === 'function' ? await region() : region;
    },
  };
}
