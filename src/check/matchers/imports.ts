import { dataTable } from '../../refdata/data.js';
import type { Inventory, PyFile } from '../../home/inventory.js';
import type { CheckContext, Hit, Matcher, Severity } from '../types.js';

// import-table: every import, and every airflow.* name reached through an imported module
// (`from airflow import operators; operators.bash_operator.BashOperator`), looked up in the
// moved/renamed/removed table (rules/data/imports.json). A rule picks table groups.

export interface ImportRow {
  old: string;
  new: string | null;
  provider: string | null;
  kind: 'moved' | 'renamed' | 'removed';
  since: string;
  group: string;
  pattern?: boolean;
  note?: string;
}

interface Table {
  exact: Map<string, ImportRow[]>;
  /** Module (old path minus its last part) -> rows, for `import old.module` forms. */
  modules: Map<string, ImportRow[]>;
  patterns: { re: RegExp; row: ImportRow }[];
}

let table: Table | null = null;

const importData = dataTable<{ rows: ImportRow[] }>('imports.json');
export const importRows = (): ImportRow[] => importData().rows;

/** `**` stands for any sub-path: `airflow.contrib.**` is the package and everything in it. */
export function patternRegExp(old: string): RegExp {
  const parts = old.split('.').map((p) => (p === '**' ? '**' : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  let src = '';
  for (const [i, p] of parts.entries()) {
    if (p === '**') src += i === parts.length - 1 ? '(\\..+)?' : '(\\.[^.]+)*';
    else src += (i === 0 ? '' : '\\.') + p;
  }
  return new RegExp(`^${src}$`);
}

function getTable(): Table {
  if (table) return table;
  const t: Table = { exact: new Map(), modules: new Map(), patterns: [] };
  for (const row of importRows()) {
    if (row.pattern) {
      t.patterns.push({ re: patternRegExp(row.old), row });
      continue;
    }
    t.exact.set(row.old, [...(t.exact.get(row.old) ?? []), row]);
    const mod = row.old.slice(0, row.old.lastIndexOf('.'));
    t.modules.set(mod, [...(t.modules.get(mod) ?? []), row]);
  }
  table = t;
  return t;
}

interface Params {
  groups: string[];
  /** Also flag `import old.module` / `from old import module` of a module that moved as a whole. */
  modules?: boolean;
  /** Severity by target range, first match wins, e.g. {">=3.0": error}. */
  severityByTarget?: Record<string, Severity>;
  /** Leave a name to these groups when their rules apply (target in `deferWhen`). */
  deferTo?: string[];
  deferWhen?: string;
  /** When the matched row names no replacement (a whole package removed), take it from these groups. */
  replacementFrom?: string[];
}

const moduleOf = (path: string | null) => (path ? path.slice(0, path.lastIndexOf('.')) : null);

function lookup(t: Table, name: string, groups: Set<string>): ImportRow | null {
  const exact = t.exact.get(name)?.find((r) => groups.has(r.group));
  if (exact) return exact;
  return t.patterns.find((p) => groups.has(p.row.group) && p.re.test(name))?.row ?? null;
}

function vars(name: string, row: ImportRow): Record<string, string> {
  const isModule = name !== row.old && !row.pattern;
  const target = isModule ? moduleOf(row.new) : row.new;
  return {
    old: name,
    new: target ?? '(no replacement)',
    since: row.since,
    provider: row.provider ?? 'apache-airflow',
    // Ready-made phrases, so templates stay readable whatever the row holds.
    replacement: target ? `use ${target}` : 'remove it',
    package: row.provider ? ` (package ${row.provider})` : '',
    note: row.note ? ` ${row.note.replace(/\.?$/, '.')}` : '',
  };
}

const importTable: Matcher = (inv: Inventory, ctx: CheckContext, raw) => {
  const p = raw as unknown as Params;
  const t = getTable();
  const groups = new Set(p.groups);
  const deferTo = p.deferTo && (!p.deferWhen || ctx.targetIn(p.deferWhen)) ? new Set(p.deferTo) : null;
  const severity = Object.entries(p.severityByTarget ?? {}).find(([range]) => ctx.targetIn(range))?.[1];
  const replacementFrom = p.replacementFrom ? new Set(p.replacementFrom) : null;
  const hits: Hit[] = [];
  const match = (file: PyFile, name: string, line: number, col: number) => {
    const row = lookup(t, name, groups) ?? (p.modules ? t.modules.get(name)?.find((r) => groups.has(r.group) && moduleOf(r.new) !== name) : undefined);
    if (!row || (deferTo && lookup(t, name, deferTo))) return;
    const better = !row.new && replacementFrom ? t.exact.get(name)?.find((r) => replacementFrom.has(r.group) && r.new) : undefined;
    const v = vars(name, better ? { ...row, new: better.new, provider: better.provider } : row);
    hits.push({ file: file.path, line, col, text: name, vars: v, ...(severity ? { severity } : {}) });
  };
  for (const file of [...inv.dagFiles, ...inv.plugins.files]) {
    const a = file.analysis;
    if (!a) continue;
    for (const imp of a.imports) {
      if (imp.level > 0) continue;
      // `from x import *` pulls in the module x.
      match(file, imp.name.endsWith('.*') ? imp.module : imp.name, imp.line, imp.col);
    }
    for (const ref of a.references) match(file, ref.name, ref.line, ref.col);
  }
  return hits;
};

// import-name: a short list of names a rule names itself (not in the big table), imported or
// reached through a module, in DAG and plugin code.
const importName: Matcher = (inv, _ctx, raw) => {
  const names = new Set((raw as unknown as { names: string[] }).names);
  const hits: Hit[] = [];
  for (const file of [...inv.dagFiles, ...inv.plugins.files]) {
    for (const use of [...(file.analysis?.imports ?? []), ...(file.analysis?.references ?? [])]) {
      if (names.has(use.name)) hits.push({ file: file.path, line: use.line, col: use.col, text: use.name, vars: { name: use.name } });
    }
  }
  return hits;
};

export const importMatchers: Record<string, Matcher> = { 'import-table': importTable, 'import-name': importName };
