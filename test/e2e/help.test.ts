import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliAsync, HOMES, ROOT } from '../helpers.js';

// Each command's --help shows its own usage and options; typos and missing flags are answered as
// other command-line tools answer them.

describe('help and flag errors', () => {
  it.each([
    ['scan', /Scan options:/, /Apply options/],
    ['report', /Report options:/, /Secrets options/],
    ['fix', /Fix options/, /Report options:/],
    ['plan', /Plan options/, /Scan options:/],
    ['apply', /Apply options/, /Report options:/],
    ['migrate', /Migrate options[\s\S]*Plan options|Plan options[\s\S]*Migrate options/, /Scan options:/],
    ['secrets', /Secrets options/, /Apply options/],
  ])('%s --help shows that command alone', (command, has, hasNot) => {
    const r = cli([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Usage:\\n  mwaa-migrate ${command} `));
    expect(r.stdout).toMatch(has);
    expect(r.stdout).not.toMatch(hasNot);
    expect(r.stdout.split('\n').length).toBeLessThan(cli(['--help']).stdout.split('\n').length);
  });

  it('suggests the flag a typo is closest to, and points to the command help', () => {
    const r = cli(['scan', 'x', '--jsn']);
    expect([r.code, r.stderr]).toEqual([2, 'mwaa-migrate: unknown option --jsn; did you mean --json? (see mwaa-migrate scan --help)\n']);
    expect(cli(['report', '--frobnicate']).stderr).not.toMatch(/did you mean/);
  });

  it('takes --dotenv for --env-file, and through npx, where Node claims --env-file for itself', () => {
    const home = join(HOMES, 'airflow2');
    const envFile = join(home, '.env');
    const direct = cli(['scan', home, '--json', '--no-cache', '--env-file', envFile]);
    expect(direct.code).toBe(0);
    for (const flags of [['--dotenv', envFile], [`--dotenv=${envFile}`]]) expect(cli(['scan', home, '--json', '--no-cache', ...flags]).stdout).toBe(direct.stdout);
    const npx = spawnSync('npm', ['exec', '--no', '--', 'mwaa-migrate', 'scan', home, '--json', '--no-cache', '--dotenv', envFile], { cwd: ROOT, encoding: 'utf8' });
    expect(npx.status, npx.stderr).toBe(0);
    expect(npx.stdout).toBe(direct.stdout);
  });

  it("names all of plan's missing flags at once, and a bad subnet id as such", () => {
    expect(cli(['plan', 'x', '--region', 'us-east-1']).stderr).toBe('mwaa-migrate: plan needs --name, --bucket, --execution-role-arn, --subnet-ids, --security-group-ids (see mwaa-migrate plan --help)\n');
    const flags = ['--region', 'us-east-1', '--name', 'a', '--bucket', 'bucket-b', '--execution-role-arn', 'arn:aws:iam::123456789012:role/x', '--security-group-ids', 'sg-1'];
    expect(cli(['plan', 'x', ...flags, '--subnet-ids', 'a,b']).stderr).toMatch(/--subnet-ids: a, b: not a subnet id/);
    expect(cli(['plan', 'x', ...flags, '--subnet-ids', 'subnet-1']).stderr).toMatch(/exactly two private subnets, 1 given/);
  });
});

describe('an endpoint that is not the AWS service', () => {
  it('is named in one line, not as the SDK\'s deserialization error', async () => {
    const server = createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<!DOCTYPE html><html>not here</html>'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const flags = ['--region', 'us-east-1', '--name', 'a', '--bucket', 'bucket-b', '--execution-role-arn', 'arn:aws:iam::123456789012:role/x', '--subnet-ids', 'subnet-1,subnet-2', '--security-group-ids', 'sg-1'];
      const r = await cliAsync(['plan', 'fixtures/homes/airflow2', ...flags, '--endpoint-url', url, '--no-preflight', '--no-cache'], { env: { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' } });
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`${url.replace(/[.:/]/g, '\\$&')} answered with something that is not (MWAA|S3)'s API \\(HTTP 404\\); check the endpoint URL`));
    } finally {
      server.close();
    }
  }, 60_000);
});

