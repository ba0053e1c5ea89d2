import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { PositionEncoding, Workspace } from '@astral-sh/ruff-wasm-nodejs';
import { unzipSync } from 'fflate';
import { cliAsync } from '../helpers.js';

// The independent oracle: ruff's own Airflow 3 rules (WebAssembly build, preview on) over the
// Python sources of a home, and the names our real CLI's findings mention in the same file.

/** ruff reports its rule names; the codes are how users (and the issue) select them. */
const RULE_CODES: Record<string, string> = {
  'airflow-dag-no-schedule-argument': 'AIR002',
  'airflow3-removal': 'AIR301',
  'airflow3-moved-to-provider': 'AIR302',
  'airflow3-suggested-update': 'AIR311',
  'airflow3-suggested-to-move-to-provider': 'AIR312',
  'airflow3-dag-dynamic-value': 'AIR304',
  'airflow3-incompatible-function-signature': 'AIR303',
  'airflow31-moved': 'AIR321',
};
export const RUFF_SELECT = Object.values(RULE_CODES);

export interface PySource {
  /** Path relative to the home, as our findings spell it (zip members as `dags/x.zip/member.py`). */
  file: string;
  text: string;
  /** Inside a zip: `ruff check <home>` never reads it. */
  zipped: boolean;
}

export interface RuffDiagnostic {
  file: string;
  line: number;
  code: string;
  message: string;
  /** The thing ruff names: the first backquoted token of its message, `inlet_events["<uri>"]` → `inlet_events`. */
  name: string;
  /** ruff offers a fix for it. */
  fixable: boolean;
}

export interface OurFinding {
  ruleId: string;
  file: string;
  line: number;
  text: string;
  message: string;
  related?: { file: string; line: number }[];
}

let workspace: Workspace | undefined;

/** ruff's Airflow 3 diagnostics for one source (syntax errors and other rules are dropped). */
export function ruffCheck(src: PySource): RuffDiagnostic[] {
  workspace ??= new Workspace({ lint: { select: RUFF_SELECT, preview: true } }, PositionEncoding.Utf16);
  const raw = workspace.check(src.text) as { code: string | null; message: string; start_location: { row: number }; fix: unknown }[];
  return raw
    .filter((d) => d.code !== null && d.code !== 'invalid-syntax')
    .map((d) => {
      const code = RULE_CODES[d.code!];
      // A renamed or new rule must be looked at, not silently ignored.
      if (!code) throw new Error(`ruff reported an unknown rule ${d.code}: ${d.message}`);
      const name = /`([^`]+)`/.exec(d.message)?.[1]?.replace(/\[.*$/, '') ?? '';
      return { file: src.file, line: d.start_location.row, code, message: d.message, name, fixable: d.fix != null };
    });
}

/** Every .py file of a home, and every .py member of its zip files (as Airflow and our scanner read them). */
export function pythonSources(home: string): PySource[] {
  const out: PySource[] = [];
  const push = (file: string, text: string | null, zipped: boolean): void => {
    if (text !== null) out.push({ file, text, zipped });
  };
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const file = relative(home, path).split(sep).join('/');
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.py')) push(file, decode(readFileSync(path)), false);
      else if (entry.name.endsWith('.zip')) for (const [name, bytes] of zipMembers(path)) push(`${file}/${name}`, decode(bytes), true);
    }
  };
  walk(home);
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

function zipMembers(path: string): [string, Uint8Array][] {
  try {
    return Object.entries(unzipSync(readFileSync(path))).filter(([name]) => name.endsWith('.py'));
  } catch {
    return []; // a corrupt zip (the broken home has one): nothing for either tool to read
  }
}

/**
 * As Python reads a source: UTF-8, or the encoding its PEP 263 coding cookie names; without one,
 * Python refuses the file (as does native ruff), so there is nothing to compare (null).
 */
function decode(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200)).split('\n').slice(0, 2).join('\n');
    const cookie = /coding[:=]\s*([-\w.]+)/.exec(head)?.[1];
    // Python's spellings (latin-1, iso_8859_1) are not all WHATWG labels.
    return cookie ? new TextDecoder(cookie.replace(/^latin[-_]1$/i, 'latin1').replace(/_/g, '-')).decode(bytes) : null;
  }
}

export interface OurReport {
  /** The Airflow version the report judged against (the default target, as no flag is passed). */
  target: string;
  findings: OurFinding[];
}

/** Our report on a home: the real CLI, no flags but the JSON format and never failing. */
export async function ourReport(home: string): Promise<OurReport> {
  const run = await cliAsync(['report', home, '--format', 'json', '--fail-on', 'never']);
  if (run.code !== 0) throw new Error(`report ${home} exited ${run.code}: ${run.stderr}`);
  const report = JSON.parse(run.stdout) as { target: { version: string }; findings: OurFinding[] };
  return { target: report.target.version, findings: report.findings };
}

/** `needle` as a whole identifier; `whole` also refuses it as the tail of a longer dotted name. */
const bounded = (haystack: string, needle: string, whole = false): boolean =>
  new RegExp(`(^|[^A-Za-z0-9_${whole ? '.' : ''}])${needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9_])`).test(haystack);

/**
 * Does this finding name the thing? The full name or a dotted suffix of two parts or more
 * (`TriggerRule.DUMMY`; not as the tail of a longer path, such as a replacement's
 * `airflow.providers.standard.operators.python.PythonOperator`) in its text or message; a bare
 * name (an argument, a context key, a plugin attribute) in either too. The last part of a dotted name alone
 * (`PythonOperator`) counts only in `text`, the finding's subject: in a message it is as often
 * the subject of another finding ("PythonOperator argument provide_context was removed").
 */
export function names(f: OurFinding, name: string): boolean {
  const parts = name.split('.');
  if (parts.length === 1) return bounded(f.text, name) || bounded(f.message, name);
  if (bounded(f.text, name) || bounded(f.message, name)) return true;
  for (let i = 1; i < parts.length - 1; i++) {
    const suffix = parts.slice(i).join('.');
    if (bounded(f.text, suffix, true) || bounded(f.message, suffix, true)) return true;
  }
  return bounded(f.text, parts[parts.length - 1]!);
}

/** The findings in a file that name the thing. */
export function namedBy(findings: OurFinding[], file: string, name: string): OurFinding[] {
  return findings.filter((f) => f.file === file && names(f, name));
}

/**
 * Whether our findings cover a ruff diagnostic: by name in the same file, except AIR002 (a DAG
 * with no schedule), whose message names only the missing argument: ARG015 on the same line.
 */
export function covered(findings: OurFinding[], d: RuffDiagnostic): boolean {
  if (d.code === 'AIR002') return findings.some((f) => f.ruleId === 'ARG015' && f.file === d.file && f.line === d.line);
  return namedBy(findings, d.file, d.name).length > 0;
}
