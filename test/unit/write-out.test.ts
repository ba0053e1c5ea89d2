import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { drainedOf, streamOut, type CliIO } from '../../src/commands/io.js';

// Long outputs (report, scan --json) go to stdout piece by piece, each after the reader has taken
// in the last: a pipe holds 64 KiB, and what it cannot take Node keeps in memory.

/** A stdout whose reader takes one piece every few milliseconds, recording the most ever queued. */
function slowPipe() {
  const seen = { queuedMost: 0, received: '' };
  const out = new Writable({
    highWaterMark: 1024,
    write(chunk, _enc, next) {
      seen.received += String(chunk);
      setTimeout(next, 2);
    },
  });
  const io: CliIO = {
    stdout: (s) => {
      out.write(s);
      seen.queuedMost = Math.max(seen.queuedMost, out.writableLength);
    },
    drained: () => drainedOf(out),
    stderr: () => {},
    env: {},
    isTTY: false,
  };
  return { io, out, seen };
}

describe('streamOut', () => {
  const pieces = Array.from({ length: 40 }, (_, i) => `${i}:${'x'.repeat(4000)}\n`);

  it('never queues more than one piece for a slow reader, and writes every piece in order', async () => {
    const { io, seen } = slowPipe();
    await streamOut(io, pieces);
    expect(seen.queuedMost).toBeLessThanOrEqual(pieces[0]!.length + 4);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.received).toBe(pieces.join(''));
  });

  it('stops waiting when the reader goes away while it waits', async () => {
    const out = new Writable({ highWaterMark: 1024, write: () => {} }); // takes one piece, then never another
    out.on('error', () => {});
    const io: CliIO = { stdout: (s) => void out.write(s), drained: () => drainedOf(out), stderr: () => {}, env: {}, isTTY: false };
    setTimeout(() => out.destroy(), 20);
    await streamOut(io, pieces); // resolves: a closed stdout drops the rest, as with `| head`
    expect(out.destroyed).toBe(true);
  });
});
