import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { defaultCore } from '../../src/guide/core.js';
import { migrateCommandLine } from '../../src/guide/command.js';
import type { PlanRequest } from '../../src/migration/plan.js';
import type { Plan } from '../../src/plan/plan.js';
import { HOMES, inProcessCli, leakedCanaries } from '../helpers.js';
import { freshHome, make, planFor, retype, root, until } from './harness.js';

// The findings step's "apply the safe fixes": the diff shown (the fix command's own), Esc leaving
// everything as it was, Enter going on with the fixed copy up to Done's command; the real
// scanner and rules on copies of the fixtures, fakes for AWS (./harness.ts).

/** A plan that records the fix settings it was made with, as the real one does. */
const planWithFix = vi.fn(async (r: PlanRequest): Promise<Plan> => {
  const plan = planFor(r.homePath, r.settings.name);
  return { ...plan, inputs: { ...plan.inputs, ...(r.settings.fix ? { fix: r.settings.fix } : {}) } };
});

/** sha256 of every file under a folder: the home must come out of the walkthrough as it went in. */
function digest(dir: string): string {
  const hash = createHash('sha256');
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort()) {
    if (!e.includes('.mwaa-migrate')) hash.update(e).update(readFileSync(e));
  }
  return hash.digest('hex');
}

async function atFindings(home: string, over = {}) {
  const t = make(home, { makePlan: planWithFix, ...over });
  t.c.start();
  await until(() => t.v().scan.status === 'done');
  t.a.next();
  return t;
}

/** From the findings step through the plan to Done, as a person would. */
async function toDone(t: Awaited<ReturnType<typeof atFindings>>): Promise<string> {
  t.a.next(); // target
  t.a.next(); // sizing
  t.a.next(); // aws
  await until(() => !t.v().aws.loading && !t.v().aws.fields.some((f) => f.hint === 'checking...'));
  await sleep(300);
  t.a.next(); // connections
  t.a.next(); // plan
  await until(() => t.v().plan.status === 'ready');
  retype(t.a.editConfirm, t.v().plan.name);
  t.a.next();
  await until(() => t.v().step === 'done');
  return t.v().done.command;
}

describe('apply the safe fixes, in the findings step', () => {
  it('shows the diff; Esc leaves everything as it was', async () => {
    const home = freshHome();
    const before = digest(home);
    const t = await atFindings(home);
    const list = t.v().findings;
    t.a.fixes();
    const pane = t.v().findings.fixPane!;
    expect(pane.kind).toBe('take');
    expect(pane.lines.slice(0, 2)).toEqual([expect.stringMatching(/^--- a\/dags\//), expect.stringMatching(/^\+\+\+ b\/dags\//)]);
    expect(pane.summary).toMatch(/^\d+ fixes in \d+ files; .*the home is not changed: the fixed copies are what gets uploaded\.$/);
    // The home's .env and code hold canaries: the diff shows none.
    expect(leakedCanaries(JSON.stringify(t.v()))).toEqual([]);
    t.a.scroll(10);
    t.a.scroll(-3);
    expect(t.v().findings.fixPane!.scroll).toBe(7);
    t.a.scroll(-100);
    expect(t.v().findings.fixPane!.scroll).toBe(0);
    t.a.back();
    expect(t.v().step).toBe('findings');
    expect(t.v().findings).toEqual(list);
    expect(digest(home)).toBe(before);
    await toDone(t);
    expect(planWithFix.mock.calls.at(-1)![0].settings.fix).toBeUndefined();
    expect(t.v().done.command).not.toMatch(/--fix/);
    expect(t.v().done.nextSteps.join('\n')).not.toMatch(/mwaa-migrate fix/);
  });

  it('Enter goes on with the fixed copy: fewer findings, sized and planned from it, --fix in the command; x again offers the way back, Esc keeps the copy', async () => {
    const home = freshHome();
    const before = digest(home);
    const t = await atFindings(home);
    const original = t.v().findings.total;
    t.a.fixes();
    const [, fixes, files] = /^(\d+) fixes in (\d+) files/.exec(t.v().findings.fixPane!.summary)!;
    t.a.next();
    const f = t.v().findings;
    expect([t.v().step, f.fixPane, f.fixed]).toEqual(['findings', undefined, { fixes: Number(fixes), files: Number(files) }]);
    expect(f.total).toBeLessThan(original);
    expect(f.notice).toBe(`going on with the fixed copy: ${fixes} fixes in ${files} files will be uploaded (the home is not changed); ${f.total} findings left`);
    expect(t.v().scan.summary!.findings.total).toBe(f.total);

    // x again offers the way back; Esc keeps the fixed copy.
    t.a.fixes();
    expect(t.v().findings.fixPane).toMatchObject({ kind: 'undo', summary: `The plan uploads the fixed copies: ${fixes} fixes in ${files} files; the home is not changed.` });
    t.a.back();
    expect(t.v().findings.fixed).toEqual({ fixes: Number(fixes), files: Number(files) });

    const size = vi.spyOn(t.core, 'size');
    const command = await toDone(t);
    const sized = size.mock.calls[0]![0];
    const fixedFile = sized.dagFiles.find((d) => d.md5 !== createHash('md5').update(readFileSync(join(home, d.path))).digest('hex'));
    expect(fixedFile).toBeDefined();
    expect(planWithFix.mock.calls.at(-1)![0].settings.fix).toEqual({ unsafe: false });
    expect(command).toMatch(/ --target-version \S+ --fix --env-file /);
    expect(t.v().done.nextSteps.at(-1)).toMatch(/^the home still has the original files: mwaa-migrate fix \S+ --write makes the same fixes there$/);
    expect(digest(home)).toBe(before);
  });

  it('goes back to the original files from the fixed copy', async () => {
    const t = await atFindings(freshHome());
    const original = t.v().findings.total;
    t.a.fixes();
    t.a.next();
    t.a.fixes();
    t.a.next();
    expect(t.v().findings).toMatchObject({ fixed: undefined, fixPane: undefined, total: original, notice: `back to the home's files as they are: no fixes will be uploaded; ${original} findings` });
  });

  it('says so when there is nothing to fix, instead of an empty diff', async () => {
    const home = join(root, 'clean', 'airflow');
    cpSync(join(HOMES, 'airflow3'), home, { recursive: true });
    const t = await atFindings(home);
    t.a.fixes();
    expect(t.v().findings.fixPane).toBeUndefined();
    expect(t.v().findings.notice).toMatch(/^nothing to fix safely here/);
  });

  it('a saved plan made with the fixes goes on with the fixed copy', async () => {
    const home = freshHome();
    const saved = planFor(home, 'etl');
    saved.inputs.fix = { unsafe: false };
    mkdirSync(join(home, '.mwaa-migrate'));
    writeFileSync(join(home, '.mwaa-migrate', 'plan.json'), JSON.stringify(saved));
    const t = await atFindings(home);
    expect(t.v().findings.fixed).toMatchObject({ fixes: expect.any(Number) });
    expect(await toDone(t)).toMatch(/ --fix /);
    expect(planWithFix.mock.calls.at(-1)![0].settings.fix).toEqual({ unsafe: false });
    // A run resumed from such a plan says --fix too.
    expect(migrateCommandLine(saved, { allowErrors: false })).toMatch(/ --target-version 3\.0\.6 --fix$/);
  });
});

describe("the real core's preview", () => {
  it('is the fix command\'s diff for the home, and writes nothing', async () => {
    const home = join(HOMES, 'airflow1');
    const before = digest(home);
    const core = defaultCore({ env: {}, cwd: root, cache: false });
    const inventory = await core.scan(home, undefined, () => {});
    const preview = core.previewFixes(inventory, core.defaultTarget());
    const fix = await inProcessCli(() => ({ env: {} }), { printed: '' })(['fix', home, '--no-cache']);
    expect(preview.diff.length).toBeGreaterThan(100);
    expect(preview.diff).toEqual(fix.stdout.replace(/\n$/, '').split('\n'));
    const [, fixes, files] = /^mwaa-migrate: (\d+) fixes in (\d+) files/.exec(fix.stderr)!;
    expect([preview.fixes, preview.files]).toEqual([Number(fixes), Number(files)]);
    expect(preview.notFixed.map((n) => `${n.file}:${n.line}:${n.col} ${n.ruleId}`)).toEqual([...fix.stderr.matchAll(/^ {2}(\S+ \S+) /gm)].map((m) => m[1]));
    expect(digest(home)).toBe(before);
  });
});
