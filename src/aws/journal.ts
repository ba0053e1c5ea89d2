import { appendFileSync, existsSync, readFileSync } from 'node:fs';

// What apply has done, one JSON line per completed step, appended as each finishes so a killed
// run leaves an accurate record. It holds names, keys, ETags, version ids and an ARN: never a
// setting's value, so never a secret.

export type JournalEntry =
  | { step: 'ensure-bucket' | 'enable-versioning' | 'block-public-access'; bucket: string }
  | { step: 'put-object'; key: string; etag: string; versionId: string }
  | { step: 'delete-object'; key: string }
  | { step: 'create-environment'; name: string; arn: string }
  | { step: 'update-environment'; name: string; arn: string }
  | { step: 'put-secret'; name: string; fingerprint: string };

export const journalPath = (planPath: string): string => `${planPath}.journal.jsonl`;

export class Journal {
  private readonly entries: JournalEntry[];

  constructor(private readonly path: string) {
    const lines = existsSync(path) ? readFileSync(path, 'utf8').split('\n') : [];
    // A run killed mid-write can leave a torn last line: that step was not recorded as done.
    this.entries = lines.flatMap((l) => {
      try {
        return l.trim() ? [JSON.parse(l) as JournalEntry] : [];
      } catch {
        return [];
      }
    });
  }

  record(entry: JournalEntry): void {
    appendFileSync(this.path, `${JSON.stringify(entry)}\n`);
    this.entries.push(entry);
  }

  /** The latest entry of a step that matches, if any. */
  find<S extends JournalEntry['step']>(step: S, match: (e: Extract<JournalEntry, { step: S }>) => boolean): Extract<JournalEntry, { step: S }> | undefined {
    return this.entries.findLast((e): e is Extract<JournalEntry, { step: S }> => e.step === step && match(e as Extract<JournalEntry, { step: S }>));
  }
}
