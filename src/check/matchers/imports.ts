import { dataTable } from '../../refdata/data.js';
import type { Inventory, PyAnalysis, PyFile, PyImport, Position } from '../../home/inventory.js';
import type { CheckContext, FixIntent, Hit, Matcher, Severity } from '../types.js';

// import-table: every import, every airflow.* name reached through an imported module
// (`from airflow import operators; operators.bash_operator.BashOperator`) and every use of an
// imported name, looked up in the moved/renamed/removed table (rules/data/imports.json). A rule
// picks table groups; the replacement it names is where the path ends up on the target, following
// the table through later versions (a 1.10 path goes straight to its 3.x home).

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

function buildTable(rows: ImportRow[]): Table {
  const t: Table = { exact: new Map(), modules: new Map(), patterns: [] };
  for (const row of rows) {
    if (row.pattern) {
      t.patterns.push({ re: patternRegExp(row.old), row });
      continue;
    }
    t.exact.set(row.old, [...(t.exact.get(row.old) ?? []), row]);
    const mod = moduleOf(row.old);
    t.modules.set(mod, [...(t.modules.get(mod) ?? []), row]);
  }
  return t;
}

const getTable = (): Table => (table ??= buildTable(importRows()));

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
  /** AirflowPlugin attributes whose classes Airflow 1.10 also exposed as airflow.<attribute>.<Class>. */
  pluginAttributes?: string[];
}

const moduleOf = (path: string) => path.slice(0, path.lastIndexOf('.'));
const leafOf = (path: string) => path.slice(path.lastIndexOf('.') + 1);

function lookup(t: Table, name: string, groups: Set<string>): ImportRow | null {
  const exact = t.exact.get(name)?.find((r) => groups.has(r.group));
  if (exact) return exact;
  return t.patterns.find((p) => groups.has(p.row.group) && p.re.test(name))?.row ?? null;
}

/** `import old.module` of a module every row of which moved elsewhere. */
const moduleRow = (t: Table, name: string, groups: Set<string>) =>
  t.modules.get(name)?.find((r) => groups.has(r.group) && r.new !== null && moduleOf(r.new) !== name);

// The versions a path goes through, in order; a row of one stage hands its new path to the next.
const STAGES = [
  { since: '2.0', groups: new Set(['package-1.10', 'moved-2.0']) },
  { since: '3.0', groups: new Set(['removed-3.0', 'provider-3.0', 'deprecated-3.0', 'provider-shim-3.0']) },
  { since: '3.1', groups: new Set(['moved-3.1']) },
];
const stageOf = (group: string) => STAGES.findIndex((s) => s.groups.has(group));

interface Home {
  path: string | null;
  provider: string | null;
  /** The later rows the path went through on the way to the target. */
  later: ImportRow[];
}

/** Where `row` sends a name (or a module, with `isModule`) on the target, following later stages. */
function homeAt(t: Table, row: ImportRow, isModule: boolean, ctx: CheckContext): Home {
  let path = row.new && isModule ? moduleOf(row.new) : row.new;
  let provider = row.provider;
  const later: ImportRow[] = [];
  for (const stage of STAGES.slice(stageOf(row.group) + 1)) {
    if (!path || !ctx.targetIn(`>=${stage.since}`)) break;
    const next = lookup(t, path, stage.groups) ?? (isModule ? moduleRow(t, path, stage.groups) : undefined);
    if (!next) continue;
    later.push(next);
    const fromModule = isModule && !next.pattern && next.old !== path;
    path = next.new && fromModule ? moduleOf(next.new) : next.new;
    // A rename inside a provider keeps its package; a move back into Airflow or the SDK drops it.
    provider = next.provider ?? (path?.startsWith('airflow.providers.') ? provider : null);
  }
  return { path, provider, later };
}

/**
 * A replacement for a name whose row names none (a package removed as a whole): its own row in
 * `groups`, else the row of its module when all the module's rows agree on where it went
 * (`airflow.contrib.hooks.gcp_api_base_hook.GoogleCloudBaseHook` -> GoogleBaseHook there).
 */
function replacementFor(t: Table, name: string, groups: Set<string>): { row: ImportRow; isModule: boolean } | null {
  const own = t.exact.get(name)?.find((r) => groups.has(r.group) && r.new);
  if (own) return { row: own, isModule: false };
  const asModule = t.modules.get(name)?.filter((r) => groups.has(r.group) && r.new);
  if (asModule?.length && new Set(asModule.map((r) => moduleOf(r.new!))).size === 1) return { row: asModule[0]!, isModule: true };
  const siblings = t.modules.get(moduleOf(name))?.filter((r) => groups.has(r.group) && r.new);
  if (!siblings?.length) return null;
  if (new Set(siblings.map((r) => r.new)).size === 1) return { row: siblings[0]!, isModule: false };
  return new Set(siblings.map((r) => moduleOf(r.new!))).size === 1 ? { row: siblings[0]!, isModule: true } : null;
}

interface Described {
  vars: Record<string, string>;
  /** The name's one new dotted path on the target, when a fix can import it from there. */
  replacement: string | null;
  /** What a use's finding says at its import: one string for every use of the name. */
  importedHere: string;
}

// A path `fix` may write: dotted identifiers, nothing a row spells as a template or pattern.
const IMPORTABLE = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$/;

function vars(t: Table, name: string, row: ImportRow, isModule: boolean, ctx: CheckContext): Described {
  const home = homeAt(t, row, isModule, ctx);
  const first = row.new && isModule ? moduleOf(row.new) : row.new;
  const last = home.later.at(-1);
  let then = '';
  if (last && !home.path) then = `, which Airflow ${last.since} removed${last.note ? ` (${last.note.replace(/\.$/, '')})` : ''}`;
  else if (last) then = `, which Airflow ${last.since} moved to ${home.path}`;
  const target = home.path;
  // A module moved as a whole, or a pattern row over names (airflow.contrib.*), does not say where
  // each of its names went; a pattern over modules for one name (airflow.models.**.Param) does.
  const named = (r: ImportRow) => !r.pattern || (!r.old.split('.').pop()!.includes('*') && !(r.new ?? '*').includes('*'));
  const exact = !isModule && [row, ...home.later].every(named);
  const replacement = exact && target && IMPORTABLE.test(target) ? target : null;
  const v = {
    old: name,
    new: target ?? '(no replacement)',
    moved: first ?? '(no replacement)',
    then,
    since: row.since,
    provider: home.provider ?? '',
    // Ready-made phrases, so templates stay readable whatever the row holds.
    replacement: target ? `use ${target}` : 'remove it',
    action: target ? `Import from ${target} instead` : 'Remove the import and the code that uses it',
    package: home.provider ? ` (package ${home.provider})` : '',
    requirement: home.provider ? `, and add ${home.provider} to requirements.txt if MWAA does not ship it` : '',
    note: row.note ? ` ${row.note.replace(/\.?$/, '.')}` : '',
    used: '',
  };
  return { vars: v, replacement, importedHere: `${name} is imported here` };
}

/** Rows for classes plugins register, which Airflow 1.10 also exposed as airflow.<attribute>.<Class>. */
function pluginRows(inv: Inventory, attributes: string[]): ImportRow[] {
  const rows: ImportRow[] = [];
  const folder = inv.plugins.folder?.replace(/\/+$/, '');
  for (const plugin of inv.plugins.plugins) {
    // A class defined in the plugin file itself lives in that file's module.
    const inside = folder && plugin.file.startsWith(`${folder}/`) ? plugin.file.slice(folder.length + 1) : plugin.file;
    const own = inside.replace(/\.py$/, '').replace(/\/__init__$/, '').split('/').join('.');
    for (const attribute of attributes) {
      for (const cls of plugin.registers[attribute] ?? []) {
        const real = cls.includes('.') ? cls : `${own}.${cls}`;
        const note = `Plugin ${plugin.name ?? plugin.className} (${plugin.file}) registers it; the plugins folder is on sys.path`;
        rows.push({ old: `airflow.${attribute}.${leafOf(cls)}`, new: real, provider: null, kind: 'moved', since: '2.0', group: 'package-1.10', note });
      }
    }
  }
  return rows;
}

/**
 * Try/except import pairs that work on the target, by line: an `except ImportError:` import whose
 * try body, shortly before, imports the same local name from a path the target accepts (the
 * fallback never runs), and a try import whose fallback the target accepts (it fails harmlessly
 * there and the fallback binds the name, so neither it nor its uses are findings).
 */
const FALLBACK_WINDOW = 30; // lines between the try import and its fallback
interface Pairs {
  fallbacks: Set<number>;
  tried: Set<number>;
}
/** A file without fallback imports has none (most files: one shared answer, only ever read). */
const NO_PAIRS: Pairs = { fallbacks: new Set(), tried: new Set() };
function acceptedPairs(a: PyAnalysis, t: Table, ctx: CheckContext): Pairs {
  const pairs: Pairs = { fallbacks: new Set(), tried: new Set() };
  const local = (i: PyImport) => i.alias ?? leafOf(i.name);
  const changedGroups = new Set(STAGES.filter((s) => ctx.targetIn(`>=${s.since}`)).flatMap((s) => [...s.groups]));
  const fine = (i: PyImport) => i.level > 0 || (!lookup(t, i.name, changedGroups) && !moduleRow(t, i.name, changedGroups));
  for (const imp of a.imports) {
    if (imp.guarded !== 'fallback') continue;
    for (const s of a.imports) {
      if (s.guarded !== 'try' || s.line >= imp.line || imp.line - s.line > FALLBACK_WINDOW || local(s) !== local(imp)) continue;
      if (fine(s)) pairs.fallbacks.add(imp.line);
      if (fine(imp)) pairs.tried.add(s.line);
    }
  }
  return pairs;
}

const importTable: Matcher = (inv: Inventory, ctx: CheckContext, raw) => {
  const p = raw as unknown as Params;
  const t = p.pluginAttributes ? buildTable([...importRows(), ...pluginRows(inv, p.pluginAttributes)]) : getTable();
  const groups = new Set(p.groups);
  const deferTo = p.deferTo && (!p.deferWhen || ctx.targetIn(p.deferWhen)) ? new Set(p.deferTo) : null;
  const severity = Object.entries(p.severityByTarget ?? {}).find(([range]) => ctx.targetIn(range))?.[1];
  const replacementFrom = p.replacementFrom ? new Set(p.replacementFrom) : null;
  // Thousands of files import the same few hundred names: each is described once per rule.
  const described = new Map<string, Described | null>();
  const describe = (name: string): Described | null => {
    if (!described.has(name)) described.set(name, describeName(name));
    return described.get(name)!;
  };
  const describeName = (name: string): Described | null => {
    const row = lookup(t, name, groups) ?? (p.modules ? moduleRow(t, name, groups) : undefined);
    if (!row || (deferTo && lookup(t, name, deferTo))) return null;
    const better = !row.new && replacementFrom ? replacementFor(t, name, replacementFrom) : null;
    const isModule = name !== row.old && !row.pattern;
    const v = better ? vars(t, name, better.row, better.isModule, ctx) : vars(t, name, row, isModule, ctx);
    // The message and note speak of the matched row (e.g. the 3.0 removal), the replacement of `better`.
    return better ? { ...v, vars: { ...v.vars, since: row.since, note: row.note ? ` ${row.note.replace(/\.?$/, '.')}` : '' } } : v;
  };
  return hitsOf(inv, (file, a) => fileHits(file, a, t, ctx, describe, severity));
};

/**
 * File by file, as the check takes them: the tens of thousands of hits of a large home are made
 * into findings while young, not all held till the last file (old-generation garbage, which
 * raised a large report's peak memory).
 */
function* hitsOf(inv: Inventory, of: (file: PyFile, a: PyAnalysis) => Hit[]): Generator<Hit> {
  for (const file of [...inv.dagFiles, ...inv.plugins.files]) if (file.analysis) yield* of(file, file.analysis);
}

/**
 * Names with no importable replacement whose calls are rewritten instead (src/fix/days-ago.ts), or
 * whose import goes once ARG009's fix has rewritten every call (src/fix/subdag.ts).
 */
const CALL_REWRITES: Record<string, FixIntent> = {
  'airflow.utils.dates.days_ago': { kind: 'days-ago' },
  'airflow.operators.subdag.SubDagOperator': { kind: 'subdag' },
  'airflow.operators.subdag_operator.SubDagOperator': { kind: 'subdag' },
  'airflow.operators.SubDagOperator': { kind: 'subdag' },
};

/**
 * Every name fileHits may look up in a file (a superset: its imports, with a star import's module,
 * its references and its uses), each once, and whether it has fallback imports; kept per
 * analysis, as the IMP rules ask each file in turn.
 */
interface FileNames {
  names: string[];
  fallback: boolean;
}
const fileNames = new WeakMap<PyAnalysis, FileNames>();
function namesIn(a: PyAnalysis): FileNames {
  let found = fileNames.get(a);
  if (!found) {
    const all = new Set<string>();
    for (const i of a.imports) all.add(i.name).add(i.module);
    for (const r of a.references) all.add(r.name);
    for (const u of a.uses) all.add(u.name);
    fileNames.set(a, (found = { names: [...all], fallback: a.imports.some((i) => i.guarded === 'fallback') }));
  }
  return found;
}

/** One finding per import and per use of an imported name, the use pointing at its import. */
function fileHits(
  file: PyFile,
  a: PyAnalysis,
  t: Table,
  ctx: CheckContext,
  describe: (name: string) => Described | null,
  severity: Severity | undefined,
): Hit[] {
  // Most files name nothing a given rule describes: told from their few distinct names first.
  const { names, fallback } = namesIn(a);
  if (!names.some((name) => describe(name))) return [];
  const pairs = fallback ? acceptedPairs(a, t, ctx) : NO_PAIRS;
  const usedFine = (at: Position) => pairs.fallbacks.has(at.line) || pairs.tried.has(at.line);
  // The names reported on each line: a line holds one or two, so no key string is made per hit.
  const seen = new Map<number, string[]>();
  const hits: Hit[] = [];
  const add = (name: string, pos: Position, from?: Position): boolean => {
    // Most names are fine: asked first, from the rule's memo.
    const d = describe(name);
    if (!d) return false;
    const onLine = seen.get(pos.line);
    if (onLine?.includes(name)) return true;
    if (onLine) onLine.push(name);
    else seen.set(pos.line, [name]);
    // The name's vars are shared by its hits (nothing writes to them); a use gets its own line.
    const v = from ? { ...d.vars, used: ` (imported at line ${from.line})` } : d.vars;
    const hit: Hit = { file: file.path, line: pos.line, col: pos.col, text: name, vars: v };
    if (severity) hit.severity = severity;
    if (d.replacement) hit.fix = { kind: 'import', path: d.replacement };
    else if (CALL_REWRITES[name]) hit.fix = CALL_REWRITES[name];
    if (from) {
      hit.related = [{ file: file.path, line: from.line, col: from.col, message: d.importedHere }];
    }
    hits.push(hit);
    return true;
  };
  for (const imp of a.imports) {
    // `from x import *` pulls in the module x.
    if (imp.level === 0 && !usedFine(imp)) add(imp.name.endsWith('.*') ? imp.module : imp.name, imp);
  }
  // A name used through an attribute whose dotted name was reported is not reported again.
  const reported: Position[] = [];
  for (const ref of a.references) {
    const from = ref.import === undefined ? undefined : a.imports[ref.import]!;
    if (from && usedFine(from)) continue;
    // `BaseHook.get_connection`: the attribute is fine where the imported class is not.
    const whole = from && ref.name.startsWith(`${from.name}.`) ? from.name : null;
    if (add(ref.name, ref, from) || (whole && add(whole, ref, from))) reported.push(ref);
  }
  const viaReference = (name: string, line: number) =>
    a.references.some((r) => r.line === line && r.name.startsWith(`${name}.`) && reported.includes(r));
  for (const use of a.uses) {
    const from = a.imports[use.import]!;
    if (!usedFine(from) && !viaReference(use.name, use.line)) add(use.name, use, from);
  }
  return hits;
}

// import-name {names?, packages?}: a short list of names a rule names itself (not in the big
// table), imported or reached through a module, in DAG and plugin code; or imports of anything in
// whole packages, once per import statement, except names the table has a row for (the IMP
// rules report those, with their replacement).
const importName: Matcher = (inv, _ctx, raw) => {
  const params = raw as unknown as { names?: string[]; packages?: string[] };
  const names = new Set(params.names ?? []);
  const packages = params.packages ?? [];
  // Asked of each of a home's 100,000s of imports, which repeat a few hundred names.
  const answers = new Map<string, boolean>();
  const inPackage = (name: string): boolean => {
    let yes = answers.get(name);
    if (yes === undefined) answers.set(name, (yes = packages.some((p) => name === p || name.startsWith(`${p}.`)) && !getTable().exact.has(name)));
    return yes;
  };
  const hits: Hit[] = [];
  for (const file of [...inv.dagFiles, ...inv.plugins.files]) {
    const imports = file.analysis?.imports ?? [];
    const lines = new Set<number>();
    for (const list of [imports, file.analysis?.references ?? []]) {
      for (const use of list) if (names.has(use.name)) hits.push({ file: file.path, line: use.line, col: use.col, text: use.name, vars: { name: use.name } });
    }
    if (!packages.length) continue;
    for (const imp of imports) {
      const name = imp.name.endsWith('.*') ? imp.module : imp.name;
      // A guarded import is written to survive the package's absence.
      if (imp.level !== 0 || imp.guarded !== 'none' || lines.has(imp.line) || !inPackage(name)) continue;
      lines.add(imp.line);
      hits.push({ file: file.path, line: imp.line, col: imp.col, text: name, vars: { name } });
    }
  }
  return hits;
};

export const importMatchers: Record<string, Matcher> = { 'import-table': importTable, 'import-name': importName };
