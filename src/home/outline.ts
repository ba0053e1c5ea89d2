import type { PyAnalysis, PyDag, PyFile, PyImport } from './inventory.js';

// What the scan's summary, the sizing and the scan text read of a file: a tenth of its analysis.
// A warm scan reads each file's outline from the cache and keeps its analysis as text until a
// rule reads it (see cache.ts), so a command that checks nothing (scan, size) parses none.

/** Tasks counted: all of them, those in loops, the mapped ones, and those either way (expanded when they run). */
export interface TaskCount {
  tasks: number;
  inLoop: number;
  mapped: number;
  expanded: number;
}

export interface FileOutline {
  syntax: PyAnalysis['syntax'];
  /** The line of the first syntax error, if any. */
  errorLine: number | null;
  dags: PyDag[];
  /** The tasks of each DAG, by its index in `dags`. */
  tasksByDag: TaskCount[];
  /** Tasks tied to no DAG. */
  untied: TaskCount;
  imports: number;
  /** The imports that may load a file of the DAG folder (see importCandidates). */
  localImports: Pick<PyImport, 'level' | 'module' | 'name'>[];
  /** The names of the environment variables the file reads, each once. */
  envReads: string[];
  parseTimeCalls: number;
}

/** Whether an import may load a file of the DAG folder: relative, or of another package than airflow's. */
export const mayBeLocal = (imp: Pick<PyImport, 'level' | 'module'>): boolean => imp.level > 0 || !/^(airflow|__future__)(\.|$)/.test(imp.module);

const count = (): TaskCount => ({ tasks: 0, inLoop: 0, mapped: 0, expanded: 0 });

export function outlineFrom(a: PyAnalysis): FileOutline {
  const tasksByDag = a.dags.map(count);
  const untied = count();
  for (const t of a.tasks) {
    const c = t.dag === null ? untied : (tasksByDag[t.dag] ??= count());
    c.tasks++;
    if (t.inLoop) c.inLoop++;
    if (t.mapped) c.mapped++;
    if (t.inLoop || t.mapped) c.expanded++;
  }
  // A task tied to a DAG index past the file's DAGs would leave holes.
  for (let i = 0; i < tasksByDag.length; i++) tasksByDag[i] ??= count();
  const localImports: FileOutline['localImports'] = [];
  for (const { level, module, name } of a.imports) if (mayBeLocal({ level, module })) localImports.push({ level, module, name });
  return {
    syntax: a.syntax,
    errorLine: a.syntaxErrors[0]?.line ?? null,
    dags: a.dags,
    tasksByDag,
    untied,
    imports: a.imports.length,
    localImports,
    envReads: [...new Set(a.envReads.map((r) => r.name))],
    parseTimeCalls: a.parseTimeCalls.length,
  };
}

// Outlines read from the cache, by file (the analysis may not be parsed yet); made ones, by analysis.
const known = new WeakMap<object, FileOutline>();

/** Marks a file's outline as read from the cache: outlineOf answers with it without reading the analysis. */
export function knowOutline(file: PyFile, outline: FileOutline): void {
  known.set(file, outline);
}

/** Forgets the outline read from the cache for a file whose analysis is replaced. */
export function forgetOutline(file: object): void {
  known.delete(file);
}

/** The file's outline; null when it has no analysis. */
export function outlineOf(file: PyFile): FileOutline | null {
  const kept = known.get(file);
  if (kept) return kept;
  return file.analysis && outlineOfAnalysis(file.analysis);
}

/** An analysis's outline as the cache read it with the analysis: not made again. */
export function keepOutline(a: PyAnalysis, outline: FileOutline): void {
  known.set(a, outline);
}

/** An analysis's outline, made once. */
export function outlineOfAnalysis(a: PyAnalysis): FileOutline {
  let o = known.get(a);
  if (!o) known.set(a, (o = outlineFrom(a)));
  return o;
}

/** The tasks of all of these counts together. */
export function sumTasks(counts: TaskCount[]): TaskCount {
  const sum = count();
  for (const c of counts) {
    sum.tasks += c.tasks;
    sum.inLoop += c.inLoop;
    sum.mapped += c.mapped;
    sum.expanded += c.expanded;
  }
  return sum;
}
