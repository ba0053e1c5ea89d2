// The AWS side of the upload benchmark, all on loopback: moto_server behind a proxy that counts
// S3 requests, an in-process S3 sink (so the tool's own cost shows without moto's Python), and a
// stub of the MWAA calls plan and apply make. Nothing here talks to AWS.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateBucketCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';

/** Fixed fake credentials and no shared config files, as the tests use: no real profile can leak in. */
export const FAKE_AWS_ENV = {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_PAGER: '',
};

// Query parameters that name a bucket or object sub-resource (S3 REST API).
const SUBRESOURCES = ['list-type', 'versions', 'versioning', 'publicAccessBlock', 'uploads', 'uploadId', 'delete', 'tagging', 'acl'];
const NAMES = {
  'HEAD bucket': 'HeadBucket',
  'PUT bucket': 'CreateBucket',
  'GET bucket': 'ListObjects',
  'GET bucket?list-type': 'ListObjectsV2',
  'GET bucket?versions': 'ListObjectVersions',
  'GET bucket?versioning': 'GetBucketVersioning',
  'PUT bucket?versioning': 'PutBucketVersioning',
  'GET bucket?publicAccessBlock': 'GetPublicAccessBlock',
  'PUT bucket?publicAccessBlock': 'PutPublicAccessBlock',
  'HEAD object': 'HeadObject',
  'GET object': 'GetObject',
  'PUT object': 'PutObject',
  'DELETE object': 'DeleteObject',
};

/** The S3 operation a path-style request is, by method, path and sub-resource; `METHOD what?sub` when unknown. */
export function s3Operation(method, rawUrl) {
  const url = new URL(rawUrl, 'http://localhost');
  const [, bucket = '', ...rest] = url.pathname.split('/');
  const key = rest.join('/');
  const sub = SUBRESOURCES.find((s) => url.searchParams.has(s));
  const shape = `${method} ${key ? 'object' : 'bucket'}${sub ? `?${sub}` : ''}`;
  return { op: NAMES[shape] ?? shape, bucket: decodeURIComponent(bucket), key: decodeURIComponent(key), query: url.searchParams };
}

/** Requests per S3 operation since the last reset. */
export class RequestCounts {
  #counts = new Map();
  add(op) {
    this.#counts.set(op, (this.#counts.get(op) ?? 0) + 1);
  }
  reset() {
    this.#counts.clear();
  }
  snapshot() {
    return Object.fromEntries([...this.#counts].sort(([a], [b]) => (a < b ? -1 : 1)));
  }
}

async function listen(server) {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${server.address().port}`;
}

async function close(server) {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

/** A free loopback TCP port (released just before use, so a race is possible but unlikely). */
async function freePort() {
  const server = http.createServer();
  await listen(server);
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** moto_server on a free loopback port; resolves once it answers, or with null when it is not installed. */
export async function startMoto(timeoutMs = 30_000) {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  let exit = null;
  const exited = new Promise((resolve) => {
    child.once('error', (e) => resolve((exit = e.code === 'ENOENT' ? 'not installed' : String(e))));
    child.once('exit', (code) => resolve((exit = `exited with code ${code}: ${stderr}`)));
  });
  const stop = async () => {
    if (exit) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };
  for (const deadline = Date.now() + timeoutMs; !exit; await sleep(100)) {
    if (Date.now() > deadline) {
      await stop();
      return { error: `did not answer on ${endpoint} within ${timeoutMs} ms` };
    }
    try {
      await fetch(`${endpoint}/moto-api/`);
      const s3 = new S3Client({ endpoint, region: FAKE_AWS_ENV.AWS_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, forcePathStyle: true });
      return {
        endpoint,
        // Drops every bucket, so the runs do not pile up objects in moto's memory.
        reset: async () => void (await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' })),
        createBucket: async (bucket) => {
          await s3.send(new CreateBucketCommand({ Bucket: bucket }));
          await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
        },
        /** Every object version in the bucket: a PUT of any key adds one. */
        versionCount: async (bucket) => {
          let n = 0;
          let page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
          for (;;) {
            n += page.Versions?.length ?? 0;
            if (!page.IsTruncated) return n;
            page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker }));
          }
        },
        stop: async () => {
          s3.destroy();
          await stop();
        },
      };
    } catch {
      // not listening yet
    }
  }
  return { error: exit };
}

/** A pass-through proxy in front of an S3 endpoint that counts each request's operation. */
export async function startCountingProxy(upstream, counts) {
  const target = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const server = http.createServer((req, res) => {
    counts.add(s3Operation(req.method, req.url).op);
    // The Host header stays the proxy's: the request was signed for it and moto does not check.
    const { expect, ...headers } = req.headers;
    const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent }, (ur) => {
      res.writeHead(ur.statusCode, ur.headers);
      ur.pipe(res);
    });
    up.on('error', (e) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(String(e));
    });
    req.pipe(up);
  });
  const endpoint = await listen(server);
  return {
    endpoint,
    close: async () => {
      await close(server);
      agent.destroy();
    },
  };
}

const xmlEscape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const XMLNS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';
const PAGE = 1000;

/**
 * An S3 that keeps only each object's ETag (MD5 of the body), size and version: just what plan,
 * apply and `aws s3 sync` ask for, and no more (no GET of an object, no multipart upload).
 */
export async function startS3Sink(counts) {
  let buckets = new Map();
  let versions = 0;
  const newBucket = (name, versioning) => ({ name, objects: new Map(), puts: 0, versioning, publicAccessBlocked: false });

  const xml = (res, status, body) => {
    res.writeHead(status, { 'content-type': 'application/xml' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
  };
  const error = (res, status, code) => (res.req.method === 'HEAD' ? (res.writeHead(status), res.end()) : xml(res, status, `<Error><Code>${code}</Code><Message>${code}</Message></Error>`));

  const listV2 = (res, b, query) => {
    const prefix = query.get('prefix') ?? '';
    const max = Math.min(Number(query.get('max-keys') ?? PAGE), PAGE);
    const keys = [...b.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
    const after = query.get('continuation-token') ?? query.get('start-after') ?? '';
    const from = after ? keys.findIndex((k) => k > after) : 0;
    const page = from < 0 ? [] : keys.slice(from, from + max);
    const truncated = from >= 0 && from + max < keys.length;
    const contents = page.map((k) => {
      const o = b.objects.get(k);
      return `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${o.modified.toISOString()}</LastModified><ETag>"${o.etag}"</ETag><Size>${o.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
    });
    const next = truncated ? `<NextContinuationToken>${xmlEscape(page.at(-1))}</NextContinuationToken>` : '';
    xml(res, 200, `<ListBucketResult ${XMLNS}><Name>${b.name}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents.join('')}${next}</ListBucketResult>`);
  };

  const putObject = async (req, res, b, key) => {
    const md5 = createHash('md5');
    let size = 0;
    for await (const chunk of req) {
      md5.update(chunk);
      size += chunk.length;
    }
    const etag = md5.digest('hex');
    const versionId = `v${++versions}`;
    b.objects.set(key, { etag, size, versionId, modified: new Date() });
    b.puts++;
    res.writeHead(200, { etag: `"${etag}"`, 'x-amz-version-id': versionId });
    res.end();
  };

  const handle = async (req, res) => {
    const { op, bucket, key, query } = s3Operation(req.method, req.url);
    counts.add(op);
    if (op === 'PutObject') return buckets.has(bucket) ? putObject(req, res, buckets.get(bucket), key) : error(res, 404, 'NoSuchBucket');
    for await (const _ of req); // the other requests' bodies (settings XML) are not needed
    if (op === 'CreateBucket') {
      if (!buckets.has(bucket)) buckets.set(bucket, newBucket(bucket, false));
      res.writeHead(200, { location: `/${bucket}` });
      return res.end();
    }
    const b = buckets.get(bucket);
    if (!b) return error(res, 404, 'NoSuchBucket');
    switch (op) {
      case 'HeadBucket':
        res.writeHead(200, { 'x-amz-bucket-region': FAKE_AWS_ENV.AWS_REGION });
        return res.end();
      case 'PutBucketVersioning':
      case 'PutPublicAccessBlock':
        // Only "enable" and "block all" are ever sent here.
        b[op === 'PutBucketVersioning' ? 'versioning' : 'publicAccessBlocked'] = true;
        res.writeHead(200);
        return res.end();
      case 'GetBucketVersioning':
        return xml(res, 200, `<VersioningConfiguration ${XMLNS}>${b.versioning ? '<Status>Enabled</Status>' : ''}</VersioningConfiguration>`);
      case 'GetPublicAccessBlock': {
        if (!b.publicAccessBlocked) return error(res, 404, 'NoSuchPublicAccessBlockConfiguration');
        const on = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'].map((s) => `<${s}>true</${s}>`).join('');
        return xml(res, 200, `<PublicAccessBlockConfiguration ${XMLNS}>${on}</PublicAccessBlockConfiguration>`);
      }
      case 'ListObjectsV2':
        return listV2(res, b, query);
      case 'HeadObject': {
        const o = b.objects.get(key);
        if (!o) return error(res, 404, 'NoSuchKey');
        res.writeHead(200, { etag: `"${o.etag}"`, 'content-length': o.size, 'last-modified': o.modified.toUTCString(), 'x-amz-version-id': o.versionId });
        return res.end();
      }
      default:
        return error(res, 501, 'NotImplemented');
    }
  };

  const server = http.createServer((req, res) => handle(req, res).catch((e) => error(res, 500, `InternalError: ${e}`)));
  const endpoint = await listen(server);
  return {
    endpoint,
    reset: async () => {
      buckets = new Map();
    },
    createBucket: async (bucket) => {
      buckets.set(bucket, newBucket(bucket, true));
    },
    // The sink keeps only the latest version of a key but counts every PUT, as a versioned bucket would.
    versionCount: async (bucket) => buckets.get(bucket)?.puts ?? 0,
    stop: () => close(server),
  };
}

/**
 * CreateEnvironment, GetEnvironment and UpdateEnvironment (REST-JSON, /environments/NAME), no
 * more. An environment is AVAILABLE at once with the settings it was sent, so plan finds no drift
 * on a re-run and apply never waits. The requests are not checked here: the tests do that.
 */
export async function startMwaaStub() {
  const environments = new Map();
  const send = (res, status, body, errorType) => {
    // The SDK reads a rest-json error's code from x-amzn-errortype.
    res.writeHead(status, { 'content-type': 'application/json', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const match = /^\/environments\/([^/?]+)/.exec(req.url ?? '');
    if (!match) return send(res, 404, { message: `no operation for ${req.method} ${req.url}` }, 'UnknownOperationException');
    const name = decodeURIComponent(match[1]);
    const Arn = `arn:aws:airflow:${FAKE_AWS_ENV.AWS_REGION}:123456789012:environment/${name}`;
    const held = environments.get(name);
    if (req.method === 'PUT' && !held) {
      environments.set(name, { ...JSON.parse(body || '{}'), Name: name, Arn, Status: 'AVAILABLE' });
      return send(res, 200, { Arn });
    }
    if (req.method === 'PATCH' && held) {
      Object.assign(held, JSON.parse(body || '{}'));
      return send(res, 200, { Arn });
    }
    if (req.method === 'GET' && held) return send(res, 200, { Environment: held });
    if (held) return send(res, 409, { message: `Environment ${name} already exists` }, 'ConflictException');
    return send(res, 404, { message: `Environment ${name} not found` }, 'ResourceNotFoundException');
  });
  const endpoint = await listen(server);
  return { endpoint, reset: () => environments.clear(), stop: () => close(server) };
}
