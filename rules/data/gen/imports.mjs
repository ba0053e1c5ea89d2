// imports.json: moved, renamed and removed Airflow import paths (1.10 -> 2.0 from upgrade_check's
// table, 2.x -> 3.x from ruff's AIR3xx tables), one row per old path, with a compact group key
// that rules select on.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const output = 'imports.json';

// The table's `rule` column names the source table; the group is what our rules select.
const GROUPS = {
  'upgrade_check ImportChangesRule': 'moved-2.0',
  'ruff AIR301': 'removed-3.0',
  'ruff AIR302': 'provider-3.0',
  'ruff AIR311': 'deprecated-3.0',
  'ruff AIR312': 'provider-shim-3.0',
  'ruff AIR321': 'moved-3.1',
};

export function generate(ref) {
  const table = parse(readFileSync(join(ref, 'airflow/imports-changes.yml'), 'utf8'));
  const rows = table.changes.map((r) => {
    const group = GROUPS[r.rule];
    if (!group) throw new Error(`imports-changes.yml: unknown rule ${r.rule}`);
    const row = { old: r.old, new: r.new ?? null, provider: r.provider ?? null, kind: r.kind, since: String(r.since), group };
    if (r.pattern) row.pattern = true;
    if (r.note) row.note = r.note;
    return row;
  });
  return {
    description: "Moved, renamed and removed Airflow imports, generated from imports-changes.yml; do not edit by hand. In `old`, `**` stands for any sub-path.",
    count: rows.length,
    rows,
  };
}
