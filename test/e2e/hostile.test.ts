import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/home/inventory.js';
import { BIN, cliAsync, HOMES } from '../helpers.js';

// A home full of what old servers hold: every oddity is a problem of its own file or folder, the
// rest of the home is still scanned, and nothing blocks or crashes. The CLI runs as users run it.

const tmp = mkdtempSync(join(tmpdir(), 'mwaa-migrate-hostile-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const DAG = 'from airflow import DAG\nwith DAG("good") as dag:\n    pass\n';

function hostileHome(): string {
  const home = join(tmp, 'home');
  mkdirSync(join(home, 'dags'), { recursive: true });
  mkdirSync(join(home, 'plugins'));
  writeFileSync(join(home, 'dags', 'good.py'), DAG);
  // Reading a FIFO waits for a writer that never comes.
  execFileSync('mkfifo', [join(home, 'plugins', 'fifo.py'), join(home, 'requirements.txt'), join(home, 'dags', 'pipe.sql')]);
  symlinkSync('/', join(home, 'dags', 'root'));
  symlinkSync('/proc/self', join(home, 'dags', 'proc'));
  symlinkSync(tmp, join(home, 'dags', 'up'));
  // Deeper than any stack: the analysis gives up on this file alone.
  writeFileSync(join(home, 'dags', 'deep.py'), `from airflow import DAG\nx = ${'('.repeat(30000)}1${')'.repeat(30000)}\n`);
  // Escapes CPython rejects, and a Windows path.
  writeFileSync(join(home, 'dags', 'escapes.py'), 'from airflow import DAG\np = "C:\\users\\me"\nq = "\\U00110000"\nr = "\\xZZ"\nwith DAG("escapes") as dag:\n    pass\n');
  // A zip bomb: 64 MB of zeros per entry, declared honestly, about 60 KB packed each.
  const zeros = new Uint8Array(64 * 1024 * 1024);
  writeFileSync(join(home, 'dags', 'bomb.zip'), zipSync({ 'a.py': zeros, 'b.py': zeros, 'ok.py': new TextEncoder().encode(DAG) }, { level: 9 }));
  return home;
}

describe('a hostile home', () => {
  it('is scanned in full, each oddity a problem naming its file', async () => {
    const home = hostileHome();
    const r = await cliAsync(['scan', home, '--json', '--no-cache']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const inv = JSON.parse(r.stdout) as Inventory;
    const problems = inv.problems.map((p) => `${p.code} ${p.file}: ${p.message}`);
    const expectProblem = (re: RegExp) => expect(problems.some((p) => re.test(p)), `${re} in\n${problems.join('\n')}`).toBe(true);
    expectProblem(/^unreadable plugins\/fifo\.py: not a regular file/);
    expectProblem(/^unreadable dags\/pipe\.sql: not a regular file/);
    expectProblem(/^unreadable requirements\.txt: .*not a regular file/);
    expectProblem(/^not-followed dags\/root: .*system folder \/: not followed/);
    expectProblem(/^not-followed dags\/proc: .*system folder \/proc\//);
    expectProblem(/^not-followed dags\/up: .*a folder holding this one/);
    expectProblem(/^analysis-failed dags\/deep\.py: nested too deeply/);
    expectProblem(/^too-large dags\/bomb\.zip: 2 entries \(a\.py, b\.py\)/);
    expect(inv.dagFiles.map((f) => f.path).sort()).toEqual(['dags/bomb.zip/ok.py', 'dags/deep.py', 'dags/escapes.py', 'dags/good.py']);
    expect(inv.summary.dags).toBe(3);
    expect(inv.dagFiles.find((f) => f.path === 'dags/escapes.py')?.analysis?.dags.map((d) => d.dagId)).toEqual(['escapes']);
  }, 60_000);

  it('reads a 5 MB configuration value and a string literal as large as analysis allows (the redaction is linear)', async () => {
    const home = join(tmp, 'big-values');
    mkdirSync(join(home, 'dags'), { recursive: true });
    const big = 'a'.repeat(5 * 1024 * 1024);
    writeFileSync(join(home, 'airflow.cfg'), `[core]\nload_examples = False\n[custom]\nhuge = ${big}://x\n`);
    writeFileSync(join(home, 'dags', 'big.py'), `from airflow import DAG\nx = "${'a'.repeat(1_000_000)}://x"\nwith DAG("big") as dag:\n    pass\n`);
    const r = await cliAsync(['scan', home, '--json', '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as Inventory).summary.dags).toBe(1);
  }, 60_000);
});

describe('a partial report', () => {
  it('exits 4 when nothing reaches --fail-on but part of the home could not be read', async () => {
    const home = join(tmp, 'partial');
    mkdirSync(join(home, 'dags'), { recursive: true });
    writeFileSync(join(home, 'requirements.txt'), 'apache-airflow==2.10.3\n');
    writeFileSync(join(home, 'dags', 'good.py'), 'from airflow import DAG\nfrom airflow.operators.empty import EmptyOperator\nimport pendulum\nwith DAG("good", schedule=None, start_date=pendulum.datetime(2024, 1, 1), catchup=False) as dag:\n    EmptyOperator(task_id="t")\n');
    const report = () => cliAsync(['report', home, '--no-cache', '--target-version', '2.10.3']);
    expect((await report()).code).toBe(0);
    execFileSync('mkfifo', [join(home, 'dags', 'pipe.py')]);
    const partial = await report();
    expect(partial.code).toBe(4);
    expect(partial.stdout).toMatch(/dags\/pipe\.py: not a regular file/);
    expect((await cliAsync(['report', home, '--no-cache', '--target-version', '2.10.3', '--fail-on', 'never'])).code).toBe(0);
  }, 60_000);
});

describe('credentials in every shape, through every output', () => {
  it('no canary in scan or report, in any format', async () => {
    const home = join(tmp, 'canaries');
    mkdirSync(join(home, 'dags'), { recursive: true });
    writeFileSync(join(home, 'airflow.cfg'), '[core]\nload_examples = False\n[custom]\nwarehouse_dsn = host=db user=etl password=PWCANARY1 dbname=dw\nauth_header = Basic dXNlcjpQV0NBTkFSWTI=\n');
    writeFileSync(join(home, 'requirements.txt'), 'https://TOKENCANARY3@pypi.example.com/simple\napache-airflow==2.9.3\n--index-url https://TOKENCANARY4:@host/simple\nbad line ((( https://u:PWCANARY6@host\n');
    writeFileSync(join(home, 'dags', 'd.py'), 'from airflow import DAG\nx = "git+https://ghp_TOKENCANARY5@github.com/o/r.git"\nwith DAG("d") as dag:\n    pass\n');
    const runs = [['scan'], ['scan', '--json'], ...['text', 'json', 'sarif', 'html', 'markdown'].map((f) => ['report', '--format', f, '--fail-on', 'never'])];
    for (const [command, ...rest] of runs) {
      const r = await cliAsync([command!, home, '--no-cache', ...rest]);
      expect(r.code, `${command} ${rest.join(' ')}: ${r.stderr}`).toBe(0);
      expect(`${r.stdout}${r.stderr}`.match(/\w*CANARY\w*/g), `${command} ${rest.join(' ')}`).toBeNull();
    }
  }, 60_000);
});

/** 200 generated DAG files with findings: more output than a pipe holds, so the writes meet the closed pipe. */
let pipeHome: string | null = null;
function manyFindings(): string {
  if (pipeHome) return pipeHome;
  pipeHome = join(tmp, 'many-for-pipe');
  mkdirSync(join(pipeHome, 'dags'), { recursive: true });
  for (let i = 0; i < 200; i++) {
    writeFileSync(join(pipeHome, 'dags', `d${i}.py`), `from airflow import DAG\nfrom airflow.contrib.operators.bash_operator import BashOperator\nwith DAG("d${i}", schedule_interval="@daily") as dag:\n    BashOperator(task_id="t", bash_command="echo {{ execution_date }}", provide_context=True)\n`);
  }
  return pipeHome;
}

describe('a reader that stops early', () => {
  it.each(['text', 'json', 'sarif', 'html', 'markdown'])('report --format %s | head: no trace, the exit code kept', (format) => {
    const r = spawnSync('bash', ['-c', 'set -o pipefail; "$0" -- "$1" report "$2" --no-cache --format "$3" | head -c 10 > /dev/null; echo "${PIPESTATUS[0]}"', process.execPath, BIN, manyFindings(), format], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('1');
  }, 60_000);
});


// Node's recursive mkdir never returns inside /proc: a cache, config or output folder named there
// must cost the cache (or be refused), never hang the command.
describe('folders named inside /proc', () => {
  it.skipIf(process.platform !== 'linux')('a cache and config folder there: the report is made without them', () => {
    const env = { PATH: process.env['PATH'], XDG_CACHE_HOME: '/proc/self/no-such-cache', XDG_CONFIG_HOME: '/proc/self/no-such-config' };
    const r = spawnSync(process.execPath, ['--', BIN, 'report', join(HOMES, 'airflow2'), '--fail-on', 'never'], { encoding: 'utf8', env, timeout: 60_000 });
    expect(r.signal, 'timed out').toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('mwaa-migrate');
  }, 90_000);

  it.skipIf(process.platform !== 'linux')('fix --out there: one line, exit 2', () => {
    const r = spawnSync(process.execPath, ['--', BIN, 'fix', join(HOMES, 'airflow1'), '--no-cache', '--out', '/proc/self/fixed'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.signal, 'timed out').toBeNull();
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n').at(-1)).toBe('mwaa-migrate: --out /proc/self/fixed: no folder can be made under /proc');
  }, 90_000);
});
