import { appendFileSync, existsSync, readFileSync } from 'node:fs';

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
  | { step: 'put-secret'; name: string; fingerprint: string };

export const journalPath = (planPath: string): string => `${planPath}.journal.jsonl`;

export class Journal {
  private readonly entries: JournalEntry[];
  /** The file ends in a torn line: the next write starts a new line, or it would be torn too. */
  private torn: boolean;

  constructor(private readonly path: string) {
    const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
    this.torn = text !== '' && !text.endsWith('\n');
    const lines = text.split('\n');
    // A run killed mid-write can leave a torn last line: that step was not recorded as done.
    this.entries = lines.flatMap((l) => {
      try {
        return l.trim() ? [JSON.parse(l) as JournalEntry] : [];
      } catch {
        return [];
      }
    });
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
