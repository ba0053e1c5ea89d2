import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { UsageError } from '../exit.js';

// One apply of a plan at a time: two runs would both upload and both create the environment. The
// lock is a file beside the plan, made atomically; a lock whose process is gone (on this host) is
// taken over, one held on another host is reported with how to clear it.

interface Holder {
  pid: number;
  host: string;
  since: string;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

function readHolder(path: string): Holder | null {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Partial<Holder>;
    return typeof h.pid === 'number' && typeof h.host === 'string' && typeof h.since === 'string' ? (h as Holder) : null;
  } catch {
    return null;
  }
}

/** Takes the lock at `path`, or throws a UsageError naming who holds it. Returns its release. */
export function acquireLock(path: string, what: string): () => void {
  const me: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, JSON.stringify(me));
      } finally {
        closeSync(fd);
      }
      return () => {
        if (readHolder(path)?.pid === me.pid) unlinkSync(path);
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const held = readHolder(path);
    // Left by a run that died on this host (or a torn write): safe to take over, once.
    const dead = held === null || (held.host === me.host && !alive(held.pid));
    if (!dead || attempt > 0) {
      const who = held ? `process ${held.pid} on ${held.host} since ${held.since}` : 'another run';
      throw new UsageError(`${what} is being applied by ${who} (lock ${path}); wait for it, or remove the lock if that run is gone`);
    }
    try {
      unlinkSync(path);
    } catch {
      // Another run took it over first: the next attempt finds its lock.
    }
  }
}
