import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fakeAwsEnv } from './moto.js';

// The aws CLI (botocore, with its own copy of the API models) as an independent client of the
// test servers and of what the tool left in them.

const run = promisify(execFile);

/** Runs `aws ARGS` async (the servers answer from this process) and answers the exit code and output. */
export async function aws(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  // botocore puts the model's `api.` host prefix even before an IP endpoint unless told not to.
  const env = { ...process.env, ...fakeAwsEnv, AWS_DISABLE_HOST_PREFIX_INJECTION: 'true' };
  return run('aws', [...args, '--region', 'us-east-1', '--output', 'json'], { env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}
