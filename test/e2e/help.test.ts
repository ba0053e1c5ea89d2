import { describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';

// Each command's --help shows its own usage and options; typos and missing flags are answered as
// other command-line tools answer them.

describe('help and flag errors', () => {
  it.each([
    ['scan', /Scan options:/, /Apply options/],
    ['report', /Report options:/, /Secrets options/],
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

  it("names all of plan's missing flags at once, and a bad subnet id as such", () => {
    expect(cli(['plan', 'x', '--region', 'us-east-1']).stderr).toBe('mwaa-migrate: plan needs --name, --bucket, --execution-role-arn, --subnet-ids, --security-group-ids (see mwaa-migrate plan --help)\n');
    const flags = ['--region', 'us-east-1', '--name', 'a', '--bucket', 'bucket-b', '--execution-role-arn', 'arn:aws:iam::123456789012:role/x', '--security-group-ids', 'sg-1'];
    expect(cli(['plan', 'x', ...flags, '--subnet-ids', 'a,b']).stderr).toMatch(/--subnet-ids: a, b: not a subnet id/);
    expect(cli(['plan', 'x', ...flags, '--subnet-ids', 'subnet-1']).stderr).toMatch(/exactly two private subnets, 1 given/);
  });
});
