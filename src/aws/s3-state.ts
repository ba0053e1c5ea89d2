import {
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { REQUEST_HANDLER } from './access.js';

// What plan needs to know about the source bucket, read with read-only calls. Nothing here writes.

export interface S3ClientOptions {
  region: string;
  /** A custom endpoint (a test server, an S3-compatible store); AWS's own when omitted. */
  endpoint?: string;
  /** The SDK's attempts per request (its standard retry). */
  maxAttempts?: number;
  /** The default chain's when omitted. */
  credentials?: S3ClientConfig['credentials'];
}

export function s3Client({ region, endpoint, maxAttempts, credentials }: S3ClientOptions): S3Client {
  return new S3Client({
    region,
    endpoint,
    maxAttempts,
    credentials,
    requestHandler: REQUEST_HANDLER,
    // Custom endpoints (loopback, IPs) have no per-bucket host names.
    forcePathStyle: endpoint !== undefined,
    // No CRC32 of every upload: apply sends the Content-MD5 it computes anyway, which S3 checks.
    // Operations that require a checksum (bucket settings) still get one.
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
}

export interface RemoteObject {
  key: string;
  /** Without the quotes S3 puts around it. */
  etag: string;
  size: number;
  /** The current version, for the owned keys that are not DAGs (listing gives none). */
  versionId?: string;
}

export interface BucketState {
  exists: boolean;
  versioning: boolean;
  /** All four public-access-block settings on. */
  publicAccessBlocked: boolean;
  /** Objects under the owned DAG prefix. */
  dagObjects: RemoteObject[];
  /** The other owned keys (plugins.zip, requirements.txt) that exist. */
  others: RemoteObject[];
}

const statusOf = (e: unknown) => (e instanceof S3ServiceException ? e.$metadata.httpStatusCode : undefined);
const unquote = (etag: string | undefined) => (etag ?? '').replace(/^"|"$/g, '');

/** The bucket's settings and the objects plan owns: the DAG prefix and the named keys. */
export async function readBucketState(s3: S3Client, bucket: string, dagPrefix: string, keys: string[]): Promise<BucketState> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (e) {
    if (statusOf(e) === 404) return { exists: false, versioning: false, publicAccessBlocked: false, dagObjects: [], others: [] };
    throw e;
  }
  const versioning = (await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status === 'Enabled';
  let publicAccessBlocked = false;
  try {
    const c = (await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }))).PublicAccessBlockConfiguration;
    publicAccessBlocked = Boolean(c?.BlockPublicAcls && c.IgnorePublicAcls && c.BlockPublicPolicy && c.RestrictPublicBuckets);
  } catch (e) {
    // No configuration at all is a 404 (NoSuchPublicAccessBlockConfiguration): not blocked.
    if (statusOf(e) !== 404) throw e;
  }
  const dagObjects = await listObjects(s3, bucket, `${dagPrefix}/`);
  const others: RemoteObject[] = [];
  for (const key of keys) {
    const held = await headObject(s3, bucket, key);
    if (held) others.push(held);
  }
  return { exists: true, versioning, publicAccessBlocked, dagObjects, others };
}

/** The current objects under a prefix, every page of the listing (no version ids). */
export async function listObjects(s3: S3Client, bucket: string, prefix: string): Promise<RemoteObject[]> {
  const objects: RemoteObject[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) objects.push({ key: o.Key!, etag: unquote(o.ETag), size: o.Size ?? 0 });
    token = page.NextContinuationToken;
  } while (token);
  return objects;
}

/** One object's current version, or undefined when the key holds none. */
export async function headObject(s3: S3Client, bucket: string, key: string): Promise<RemoteObject | undefined> {
  try {
    const h = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { key, etag: unquote(h.ETag), size: h.ContentLength ?? 0, ...(h.VersionId ? { versionId: h.VersionId } : {}) };
  } catch (e) {
    if (statusOf(e) === 404) return undefined;
    throw e;
  }
}
