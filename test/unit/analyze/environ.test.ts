import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanHome } from '../../../src/home/scan.js';
import { analyzePython } from '../../../src/python/analyze.js';
import { startupPlan } from '../../../src/plan/startup.js';

const py = (lines: string[]) => lines.join('\n') + '\n';

describe('environment variables read by name', () => {
  const a = analyzePython(
    py([
      'import os',
      'from os import environ, getenv',
      'BUCKET = os.environ["DATA_BUCKET"]',
      'REGION = os.getenv("DATA_REGION", "us-east-1")',
      'os.environ["SET_HERE"] = "x"',
      'del os.environ["GONE"]',
      'def run(**ctx):',
      '    token = environ.get("API_TOKEN")',
      '    return getenv(key="OTHER"), os.environ.get(ctx["k"])',
      'NAME = "FROM_CONSTANT"',
      'x = os.environ.setdefault(NAME, "1")',
      'y = other.environ["NOT_OS"]',
    ]),
  );

  it('records subscript, get, getenv and setdefault reads with a literal name, not writes or deletes', () => {
    expect(a.envReads.map((r) => [r.line, r.name, r.hasDefault, r.runtime])).toEqual([
      [3, 'DATA_BUCKET', false, false],
      [4, 'DATA_REGION', true, false],
      [8, 'API_TOKEN', false, true],
      [9, 'OTHER', false, true],
      [11, 'FROM_CONSTANT', true, false],
    ]);
  });
});

describe('startup.sh', () => {
  const home = mkdtempSync(join(tmpdir(), 'startup-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  mkdirSync(join(home, 'dags'));
  const names = ['QUOTED', 'MULTILINE', 'DB_URL', 'SERVICE_PASSWORD', 'PYTHONPATH', 'PLAIN', 'UNREAD'];
  writeFileSync(join(home, 'dags', 'helpers.py'), py(['import os', ...names.slice(0, -1).map((n) => `${n.toLowerCase()} = os.environ["${n}"]`)]));
  writeFileSync(
    join(home, '.env'),
    [
      `QUOTED="it's \\"odd\\" $HOME \`id\`"`,
      'MULTILINE="one\\ntwo"',
      'DB_URL=postgresql://app:CANARY_ENV_DSN_0b7e@db:5432/app',
      'SERVICE_PASSWORD=CANARY_ENV_PASS_51aa',
      'PYTHONPATH=/opt/lib',
      'PLAIN=value',
      'UNREAD=1',
    ].join('\n'),
  );

  it('exports the plain ones exactly as the old host had them, and nothing secret or protected', async () => {
    const inv = await scanHome(home, { cache: false, workers: 0, envFile: join(home, '.env') });
    const plan = startupPlan(inv, '2.10.3')!;
    expect(plan.exports).toEqual(['MULTILINE', 'PLAIN', 'QUOTED']);
    expect(plan.left.map((l) => l.name)).toEqual(['DB_URL', 'PYTHONPATH', 'SERVICE_PASSWORD']);
    expect(plan.text).not.toMatch(/CANARY/);
    expect(JSON.stringify(inv)).not.toMatch(/CANARY/);
    // The oracle: a POSIX shell sourcing the script gets the same values back.
    writeFileSync(join(home, 'startup.sh'), plan.text);
    const sh = spawnSync('sh', ['-c', `. "$0" && printf '%s\\0' "$QUOTED" "$MULTILINE" "$PLAIN"`, join(home, 'startup.sh')], { env: {} });
    expect(sh.status, sh.stderr.toString()).toBe(0);
    expect(sh.stdout.toString().split('\0').slice(0, 3)).toEqual([`it's "odd" $HOME \`id\``, 'one\ntwo', 'value']);
  });
});
