import { setTimeout as sleep } from 'node:timers/promises';
import { render } from 'ink-testing-library';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../src/ui/App.js';
import { diffStyle } from '../../src/ui/steps/FixPane.js';
import type { FixPaneView, GuideView } from '../../src/ui/types.js';
import { leakedCanaries, canaries } from '../helpers.js';
import { baseView, fakeActions } from './views.js';

// Every step's screen, rendered from a view with fake actions: a snapshot each (NO_COLOR), the
// empty, error and narrow states, and which keys call which actions.

const KEYS = { enter: '\r', escape: '\x1b', up: '\x1b[A', down: '\x1b[B', left: '\x1b[D', right: '\x1b[C', tab: '\t', backspace: '\x7f', ctrlC: '\x03', ctrlR: '\x12' };

beforeAll(() => {
  process.env['NO_COLOR'] = '1';
});

let unmount: (() => void) | undefined;
afterEach(() => unmount?.());

function show(view: GuideView) {
  const actions = fakeActions();
  const r = render(<App view={view} actions={actions} />);
  unmount = r.unmount;
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      r.stdin.write(k);
      // Ink reads input on the next turns of the event loop; a lone Escape waits for a following byte.
      await sleep(k === KEYS.escape ? 60 : 15);
    }
  };
  return { frame: () => r.lastFrame() ?? '', actions, press };
}

/** No line wider than the terminal. */
const fits = (frame: string, width: number) => expect(frame.split('\n').filter((l) => l.length > width)).toEqual([]);

const STATES: [string, Partial<GuideView>][] = [
  ['home', { step: 'home' }],
  ['home, nothing detected, nothing typed', { step: 'home', home: { input: '', candidates: [], probe: null, completions: [] } }],
  ['home, a path that does not exist', { step: 'home', home: { input: '/nope', candidates: [], probe: { status: 'missing', detail: 'no such folder' }, completions: [] } }],
  ['home, Tab with several completions', { step: 'home', home: { input: 'fixtures/homes/airflow', candidates: [], probe: { status: 'missing', detail: 'no such folder' }, completions: ['fixtures/homes/airflow1/', 'fixtures/homes/airflow2/', 'fixtures/homes/airflow3/'] } }],
  ['scan, running', { step: 'scan', scan: { status: 'running', phase: 'dags', filesFound: 40, filesRead: 12, dags: 5, elapsedMs: 2100 } }],
  ['scan, summary', { step: 'scan' }],
  ['scan, failed', { step: 'scan', scan: { status: 'error', phase: 'config', filesFound: 0, filesRead: 0, dags: 0, elapsedMs: 0, error: '/nope: no such folder' } }],
  ['findings', { step: 'findings' }],
  ['findings, none left', { step: 'findings', findings: { items: [], total: 0, filter: { severity: null, family: null, rule: null, file: null }, cursor: 0, suppressed: 3, projectFile: '.mwaa-migrate.yaml', rechecking: false } }],
  ['target', { step: 'target' }],
  ['sizing', { step: 'sizing' }],
  ['aws, lists from the account', { step: 'aws' }],
  ['resume', { step: 'resume', resume: { name: 'airflow-mwaa', bucket: 'airflow-mwaa-123456789012', region: 'us-east-1', planFile: '~/airflow/.mwaa-migrate/plan.json', stepsDone: 7, cursor: 0 } }],
  ['connections', { step: 'connections' }],
  ['connections, none', { step: 'connections', connections: { sources: [], connections: [], variables: [], conflicts: [], secrets: { status: 'absent', lines: [] } } }],
  ['plan', { step: 'plan' }],
  ['plan, being made', { step: 'plan', plan: { ...baseView().plan, status: 'making', lines: [] } }],
  ['plan, failed', { step: 'plan', plan: { ...baseView().plan, status: 'error', lines: [], error: 'reading s3://airflow-x: AccessDenied: Access Denied' } }],
  ['apply, uploading', { step: 'apply' }],
  ['apply, waiting', { step: 'apply', apply: { ...baseView().apply, status: 'waiting', objects: { done: 4, total: 4 }, envStatus: 'CREATING', elapsedMs: 95_000, resumeHint: 'Leaving is safe: creation goes on in AWS.' } }],
  ['apply, stopped by an error', { step: 'apply', apply: { ...baseView().apply, status: 'error', error: 'apply stopped: AccessDenied: no (fix the cause and run apply again to resume)' } }],
  ['done', { step: 'done' }],
  ['done, creation failed', { step: 'done', done: { ...baseView().done, status: 'CREATE_FAILED (created)', error: 'INCORRECT_CONFIGURATION: subnets have no NAT' } }],
];

describe('each step renders', () => {
  for (const [name, patch] of STATES) {
    it(name, () => {
      const { frame } = show(baseView(patch));
      expect(frame()).toMatchSnapshot();
      fits(frame(), 100);
    });
  }

  it('aws, credentials that do not work: the same fields, typed', () => {
    const view = baseView({ step: 'aws' });
    const typed = view.aws.fields.map((f) => (f.kind === 'text' || f.key === 'profile' || f.key === 'region' ? f : { ...f, kind: 'text' as const, value: '', options: [], error: 'type it' }));
    const { frame } = show({ ...view, aws: { ...view.aws, fields: typed.filter((f) => f.key !== 'vpc'), account: 'credentials do not work: CredentialsProviderError: Could not load credentials', preflight: { status: 'absent', checks: [] } } });
    expect(frame()).toMatchSnapshot();
    expect(frame()).toMatch(/✗ type it/);
    expect(frame()).toMatch(/Preflight\n {2}not checked/);
  });
});

describe('at 60 columns', () => {
  // The main state of each step: the first listed for it.
  for (const [name, patch] of STATES.filter(([, p], i) => STATES.findIndex(([, q]) => q.step === p.step) === i)) {
    it(name, () => {
      const { frame } = show(baseView({ ...patch, width: 60, height: 30 }));
      expect(frame()).toMatchSnapshot();
      fits(frame(), 60);
    });
  }
});

describe('at 80 columns', () => {
  it('the step indicator names every step', () => {
    const { frame } = show(baseView({ step: 'findings', width: 80 }));
    expect(frame().split('\n')[1]).toBe('Home › Scan › [Findings] › Version › Size › AWS › Secrets › Plan › Apply › Done');
    fits(frame(), 80);
  });
});

describe('keys', () => {
  it('Ctrl-C quits from any step', async () => {
    for (const step of ['home', 'findings', 'aws', 'plan', 'apply'] as const) {
      const { actions, press } = show(baseView({ step }));
      await press(KEYS.ctrlC);
      expect(actions.quit).toHaveBeenCalledTimes(1);
      unmount?.();
    }
  });

  it('home: typing, Backspace, Tab, ↑↓, Enter', async () => {
    const { actions, press } = show(baseView({ step: 'home' }));
    await press('x', KEYS.backspace, KEYS.tab, KEYS.down, KEYS.up, KEYS.enter);
    expect(actions.editHome.mock.calls).toEqual([[{ kind: 'type', text: 'x' }], [{ kind: 'backspace' }]]);
    expect(actions.completeHome).toHaveBeenCalledTimes(1);
    expect(actions.cycleHome.mock.calls).toEqual([[1], [-1]]);
    expect(actions.next).toHaveBeenCalledTimes(1);
  });

  it('scan: Enter goes on, Esc goes back, r retries', async () => {
    const { actions, press } = show(baseView({ step: 'scan' }));
    await press(KEYS.enter, 'r', KEYS.escape);
    expect([actions.next.mock.calls.length, actions.retry.mock.calls.length, actions.back.mock.calls.length]).toEqual([1, 1, 1]);
  });

  it('findings: move, accept, ignore, re-check', async () => {
    const { actions, press } = show(baseView({ step: 'findings' }));
    await press(KEYS.down, KEYS.up, 'a', 'i', 'r', KEYS.enter);
    expect(actions.move.mock.calls).toEqual([[1], [-1]]);
    expect([actions.acceptFinding, actions.ignoreRule, actions.recheck, actions.next].map((f) => f.mock.calls.length)).toEqual([1, 1, 1, 1]);
  });

  it('target and sizing: ↑↓ choose, Enter goes on, Esc back', async () => {
    for (const step of ['target', 'sizing'] as const) {
      const { actions, press } = show(baseView({ step }));
      await press(KEYS.down, KEYS.enter, KEYS.escape);
      expect([actions.move.mock.calls, actions.next.mock.calls.length, actions.back.mock.calls.length]).toEqual([[[1]], 1, 1]);
      unmount?.();
    }
  });

  it('aws: fields, typing, options, toggles', async () => {
    const view = baseView({ step: 'aws' });
    const text = show(view);
    await text.press(KEYS.tab, KEYS.up, 'x', KEYS.ctrlR);
    expect(text.actions.focusField.mock.calls).toEqual([[1], [-1]]);
    expect(text.actions.editField.mock.calls).toEqual([[{ kind: 'type', text: 'x' }]]);
    expect(text.actions.retry).toHaveBeenCalledTimes(1);
    unmount?.();
    const multi = show({ ...view, aws: { ...view.aws, focus: 6 } });
    expect(multi.frame()).toMatch(/› \[x\] subnet-a/);
    await multi.press(KEYS.right, ' ', KEYS.left, KEYS.enter);
    expect(multi.actions.cycleOption.mock.calls).toEqual([[1], [-1]]);
    expect(multi.actions.toggleOption).toHaveBeenCalledTimes(1);
    expect(multi.actions.next).toHaveBeenCalledTimes(1);
  });

  it('plan: typing the name, scrolling, Enter', async () => {
    const { actions, press } = show(baseView({ step: 'plan' }));
    await press('a', KEYS.down, KEYS.enter);
    expect(actions.editConfirm.mock.calls).toEqual([[{ kind: 'type', text: 'a' }]]);
    expect(actions.scroll.mock.calls).toEqual([[1]]);
    expect(actions.next).toHaveBeenCalledTimes(1);
  });

  it('apply: q leaves; done: Enter finishes', async () => {
    const apply = show(baseView({ step: 'apply' }));
    await apply.press('q');
    expect(apply.actions.quit).toHaveBeenCalledTimes(1);
    unmount?.();
    const done = show(baseView({ step: 'done' }));
    await done.press(KEYS.enter);
    expect(done.actions.next).toHaveBeenCalledTimes(1);
  });
});

describe("findings: the safe fixes' diff", () => {
  // Five files of eight lines: more than the pane shows at once.
  const diff = ['a', 'b', 'c', 'd', 'e'].flatMap((n) => [
    `--- a/dags/${n}.py`,
    `+++ b/dags/${n}.py`,
    '@@ -1,4 +1,4 @@',
    ' from datetime import datetime',
    '-from airflow.operators.bash_operator import BashOperator',
    '+from airflow.providers.standard.operators.bash import BashOperator',
    '--- a removed line that starts like a header',
    ' ',
  ]);
  const pane = (kind: FixPaneView['kind']): Partial<GuideView> => {
    const summary = kind === 'take' ? '5 fixes in 5 files; 1 more fix may shift the meaning and is left; the home is not changed: the fixed copies are what gets uploaded.' : 'The plan uploads the fixed copies: 5 fixes in 5 files; the home is not changed.';
    return { step: 'findings', findings: { ...baseView().findings, fixPane: { kind, lines: diff, scroll: 0, summary } } };
  };

  it('renders the summary, the diff scrolled in place and its keys', () => {
    const { frame } = show(baseView(pane('take')));
    expect(frame()).toMatchSnapshot();
    expect(frame().replace(/\s+/g, ' ')).toContain('Apply the safe fixes: 5 fixes in 5 files; 1 more fix may shift the meaning and is left; the home is not changed: the fixed copies are what gets uploaded.');
    expect(frame()).toMatch(/│ --- a\/dags\/a\.py\s+│\n│ \+\+\+ b\/dags\/a\.py/);
    expect(frame()).toMatch(/lines 1-\d+ of 40 \(↓ for more\)/);
    expect(frame()).toMatch(/↑↓ PgUp PgDn scroll {2}Enter go on with the fixed copy {2}Esc back to the list, nothing changed$/);
    expect(frame()).not.toMatch(/Finding 1 of/);
    fits(frame(), 100);
  });

  it('on the fixed copy: offers the original files back', () => {
    const { frame } = show(baseView(pane('undo')));
    expect(frame()).toMatch(/^On the fixed copy\. The plan uploads the fixed copies: 5 fixes in 5 files; the home is not changed\.$/m);
    expect(frame()).toMatch(/Enter go back to the original files {2}Esc keep the fixed copy$/);
  });

  it('headers bold, added lines green, removed red', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((i) => diffStyle(diff, i))).toEqual([{ bold: true }, { bold: true }, { color: 'cyan' }, {}, { color: 'red' }, { color: 'green' }, { color: 'red' }]);
  });

  it('keys: ↑↓ PgUp PgDn scroll, Enter takes, Esc closes, the list keys do nothing', async () => {
    const { actions, press } = show(baseView(pane('take')));
    await press(KEYS.down, '\x1b[6~', KEYS.up, 'a', 'x', KEYS.enter, KEYS.escape);
    expect(actions.scroll.mock.calls).toEqual([[1], [10], [-1]]);
    expect([actions.next, actions.back, actions.acceptFinding, actions.fixes, actions.move].map((f) => f.mock.calls.length)).toEqual([1, 1, 0, 0, 0]);
  });

  it('the list: x asks for the fixes, and says when the findings are of the fixed copy', async () => {
    const view = baseView({ step: 'findings' });
    const { frame, actions, press } = show({ ...view, findings: { ...view.findings, fixed: { fixes: 92, files: 9 } } });
    expect(frame()).toMatch(/^Finding 1 of 3 · on the fixed copy \(92 safe fixes; places are in the fixed files\)/m);
    expect(frame()).toMatch(/x the fixes, or back to the original files/);
    await press('x');
    expect(actions.fixes).toHaveBeenCalledTimes(1);
  });
});

it('the views hold no canary, so the screens show none', () => {
  expect(canaries.length).toBeGreaterThan(0);
  const all = STATES.map(([, patch]) => show(baseView(patch)).frame()).join('\n');
  expect(leakedCanaries(all)).toEqual([]);
});
