import { setTimeout as sleep } from 'node:timers/promises';
import { render } from 'ink-testing-library';
import { useSyncExternalStore } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GuideController } from '../../src/guide/controller.js';
import { App } from '../../src/ui/App.js';
import { DISCOVERY, failing, freshHome, make, toAws, until } from './harness.js';

// The real controller behind the real screens (ink-testing-library): keys faster than the screen
// redraws, and screens taller than the terminal.

let unmount: (() => void) | undefined;
afterEach(() => unmount?.());

function Live({ c }: { c: GuideController }) {
  const view = useSyncExternalStore(c.subscribe, c.getView);
  return <App view={view} actions={c.actions} />;
}

function show(c: GuideController) {
  const r = render(<Live c={c} />);
  unmount = r.unmount;
  return r;
}

describe('keys and screens', () => {
  it('text typed in one burst with a Down in it lands in the field focused when each key arrives', async () => {
    const t = await toAws(freshHome(), { discover: vi.fn(async () => ({ ...DISCOVERY, vpcs: failing, subnets: failing, securityGroups: failing })) });
    const r = show(t.c);
    t.a.focusField(t.v().aws.fields.findIndex((f) => f.key === 'subnets') - t.v().aws.focus);
    await sleep(50);
    r.stdin.write('subnet-aaa,subnet-bbb');
    await sleep(100);
    // One write: what tmux send-keys or a fast typist delivers before Ink draws again.
    r.stdin.write('\x1b[Bsg-123');
    await sleep(100);
    const value = (key: string) => t.v().aws.fields.find((f) => f.key === key)!.value;
    expect([value('subnets'), value('securityGroups')]).toEqual(['subnet-aaa,subnet-bbb', 'sg-123']);
    r.stdin.write('\x15sg-9\tx');
    await sleep(100);
    expect([value('securityGroups'), t.v().aws.fields[t.v().aws.focus]!.key]).toEqual(['sg-9', 'name']);
    expect(value('name')).toMatch(/x$/);
  });

  it('keeps the title, the step bar and the key hints on a terminal shorter than the step', async () => {
    const t = make(freshHome(), {}, true, { height: 16 });
    t.c.start();
    await until(() => t.v().scan.status === 'done');
    t.a.next();
    const r = show(t.c);
    const lines = (r.lastFrame() ?? '').split('\n');
    expect(lines.length).toBeLessThanOrEqual(16);
    expect(lines[0]).toMatch(/^mwaa-migrate guide · step 3 of 10: Findings/);
    expect(lines[1]).toMatch(/\[Findings\]/);
    expect(lines.at(-1)).toMatch(/Esc back/);
    expect(lines.join('\n')).toMatch(/Finding 1 of \d+/);
  });

  it('findings: s, u, f, g, c filter and n jumps to the next file, said in the hints', async () => {
    const t = make(freshHome());
    t.c.start();
    await until(() => t.v().scan.status === 'done');
    t.a.next();
    const r = show(t.c);
    expect(r.lastFrame()).toMatch(/s severity[\s\S]*u f g only this rule\/file\/family[\s\S]*c clear the filter/);
    r.stdin.write('s');
    await sleep(50);
    expect(r.lastFrame()).toMatch(/Finding 1 of \d+ \(errors; \d+ in all\)/);
    r.stdin.write('u');
    await sleep(50);
    expect(t.v().findings.filter).toMatchObject({ severity: 'error', rule: expect.any(String) });
    r.stdin.write('c');
    await sleep(50);
    r.stdin.write('n');
    await sleep(50);
    expect(t.v().findings.cursor).toBeGreaterThan(0);
    for (const k of ['f', 'g']) {
      r.stdin.write(k);
      await sleep(50);
    }
    expect(t.v().findings.filter).toMatchObject({ file: expect.any(String), family: expect.any(String) });
  });
});
