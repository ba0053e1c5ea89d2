import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, renameSync } from 'node:fs';

// What apply has done, one JSON line per completed step, appended as each finishes so a killed
// run leaves an accurate record. It holds names, keys, ETags, version ids and an ARN: never a
// setting's value, so never a secret.

export type JournalEntry =
  | { step: 'ensure-bucket' | 'enable-versioning' | 'block-public-access'; bucket: string }
  | {
      step: 'put-object';
      key: string;
      etag: string;
      /** Absent for a DAG object found in place: a listing names no version, and DAGs are never pinned. */
      versionId?: string;
    }
  | { step: 'delete-object'; key: string }
  | { step: 'create-environment'; name: string; arn: string }
  | { step: 'update-environment'; name: string; arn: string }
  | { step: 'put-secret'; name: string; fingerprint: string }
  /** The first line: which run (plan, account access, endpoints) the steps below belong to. */
  | { step: 'run'; identity: string };

export const journalPath = (planPath: string): string => `${planPath}.journal.jsonl`;

/** A journal's identity: a hash of what a run is (its plan's inputs, where and as whom it writes). */
export const runIdentity = (what: object): string => createHash('sha256').update(JSON.stringify(what)).digest('hex').slice(0, 32);

// A run killed mid-write can leave a torn last line: that step was not recorded as done.
function parseLines(text: string): JournalEntry[] {
  return text.split('\n').flatMap((l) => {
    try {
      return l.trim() ? [JSON.parse(l) as JournalEntry] : [];
    } catch {
      return [];
    }
  });
}

export class Journal {
  private entries: JournalEntry[];
  /** The file ends in a torn line: the next write starts a new line, or it would be torn too. */
  private torn: boolean;
  /** Where a journal of another run was moved aside, when this one replaced it. */
  readonly setAside: string | null = null;

  /**
   * With an `identity`, only a journal of that same run is trusted: one left by another plan, home,
   * endpoint or profile under the same name is moved aside and a fresh one started, since its
   * "done" steps say nothing about this run's bucket and environment.
   */
  constructor(
    private readonly path: string,
    identity?: string,
  ) {
    const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
    this.torn = text !== '' && !text.endsWith('\n');
    this.entries = parseLines(text);
    if (identity === undefined) return;
    const first = this.entries[0];
    if (this.entries.length > 0 && !(first?.step === 'run' && first.identity === identity)) {
      this.setAside = `${path}.${new Date().toISOString().replace(/[:.]/g, '-')}.other-run`;
      renameSync(path, this.setAside);
      this.entries = [];
      this.torn = false;
    }
    if (this.entries.length === 0) this.record({ step: 'run', identity });
  }

  private append(text: string): void {
    appendFileSync(this.path, this.torn ? `\n${text}` : text);
    this.torn = false;
  }

  record(entry: JournalEntry): void {
    this.append(`${JSON.stringify(entry)}\n`);
    this.entries.push(entry);
  }

  /**
   * Steps in one write, for many at once. A write cut short by a kill keeps the lines before the
   * cut and tears one (dropped on load): the journal then misses steps but never claims one, so
   * use it only for steps a re-run finds done by itself (objects already in place).
   */
  recordAll(entries: JournalEntry[]): void {
    if (entries.length === 0) return;
    this.append(entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
    // Not push(...entries): a spread of a large array overflows the argument stack.
    for (const e of entries) this.entries.push(e);
  }

  /** Every entry of a step, oldest first: one pass where a find per item would be quadratic. */
  all<S extends JournalEntry['step']>(step: S): Extract<JournalEntry, { step: S }>[] {
    return this.entries.filter((e): e is Extract<JournalEntry, { step: S }> => e.step === step);
  }

  /** The latest entry of a step that matches, if any. */
  find<S extends JournalEntry['step']>(step: S, match: (e: Extract<JournalEntry, { step: S }>) => boolean): Extract<JournalEntry, { step: S }> | undefined {
    return this.entries.findLast((e): e is Extract<JournalEntry, { step: S }> => e.step === step && match(e as Extract<JournalEntry, { step: S }>));
  }
}
