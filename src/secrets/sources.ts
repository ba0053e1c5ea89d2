import { readConnectionsExport, readEnvFile, readVariablesExport } from './files.js';
import { readMetadataDb } from './metadata-db.js';
import type { Collected, SecretItem } from './model.js';
import { describeSource, itemName } from './model.js';

// All sources together. They are read in the order given and a later source's item replaces an
// earlier one's with the same name (a note records it). The order callers should use mirrors
// Airflow's own lookup, where an environment variable beats the metadata database: metadata DB
// first, then export files, then the env file.

export type SourceSpec =
  | { kind: 'metadata-db'; url: string; fernetKey: string | null }
  | { kind: 'connections-export'; file: string }
  | { kind: 'variables-export'; file: string }
  | { kind: 'env-file'; file: string };

async function readOne(spec: SourceSpec): Promise<Collected> {
  switch (spec.kind) {
    case 'metadata-db':
      return readMetadataDb(spec.url, spec.fernetKey);
    case 'connections-export':
      return readConnectionsExport(spec.file);
    case 'variables-export':
      return readVariablesExport(spec.file);
    case 'env-file':
      return readEnvFile(spec.file);
  }
}

/** Reads every source; throws UsageError when a whole source cannot be read. */
export async function collectSecrets(specs: SourceSpec[]): Promise<Collected> {
  const byName = new Map<string, SecretItem>();
  const out: Collected = { items: [], problems: [], notes: [] };
  for (const spec of specs) {
    const got = await readOne(spec);
    out.problems.push(...got.problems);
    out.notes.push(...got.notes);
    for (const item of got.items) {
      const name = itemName(item);
      const earlier = byName.get(name);
      if (earlier) {
        out.notes.push(`${name} from ${describeSource(item.source)} overrides the one from ${describeSource(earlier.source)}`);
        byName.delete(name); // re-inserted below, so the order is that of the last definition
      }
      byName.set(name, item);
    }
  }
  out.items = [...byName.values()];
  return out;
}
