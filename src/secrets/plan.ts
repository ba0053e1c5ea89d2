import { fingerprint } from '../home/secrets.js';
import type { MappedSecret } from './mapping.js';
import { describeSource } from './model.js';

// The secrets part of a plan: what to write, decided from fingerprints only, so a plan never
// holds a value. Pure: the caller reads the existing state (aws/secrets-manager.ts) first.

export type OnConflict = 'skip' | 'overwrite' | 'fail';

/** A secret that exists in Secrets Manager. */
export interface ExistingSecret {
  /** Fingerprint of its current SecretString; null when it has none or it cannot be read. */
  fingerprint: string | null;
  /** Scheduled for deletion: it cannot be written until restored. */
  deleted: boolean;
}

export type SecretChange =
  | 'create'
  | 'update'
  /** Scheduled for deletion and overwritten: restored, then given the new value. */
  | 'restore-and-update'
  | 'unchanged'
  | 'conflict-skipped'
  /** Exists with another value and onConflict is fail: the caller refuses to apply. */
  | 'conflict';

export interface SecretAction {
  kind: 'put-secret';
  name: string;
  what: 'connection' | 'variable';
  id: string;
  fingerprint: string;
  change: SecretChange;
  /** Where the value comes from (a file, a metadata database): read again at apply time. */
  source: string;
  notes: string[];
}

export interface SecretsPlan {
  actions: SecretAction[];
  /** Names that exist with a different value (or scheduled for deletion), whatever onConflict says. */
  conflicts: string[];
}

export function planSecrets(secrets: MappedSecret[], existing: ReadonlyMap<string, ExistingSecret>, onConflict: OnConflict = 'fail'): SecretsPlan {
  const actions: SecretAction[] = [];
  const conflicts: string[] = [];
  for (const s of [...secrets].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const fp = fingerprint(s.value);
    const current = existing.get(s.name);
    const notes = [...s.notes];
    let change: SecretChange;
    if (!current) change = 'create';
    else if (!current.deleted && current.fingerprint === fp) change = 'unchanged';
    else {
      conflicts.push(s.name);
      if (current.deleted) notes.push('the secret is scheduled for deletion');
      else if (current.fingerprint === null) notes.push('the secret exists but its current value could not be read');
      change = onConflict === 'fail' ? 'conflict' : onConflict === 'skip' ? 'conflict-skipped' : current.deleted ? 'restore-and-update' : 'update';
    }
    actions.push({ kind: 'put-secret', name: s.name, what: s.what, id: s.id, fingerprint: fp, change, source: describeSource(s.source), notes });
  }
  return { actions, conflicts };
}
