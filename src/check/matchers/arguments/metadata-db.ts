import type { PyAnalysis, Position } from '../../../home/inventory.js';
import type { Hit, Matcher, RelatedLocation } from '../../types.js';
import { analysed, simple } from './table.js';

// Code that opens Airflow's metadata-database session: Airflow 3 runs tasks and DAG parsing
// without database access, so each use of a session helper (and each ORM query on an Airflow
// model through a session) is a finding at the line that breaks, with the import beside it.

export interface MetadataDbParams {
  /** Qualified names that hand out a session or engine. */
  names: string[];
  /** Session methods that run a query when given an ORM model. */
  sessionMethods: string[];
}

interface Found extends Position {
  text: string;
  what: string;
  related?: RelatedLocation[];
}

const SESSION_RECEIVER = /(^|[._])session$/i;

/** Each use of a session helper; its import when the file never uses the name it binds. */
function sessionUses(a: PyAnalysis, file: string, names: Set<string>): Found[] {
  const found: Found[] = [];
  const used = new Set<string>();
  const importedAt = (p: Position) => [{ file, line: p.line, col: p.col, message: 'imported here' }];
  for (const u of a.uses) {
    if (!names.has(u.name)) continue;
    const from = a.imports[u.import]!;
    used.add(`${from.line}:${u.name}`);
    found.push({ line: u.line, col: u.col, text: simple(u.name), what: u.name, related: importedAt(from) });
  }
  for (const r of a.references) {
    if (names.has(r.name)) found.push({ line: r.line, col: r.col, text: r.name, what: r.name, ...(r.import === undefined ? {} : { related: importedAt(a.imports[r.import]!) }) });
  }
  // A decorator is a use too, also recorded on the function: counted there when no use says so.
  for (const fn of a.functions) {
    for (const d of fn.decorators) {
      if (names.has(d) && !a.uses.some((u) => u.name === d)) found.push({ line: fn.line, col: fn.col, text: `@${simple(d)}`, what: d });
    }
  }
  for (const i of a.imports) {
    if (names.has(i.name) && !used.has(`${i.line}:${i.name}`)) found.push({ line: i.line, col: i.col, text: `import ${simple(i.name)}`, what: i.name });
  }
  return found;
}

/** `session.query(DagRun)`: a session method called on a line that names an Airflow model. */
function ormQueries(a: PyAnalysis, methods: Set<string>): Found[] {
  // The model class in `airflow.models.DagRun` or `airflow.models.taskinstance.TaskInstance.dag_id`: the first on its line.
  const models = new Map<number, string>();
  for (const u of [...a.uses, ...a.references].sort((x, y) => x.col - y.col)) {
    const model = /^airflow\.models(?:\.[a-z_]\w*)*\.([A-Z]\w*)/.exec(u.name)?.[1];
    if (model && !models.has(u.line)) models.set(u.line, model);
  }
  return a.methodCalls
    .filter((m) => methods.has(m.method) && SESSION_RECEIVER.test(m.receiver) && models.has(m.line))
    .map((m) => ({ line: m.line, col: m.col, text: `${m.receiver}.${m.method}(${models.get(m.line)})`, what: `an ORM query on ${models.get(m.line)}` }));
}

export const metadataDb: Matcher = (inv, _ctx, raw) => {
  const p = raw as unknown as MetadataDbParams;
  const names = new Set(p.names);
  const methods = new Set(p.sessionMethods);
  const plugins = new Set(inv.plugins.files.map((f) => f.path));
  const hits: Hit[] = [];
  for (const file of analysed(inv)) {
    const seen = new Set<string>();
    for (const f of [...sessionUses(file.analysis, file.path, names), ...ormQueries(file.analysis, methods)]) {
      // One finding per line and name: a decorator is both a use and a function's decorator.
      const key = `${f.line}:${f.what}`;
      if (seen.has(key)) continue;
      seen.add(key);
      // Plugins also run in the API server and scheduler, which keep database access.
      const plugin = plugins.has(file.path);
      hits.push({
        file: file.path,
        line: f.line,
        col: f.col,
        text: f.text,
        ...(plugin ? { severity: 'warning' as const } : {}),
        vars: { what: f.what, where: plugin ? 'plugin code (if a task or DAG file runs it)' : 'DAG and task code' },
        ...(f.related ? { related: f.related } : {}),
      });
    }
  }
  return hits;
};
