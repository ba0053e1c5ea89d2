import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { CreateBucketCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

// moto_server (Python moto) as the tests' S3, STS, IAM and EC2: one per test file, on loopback.

/**
 * Fixed fake credentials and region for the SDK and the aws CLI, and no shared config files,
 * so a developer's own AWS profile can neither leak into nor change a test.
 */
export const fakeAwsEnv = {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_PAGER: '',
} as const;

/** Puts fakeAwsEnv into this test process's environment (each test file has its own). */
export function useFakeAwsEnv(): void {
  Object.assign(process.env, fakeAwsEnv);
}

export interface Moto {
  endpoint: string;
  stop(): Promise<void>;
}

/** A free loopback TCP port (released just before use, so a race is possible but unlikely). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const BINARY = 'moto_server';

/** Starts moto_server on a free loopback port and resolves once it answers HTTP. */
export async function startMoto(timeoutMs = 30_000): Promise<Moto> {
  useFakeAwsEnv();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(BINARY, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  let ended = false;
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (e: NodeJS.ErrnoException) => {
      ended = true;
      reject(
        e.code === 'ENOENT'
          ? new Error(`${BINARY} is not installed (not on PATH): install Python moto with its server, e.g. pip install 'moto[server]'`)
          : e,
      );
    });
    child.once('exit', (code) => {
      ended = true;
      reject(new Error(`${BINARY} exited (code ${code}) before answering:\n${stderr}`));
    });
  });
  const stop = async (): Promise<void> => {
    if (ended) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(timer);
  };
  const answering = async (): Promise<void> => {
    // Stops polling once the process is gone: `exited` reports that.
    for (const deadline = Date.now() + timeoutMs; !ended; await sleep(100)) {
      if (Date.now() > deadline) throw new Error(`${BINARY} did not answer on ${endpoint} within ${timeoutMs} ms:\n${stderr}`);
      try {
        await fetch(`${endpoint}/moto-api/`);
        return;
      } catch {
        // not listening yet
      }
    }
  };
  try {
    await Promise.race([answering(), exited]);
  } catch (e) {
    await stop();
    throw e;
  }
  return { endpoint, stop };
}

/** An S3 client for moto (path-style: moto has no per-bucket host names on loopback). */
export const motoS3 = (endpoint: string): S3Client => new S3Client({ endpoint, region: fakeAwsEnv.AWS_REGION, forcePathStyle: true });

/** Creates a versioned bucket holding the files (key: text), in order; answers each key's latest VersionId. */
export async function seedBucket(endpoint: string, bucket: string, files: [key: string, text: string][]): Promise<Record<string, string>> {
  const s3 = motoS3(endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  const versions: Record<string, string> = {};
  for (const [key, text] of files) {
    versions[key] = (await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: text }))).VersionId!;
  }
  s3.destroy();
  return versions;
}

/** Every version and delete marker in the bucket, per key. */
export async function objectVersions(s3: S3Client, bucket: string): Promise<Map<string, { versions: string[]; deleted: number }>> {
  const all = new Map<string, { versions: string[]; deleted: number }>();
  const at = (k: string) => all.get(k) ?? all.set(k, { versions: [], deleted: 0 }).get(k)!;
  let page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
  for (;;) {
    for (const v of page.Versions ?? []) at(v.Key!).versions.push(v.VersionId!);
    for (const d of page.DeleteMarkers ?? []) at(d.Key!).deleted++;
    if (!page.IsTruncated) return all;
    page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker }));
  }
}

/** Each key is in the bucket exactly once, at one version, not deleted. */
export async function expectOnceEach(s3: S3Client, bucket: string, keys: string[]): Promise<void> {
  const held = await objectVersions(s3, bucket);
  for (const key of keys) expect([key, held.get(key)]).toEqual([key, { versions: [expect.any(String)], deleted: 0 }]);
}
