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
import * as openpgp from 'openpgp';
import { locks } from './locks.js';

const seconds = (date) => (date instanceof Date ? date.getTime() / 1000 : undefined);

const STATUS = {
  NotStarted: 'not-started',
  Started: 'started',
  Failed: 'failed',
  Completed: 'completed',
  Succeeded: 'succeeded',
};

function operation(o) {
  return {
    id: o.id ?? '',
    resourceName: o.resourceName,
    operationType: o.operationType,
    status: STATUS[o.status] ?? 'failed',
    isTerminal: Boolean(o.isTerminal),
    createdAt: seconds(o.createdAt),
    errorCode: o.errorCode,
    errorDetails: o.errorDetails,
  };
}

function accessKey(k) {
  const used = k.lastUsed;
  return {
    accessKeyId: k.accessKeyId ?? '',
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
    name: b.name ?? '',
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

/** An SDK failure as the WIT's `api-error`, with the kind its logic relies on. */
export function apiError(e) {
  const status = e?.$metadata?.httpStatusCode;
  const code = e?.code ?? e?.name ?? 'Error';
  const message = String(e?.message ?? e);
  let kind;
  if (code === 'NotFoundException' || code === 'DoesNotExist' || message.includes('DoesNotExist')) kind = 'not-found';
  else if (code === 'InvalidInputException') kind = 'invalid-input';
  else if (/AccessDenied|Unauthenticated|UnrecognizedClient|Signature|ExpiredToken|CredentialsProviderError/.test(code))
    kind = 'access-denied';
  else if (code === 'ThrottlingException' || code === 'ServiceException' || (status ?? 0) >= 500) kind = 'service';
  // No answer (a connection error or a timeout): the request may or may not have been applied.
  else if (status === undefined) kind = 'transport';
  else kind = 'other';
  return { kind, code, message, retryable: kind === 'service' || kind === 'transport' };
}

/** Runs an SDK call; a failure is thrown as the WIT `err` (jco takes `payload`). */
async function call(send) {
  try {
    return await send();
  } catch (e) {
    throw { payload: apiError(e) };
  }
}

const keyError = (tag, val) => ({ payload: { tag, val } });

// The WIT's rules for a usable key are OpenPGP.js's own: getEncryptionKey() returns the newest
// subkey (or primary) bound by a valid self-signature, marked for encryption, neither revoked nor
// expired now. What stops a key is told apart for the error kinds.
async function usableKey(bytes) {
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
  return {
    'lightsail:provider/lightsail': {
      // Synchronous in the WIT: the region is resolved once, before the first call (see `load`).
      defaultRegion: () => defaultRegion ?? '',
      defaultTags: () => Object.entries(defaultTags),
      createBucketAccessKey: async (region, bucketName) => {
        const out = await call(() => client(region, true).send(new CreateBucketAccessKeyCommand({ bucketName })));
        return { accessKey: accessKey(out.accessKey ?? {}), operations: (out.operations ?? []).map(operation) };
      },
      getBucketAccessKeys: async (region, bucketName) => {
        const out = await call(() => client(region).send(new GetBucketAccessKeysCommand({ bucketName })));
        return (out.accessKeys ?? []).map(accessKey);
      },
      deleteBucketAccessKey: async (region, bucketName, accessKeyId) => {
        const out = await call(() => client(region).send(new DeleteBucketAccessKeyCommand({ bucketName, accessKeyId })));
        return (out.operations ?? []).map(operation);
      },
      getOperation: async (region, operationId) => {
        const out = await call(() => client(region).send(new GetOperationCommand({ operationId })));
        return operation(out.operation ?? {});
      },
      createBucket: async (region, bucketName, bundleId, tags) => {
        const input = { bucketName, bundleId, ...(tags.length ? { tags: sdkTags(tags) } : {}) };
        const out = await call(() => client(region).send(new CreateBucketCommand(input)));
        return { bucket: bucket(out.bucket ?? {}), operations: (out.operations ?? []).map(operation) };
      },
      getBucket: async (region, bucketName) => {
        const out = await call(() => client(region).send(new GetBucketsCommand({ bucketName })));
        const found = (out.buckets ?? [])[0];
        if (!found) throw { payload: { kind: 'not-found', code: 'NotFoundException', message: bucketName, retryable: false } };
        return bucket(found);
      },
      updateBucketBundle: async (region, bucketName, bundleId) => {
        const out = await call(() => client(region).send(new UpdateBucketBundleCommand({ bucketName, bundleId })));
        return (out.operations ?? []).map(operation);
      },
      deleteBucket: async (region, bucketName, forceDelete) => {
        const out = await call(() => client(region).send(new DeleteBucketCommand({ bucketName, forceDelete })));
        return (out.operations ?? []).map(operation);
      },
      tagResource: async (region, resourceName, tags) => {
        const out = await call(() => client(region).send(new TagResourceCommand({ resourceName, tags: sdkTags(tags) })));
        return (out.operations ?? []).map(operation);
      },
      untagResource: async (region, resourceName, tagKeys) => {
        const out = await call(() => client(region).send(new UntagResourceCommand({ resourceName, tagKeys })));
        return (out.operations ?? []).map(operation);
      },
    },
    'lightsail:provider/openpgp': {
      checkPublicKey: async (bytes) => (await usableKey(bytes)).recipient,
      // The message is the secret: it goes to OpenPGP.js and nowhere else (never logged).
      encrypt: async (bytes, message) => {
        const { key, recipient } = await usableKey(bytes);
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
