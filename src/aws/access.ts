import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'ini';
import { UsageError } from '../exit.js';

// Where AWS calls go and with whose credentials, resolved the way the AWS CLI and SDKs do:
// --endpoint-url for every service, else AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL;
// --profile, else AWS_PROFILE, else the default chain.

export type AwsService = 'S3' | 'MWAA' | 'STS' | 'IAM' | 'EC2' | 'SECRETS_MANAGER';

export interface AwsAccess {
  /** --endpoint-url: one endpoint for every service (LocalStack and other emulators serve them all). */
  endpointUrl?: string;
  /** --mwaa-endpoint-url: MWAA alone, for emulators that lack it. */
  mwaaEndpointUrl?: string;
  profile?: string;
  env: Record<string, string | undefined>;
}

/**
 * Every client's HTTP settings: an endpoint that stops answering fails the request (then the
 * SDK's retries) instead of hanging the command. requestTimeout is the socket's idle time, so a
 * long upload that keeps sending is never cut.
 */
export const REQUEST_HANDLER = { connectionTimeout: 5_000, requestTimeout: 15_000, throwOnRequestTimeout: true };

const UNREACHABLE = /^(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|ETIMEDOUT|EPIPE)$/;

/**
 * An AWS call's failure in one line. An endpoint that does not answer is named, since the SDK's
 * own message ("a request has exceeded the configured ... requestTimeout") does not say where.
 */
export function awsFailure(e: unknown, a: AwsAccess | undefined, services: AwsService[]): string {
  const err = e as Error & { code?: string; $response?: { statusCode?: number } };
  const where = [...new Set(services.map((s) => (a && endpointFor(a, s)) ?? `AWS's ${s.replace('_', ' ')} endpoint`))].join(' or ');
  if (err?.name === 'TimeoutError' || UNREACHABLE.test(err?.code ?? '')) return `no answer from ${where} (${err.code ?? 'timed out'}, after every retry)`;
  // The SDK could not read the answer (a web page, a proxy's error): not the service it expected.
  if (err && '$response' in err && /Deserialization error|not valid JSON|Unexpected token/.test(err.message)) {
    const status = err.$response?.statusCode ? ` (HTTP ${err.$response.statusCode})` : '';
    return `${where} answered with something that is not ${services.map((s) => s.replace('_', ' ')).join(' or ')}'s API${status}; check the endpoint URL`;
  }
  return `${err?.name}: ${String(err?.message).split('\n')[0]}`;
}

/** Where and as whom the given services are reached: part of a journal's identity. */
export function awsIdentity(a: AwsAccess, services: AwsService[]): { profile: string | null; endpoints: (string | null)[] } {
  return { profile: a.profile ?? a.env['AWS_PROFILE'] ?? null, endpoints: services.map((s) => endpointFor(a, s) ?? null) };
}

export function endpointFor(a: AwsAccess, service: AwsService): string | undefined {
  if (service === 'MWAA' && a.mwaaEndpointUrl) return a.mwaaEndpointUrl;
  return a.endpointUrl ?? a.env[`AWS_ENDPOINT_URL_${service}`] ?? a.env['AWS_ENDPOINT_URL'];
}

const file = (env: AwsAccess['env'], variable: string, name: string) => env[variable] ?? join(homedir(), '.aws', name);

function sections(path: string): string[] {
  try {
    return Object.keys(parse(readFileSync(path, 'utf8')));
  } catch {
    // No file, or one the SDK will complain about itself: it lists no profile here.
    return [];
  }
}

/** The profiles named in the shared config and credentials files. */
export function listProfiles(env: AwsAccess['env']): string[] {
  const config = sections(file(env, 'AWS_CONFIG_FILE', 'config')).flatMap((s) => (s === 'default' ? ['default'] : s.startsWith('profile ') ? [s.slice(8).trim()] : []));
  const credentials = sections(file(env, 'AWS_SHARED_CREDENTIALS_FILE', 'credentials'));
  return [...new Set([...config, ...credentials])].sort();
}

/** Refuses a --profile that no shared file defines, naming it and the files read (the SDK's own error names neither). */
export function checkProfile(a: AwsAccess): void {
  if (a.profile === undefined || listProfiles(a.env).includes(a.profile)) return;
  throw new UsageError(
    `--profile ${a.profile}: no such profile in ${file(a.env, 'AWS_CONFIG_FILE', 'config')} or ${file(a.env, 'AWS_SHARED_CREDENTIALS_FILE', 'credentials')}` +
      ` (known: ${listProfiles(a.env).join(', ') || 'none'})`,
  );
}
