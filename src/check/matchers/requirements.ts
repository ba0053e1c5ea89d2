import { dataTable, once } from '../../refdata/data.js';
import { satisfies } from '@renovatebot/pep440';
import { REDACTED, type Inventory, type PluginDef, type PyFile, type PyImport, type Requirement } from '../../home/inventory.js';
import { compareVersions } from '../../refdata/airflow-config.js';
import type { Hit, Matcher } from '../types.js';
import { constraintsUrl, targetPython } from '../../refdata/mwaa.js';
import { importRows } from './imports.js';

// Match kinds for requirements.txt (REQ) and plugins (PLG). Each reads the Inventory plus the
// generated tables in rules/data/ (constraints.json, providers.json, os-libraries.json), loaded
// once, and indexes what it needs per call so a 10,000-file home stays linear.


// ---------------------------------------------------------------------------------------------
// Data

interface ConstraintsData {
  versions: { version: string; file: string; essential: Record<string, string> | null }[];
  pins: Record<string, string>;
}

interface OsLibrary {
  needs: string;
  reason: string;
}

const constraintsData = dataTable<ConstraintsData>('constraints.json');
const providersData = dataTable<{ preinstalled: Record<string, string[]> }>('providers.json');
const preinstalledData = () => providersData().preinstalled;
const osLibraryData = dataTable<{ packages: Record<string, OsLibrary> }>('os-libraries.json');
const osLibraries = once(() => new Map(Object.entries(osLibraryData().packages)));

const AIRFLOW = 'apache-airflow';
const PROVIDER_PREFIX = 'apache-airflow-providers-';

/**
 * What MWAA holds a requirement to, in the order it is judged: Airflow itself, then the pins a
 * user cannot override, then the rest of the constraints file. A package is judged by the first
 * layer that pins it, so one conflict is reported once.
 */
type Layer = 'airflow' | 'essential' | 'constraints';
type Pins = Record<Layer, Map<string, string>> & { known: boolean };

const pinsByTarget = new Map<string, Pins>();
function targetPins(target: string): Pins {
  let pins = pinsByTarget.get(target);
  if (pins) return pins;
  const data = constraintsData();
  const column = data.versions.findIndex((v) => v.version === target);
  const constraints = new Map<string, string>();
  if (column !== -1) {
    for (const [name, row] of Object.entries(data.pins)) {
      const version = row.split(' ')[column];
      if (version !== undefined && version !== '-') constraints.set(name, version);
    }
  }
  const essential = new Map(Object.entries(data.versions[column]?.essential ?? {}));
  essential.delete(AIRFLOW);
  pins = { airflow: new Map([[AIRFLOW, target]]), essential, constraints, known: column !== -1 };
  pinsByTarget.set(target, pins);
  return pins;
}

function judge(name: string, pins: Pins): { layer: Layer; expected: string } | null {
  for (const layer of ['airflow', 'essential', 'constraints'] as const) {
    const expected = pins[layer].get(name);
    if (expected !== undefined) return { layer, expected };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Hits

export const requirementHit = (r: Requirement, vars: Record<string, string>): Hit => ({
  file: r.file,
  line: r.line,
  col: 1,
  text: r.text,
  vars: { text: r.text, ...vars },
});

/** Entries pip installs something from (not options, includes or constraints). */
const installs = (r: Requirement): boolean => r.kind === 'requirement' || r.kind === 'url' || r.kind === 'vcs' || r.kind === 'path';

// ---------------------------------------------------------------------------------------------
// REQ

/** requirement-version {layer}: a version specifier that excludes what MWAA pins in that layer. */
const requirementVersion: Matcher = (inv, ctx, params) => {
  const layer = params['layer'] as Layer;
  const pins = targetPins(ctx.target);
  const hits: Hit[] = [];
  for (const r of inv.requirements.requirements) {
    if (r.name === null || r.specifier === null) continue;
    const judged = judge(r.name, pins);
    if (judged?.layer !== layer || satisfies(judged.expected, r.specifier, { prereleases: true })) continue;
    hits.push(requirementHit(r, { name: r.name, specifier: r.specifier, expected: judged.expected, target: ctx.target }));
  }
  return hits;
};

/**
 * requirement-unpinned: no exact version here and none from MWAA's constraints either. Silent for a
 * target without constraints data, where every constrained package would look unpinned.
 */
const requirementUnpinned: Matcher = (inv, ctx) => {
  const pins = targetPins(ctx.target);
  if (!pins.known) return [];
  return inv.requirements.requirements
    .filter((r) => r.kind === 'requirement' && r.name !== null && r.pinned === null && judge(r.name, pins) === null)
    .map((r) => requirementHit(r, { name: r.name!, specifier: r.specifier ?? 'any version', target: ctx.target }));
};

// Airflow's published constraints URLs: constraints-<airflow>/constraints[-variant]-<python>.txt
const CONSTRAINTS_URL = /\/constraints-(\d[^/]*)\/constraints-(?:[a-z-]+-)?(\d+\.\d+)\.txt$/;

/**
 * requirement-constraint {expect}: 'present' flags a requirements.txt that installs packages but
 * has no --constraint line (MWAA then forces its own, from 2.7.2); 'target' flags an Airflow
 * constraints URL made for another Airflow or Python version than the target's.
 */
const requirementConstraint: Matcher = (inv, ctx, params) => {
  const url = constraintsUrl(ctx.target) ?? `the constraints file of Airflow ${ctx.target}`;
  if (params['expect'] === 'present') {
    const root = inv.requirements.files[0];
    const own = inv.requirements.requirements.filter((r) => r.file === root);
    if (root === undefined || !own.some(installs) || own.some((r) => r.kind === 'constraint')) return [];
    return [{ file: root, line: 1, col: 1, text: '', vars: { file: root, target: ctx.target, url } }];
  }
  const python = targetPython(ctx.target)?.python ?? null;
  const hits: Hit[] = [];
  for (const r of inv.requirements.requirements) {
    const m = r.kind === 'constraint' && r.url !== null ? CONSTRAINTS_URL.exec(r.url) : null;
    if (!m || (m[1] === ctx.target && (python === null || m[2] === python))) continue;
    hits.push(requirementHit(r, { found: `Airflow ${m[1]} on Python ${m[2]}`, expected: `Airflow ${ctx.target}${python ? ` on Python ${python}` : ''}`, url }));
  }
  return hits;
};

/**
 * requirement-source {kinds?, options?, allow?, redacted?}: entries by kind (and, for options, by
 * option name) whose location (URL, path or file) does not match the `allow` pattern; with
 * `redacted`, only entries whose credentials the scanner had to redact.
 */
const requirementSource: Matcher = (inv, _ctx, params) => {
  const kinds = params['kinds'] as Requirement['kind'][] | undefined;
  const options = params['options'] as string[] | undefined;
  const allow = typeof params['allow'] === 'string' ? new RegExp(params['allow']) : null;
  const hits: Hit[] = [];
  for (const r of inv.requirements.requirements) {
    if (kinds && !kinds.includes(r.kind)) continue;
    if (options && !(r.kind === 'option' && r.target !== null && options.includes(r.target))) continue;
    if (params['redacted'] && !r.text.includes(REDACTED)) continue;
    const location = r.url ?? r.target ?? r.text;
    if (allow?.test(location)) continue;
    hits.push(requirementHit(r, { location, name: r.name ?? location, option: r.target ?? r.kind }));
  }
  return hits;
};

/** requirement-name {pattern, suggest}: project names matching a pattern; {suggestion} is the rewrite. */
const requirementName: Matcher = (inv, ctx, params) => {
  const pattern = new RegExp(params['pattern'] as string);
  const suggest = (params['suggest'] as string | undefined) ?? '$&';
  return inv.requirements.requirements
    .filter((r) => r.name !== null && pattern.test(r.name))
    .map((r) => requirementHit(r, { name: r.name!, suggestion: r.name!.replace(pattern, suggest), target: ctx.target }));
};

/** requirement-os-library: packages listed in os-libraries.json. */
const requirementOsLibrary: Matcher = (inv) => {
  const table = osLibraries();
  const hits: Hit[] = [];
  for (const r of inv.requirements.requirements) {
    const entry = r.name === null ? undefined : table.get(r.name);
    if (entry) hits.push(requirementHit(r, { name: r.name!, needs: entry.needs, reason: entry.reason }));
  }
  return hits;
};

/** requirement-problem {codes}: scan problems of those codes (e.g. lines pip cannot parse). */
const requirementProblem: Matcher = (inv, _ctx, params) => {
  const codes = new Set(params['codes'] as string[]);
  return inv.problems
    .filter((p) => codes.has(p.code) && p.file !== undefined)
    .map((p) => ({ file: p.file!, line: p.line ?? 1, col: 1, text: p.message, vars: { message: p.message } }));
};

/** Absolute imports of every DAG and plugin file (relative ones are the user's own modules). */
function* absoluteImports(inv: Inventory): Generator<{ file: PyFile; imp: PyImport }> {
  for (const file of [...inv.dagFiles, ...inv.plugins.files]) {
    for (const imp of file.analysis?.imports ?? []) if (imp.level === 0) yield { file, imp };
  }
}

// --- provider packages the DAGs import ---------------------------------------------------------

const knownProviders = once(() => {
  const names = new Set(Object.keys(constraintsData().pins).filter((n) => n.startsWith(PROVIDER_PREFIX)));
  for (const row of importRows()) if (row.provider) names.add(row.provider);
  return names;
});

/** The provider package of an `airflow.providers.<a>[.<b>[.<c>]]...` name: the longest known one. */
function providerOfPath(name: string): string | null {
  const parts = name.split('.');
  if (parts[0] !== 'airflow' || parts[1] !== 'providers') return null;
  for (let n = Math.min(3, parts.length - 2); n >= 1; n--) {
    const candidate = PROVIDER_PREFIX + parts.slice(2, 2 + n).join('-').replace(/_/g, '-').toLowerCase();
    if (knownProviders().has(candidate)) return candidate;
  }
  return null;
}

/**
 * Old import path -> the provider its newest change up to the target needs (null when that change
 * left it in Airflow itself). `import old.module` forms are looked up by the module as well.
 */
const tableByTarget = new Map<string, { names: Map<string, string | null>; modules: Map<string, string> }>();
function movedImports(target: string) {
  let table = tableByTarget.get(target);
  if (table) return table;
  const since = new Map<string, string>();
  table = { names: new Map(), modules: new Map() };
  for (const row of importRows()) {
    if (row.pattern || compareVersions(row.since, target) > 0) continue;
    const seen = since.get(row.old);
    if (seen !== undefined && compareVersions(seen, row.since) >= 0) continue;
    since.set(row.old, row.since);
    table.names.set(row.old, row.provider);
    if (row.provider) table.modules.set(row.old.slice(0, row.old.lastIndexOf('.')), row.provider);
  }
  tableByTarget.set(target, table);
  return table;
}

/**
 * requirement-provider: provider packages that DAG and plugin imports need (through their
 * airflow.providers path, or the moved-import table) but that neither requirements.txt nor the
 * MWAA image provides. One hit per package, at its first import.
 */
const requirementProvider: Matcher = (inv, ctx) => {
  const have = new Set(preinstalledData()[ctx.target.split('.')[0]!] ?? []);
  for (const r of inv.requirements.requirements) {
    if (r.name === null) continue;
    have.add(r.name);
    // apache-airflow[google] installs apache-airflow-providers-google.
    if (r.name === AIRFLOW) for (const extra of r.extras) have.add(PROVIDER_PREFIX + extra);
  }
  const moved = movedImports(ctx.target);
  const resolved = new Map<string, string | null>();
  const resolve = (name: string): string | null => {
    let provider = resolved.get(name);
    if (provider === undefined) {
      provider = moved.names.has(name) ? moved.names.get(name)! : (moved.modules.get(name) ?? providerOfPath(name));
      resolved.set(name, provider);
    }
    return provider;
  };
  const needs = new Map<string, { hit: Hit; files: Set<string> }>();
  for (const { file, imp } of absoluteImports(inv)) {
    // A guarded import is written to survive a missing package.
    if (imp.guarded !== 'none') continue;
    const name = imp.name.endsWith('.*') ? imp.module : imp.name;
    const provider = resolve(name);
    if (provider === null || have.has(provider)) continue;
    const need = needs.get(provider);
    if (need) need.files.add(file.path);
    else needs.set(provider, { hit: { file: file.path, line: imp.line, col: imp.col, text: name, vars: { provider, name, target: ctx.target } }, files: new Set([file.path]) });
  }
  return [...needs.values()].map(({ hit, files }) => ({
    ...hit,
    vars: { ...hit.vars, others: files.size > 1 ? ` (and ${files.size - 1} more file${files.size > 2 ? 's' : ''})` : '' },
  }));
};

// ---------------------------------------------------------------------------------------------
// PLG

/**
 * plugin-registers {attributes, report}: AirflowPlugin attributes Airflow 2 no longer reads.
 * report 'plugin' flags the registration itself; report 'imports' flags imports of the modules
 * Airflow 1.10 built from them (airflow.<attribute>.<plugin name>), which no longer exist.
 */
const pluginRegisters: Matcher = (inv, _ctx, params) => {
  const attributes = params['attributes'] as string[];
  if (params['report'] === 'imports') return registeredImports(inv, attributes);
  const hits: Hit[] = [];
  for (const plugin of inv.plugins.plugins) {
    for (const attribute of attributes) {
      const names = plugin.registers[attribute];
      if (!names?.length) continue;
      const vars = { plugin: plugin.name ?? plugin.className, className: plugin.className, attribute, names: names.join(', ') };
      hits.push({ file: plugin.file, line: plugin.line, col: plugin.col, text: plugin.className, vars });
    }
  }
  return hits;
};

function registeredImports(inv: Inventory, attributes: string[]): Hit[] {
  const modules = new Map<string, PluginDef>();
  for (const plugin of inv.plugins.plugins) {
    if (plugin.name) for (const attribute of attributes) modules.set(`airflow.${attribute}.${plugin.name}`, plugin);
  }
  if (!modules.size) return [];
  const hits: Hit[] = [];
  for (const { file, imp } of absoluteImports(inv)) {
    const { name, line, col } = imp;
    // airflow.<attribute>.<plugin name>, cut without splitting each of 100,000s of names.
    if (!name.startsWith('airflow.')) continue;
    const second = name.indexOf('.', 8);
    const third = second < 0 ? -1 : name.indexOf('.', second + 1);
    const plugin = modules.get(third < 0 ? name : name.slice(0, third));
    if (!plugin) continue;
    // The class the plugin registered under that name, where it really lives.
    const short = name.slice(name.lastIndexOf('.') + 1);
    const real = Object.values(plugin.registers)
      .flat()
      .find((q) => q.endsWith(`.${short}`));
    hits.push({ file: file.path, line, col, text: name, vars: { name, plugin: plugin.name!, replacement: real ?? `the module in ${plugin.file} that defines it` } });
  }
  return hits;
}

/** plugin-zip-layout: a plugins.zip whose entries all sit under one folder that is not a package. */
const pluginZipLayout: Matcher = (inv) => {
  const zip = inv.plugins.zip;
  if (!zip?.wrappedIn) return [];
  return [{ file: zip.path, line: 1, col: 1, text: `${zip.wrappedIn}/`, vars: { folder: zip.wrappedIn, zip: zip.path } }];
};

/** plugin-broken: plugin Python files that cannot be decoded or parsed, so they cannot be imported. */
const pluginBroken: Matcher = (inv) => {
  const problems = new Map<string, string>();
  for (const p of inv.problems) if (p.file !== undefined && !problems.has(p.file)) problems.set(p.file, p.message);
  const hits: Hit[] = [];
  for (const file of inv.plugins.files) {
    const a = file.analysis;
    if (a === null) {
      const reason = problems.get(file.path) ?? 'it could not be read or decoded';
      hits.push({ file: file.path, line: 1, col: 1, text: '', vars: { reason } });
    } else if (a.syntax !== 'ok') {
      const first = a.syntaxErrors[0];
      const what = a.syntax === 'python2' ? 'Python 2 syntax' : 'syntax error';
      const reason = `${what} at line ${first?.line ?? '?'}${first ? `: ${first.message}` : ''}`;
      hits.push({ file: file.path, line: first?.line ?? 1, col: first?.col ?? 1, text: first?.message ?? '', vars: { reason } });
    }
  }
  return hits;
};

export const requirementsMatchers: Record<string, Matcher> = {
  'requirement-version': requirementVersion,
  'requirement-unpinned': requirementUnpinned,
  'requirement-constraint': requirementConstraint,
  'requirement-source': requirementSource,
  'requirement-name': requirementName,
  'requirement-os-library': requirementOsLibrary,
  'requirement-problem': requirementProblem,
  'requirement-provider': requirementProvider,
  'plugin-registers': pluginRegisters,
  'plugin-zip-layout': pluginZipLayout,
  'plugin-broken': pluginBroken,
};
