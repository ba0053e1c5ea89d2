import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { collectGarbage } from '../../src/commands/heap.js';

describe('collectGarbage', () => {
  it('collects a large heap at once, and leaves no gc function behind', async () => {
    // 80 arrays of 1 MiB of doubles: large objects, which only a full collection frees.
    let big: number[][] | null = Array.from({ length: 80 }, () => new Array<number>(131072).fill(1.5));
    const ref = new WeakRef(big);
    big = null;
    // A WeakRef's target is kept till the end of the job that made or read it.
    const nextJob = () => new Promise((r) => setTimeout(r, 0));
    await nextJob();
    expect(ref.deref()).toBeDefined();
    await nextJob();
    collectGarbage();
    expect(ref.deref()).toBeUndefined();
    expect(runInNewContext('typeof gc')).toBe('undefined');
  });
});
