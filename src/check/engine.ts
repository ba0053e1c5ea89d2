import ignore from 'ignore';
import type { Inventory } from '../home/inventory.js';
import { MATCHERS } from './matchers/index.js';
import { emptyProject, type ProjectFile } from './project.js';
import type { Catalog } from './catalog.js';
import type { CheckResult, Finding, FixableFinding, FixSafety, RuleDef, SuppressedFinding } from './types.js';
import { defaultTarget } from '../refdata/mwaa.js';
import { detectedVersion, inRange, makeContext } from './versions.js';
import { compareNames } from '../collate.js';

// Inventory + target -> findings. Pure: the catalogue and project file come in as values.

export interface CheckOptions {
  target?: string;
  /** Only these rule ids (or family prefixes); all when empty. */
  select?: string[];
  ignore?: string[];
  project?: ProjectFile;
  /** What "now" is for findings that depend on the date (see src/clock.ts); the current time by default. */
  now?: Date;
  /** Carry each fixable hit's fix intent and safety into its finding (for fix and plan --fix). */
  replacements?: boolean;
}

/** A rule's fix safety, lowered for the hits its entry lists as unsafe. */
const safetyOf = (rule: RuleDef, text: string): FixSafety => (rule.unsafeFixes?.includes(text) ? 'unsafe' : rule.fixable!);

const picks = (id: string, list: string[]) => list.some((p) => id === p || id.startsWith(p));

type Memo = Map<string | undefined, Memo | string>;

/**
 * A rule's message or fix, split once into text and `{name}` slots. It is filled for every hit
 * (100,000s) but takes a few thousand distinct values: each is made once, found again through its
 * slots' values (mostly names from the analyses, whose hashes V8 keeps), not by hashing the filled
 * text, which took a tenth of a large home's check. Equal hits share one string, which halves
 * the memory of a large report's findings.
 */
class Template {
  private readonly parts: string[];
  private readonly memo: Memo = new Map();
  constructor(text: string) {
    this.parts = text.split(/\{(\w+)\}/);
  }

  fill(vars: Record<string, string> | undefined): string {
    const parts = this.parts;
    if (parts.length === 1) return parts[0]!;
    let level = this.memo;
    for (let i = 1; i < parts.length - 2; i += 2) {
      const v = vars?.[parts[i]!];
      let next = level.get(v) as Memo | undefined;
      if (!next) level.set(v, (next = new Map()));
      level = next;
    }
    const last = vars?.[parts[parts.length - 2]!];
    let text = level.get(last) as string | undefined;
    if (text === undefined) level.set(last, (text = this.render(vars)));
    return text;
  }

  private render(vars: Record<string, string> | undefined): string {
    const parts = this.parts;
    let out = parts[0]!;
    for (let i = 1; i < parts.length; i += 2) out += (vars?.[parts[i]!] ?? `{${parts[i]}}`) + parts[i + 1]!;
    return out;
  }
}

export function check(inv: Inventory, catalog: Catalog, options: CheckOptions = {}): CheckResult {
  const target = options.target ?? defaultTarget();
  const detected = detectedVersion(inv.airflowVersion);
  const ctx = makeContext(detected, target, options.now);
  const project = options.project ?? emptyProject();
  // Asked of every hit (100,000s): only when the project file ignores some paths.
  const ignoredPaths = project.ignore.paths.length ? ignore().add(project.ignore.paths) : null;
  const suppressionsByFile = new Map<string, Map<number, string[]>>();
  for (const f of [...inv.dagFiles, ...inv.plugins.files]) {
    if (f.analysis?.suppressions.length) suppressionsByFile.set(f.path, new Map(f.analysis.suppressions.map((s) => [s.line, s.ids])));
  }

  const applies = (r: RuleDef) =>
    (!options.select?.length || picks(r.id, options.select)) &&
    !(options.ignore?.length && picks(r.id, options.ignore)) &&
    (!r.since || ctx.crosses(r.since)) &&
    (!r.target || inRange(target, r.target)) &&
    (!r.detected || detected === null || inRange(detected, r.detected));

  const findings: FixableFinding[] = [];
  const suppressed: SuppressedFinding[] = [];
  // Made per check, so that the texts of one home are not kept after its report.
  const templates = new Map<string, Template>();
  const fill = (template: string, vars: Record<string, string> | undefined): string => {
    let t = templates.get(template);
    if (!t) templates.set(template, (t = new Template(template)));
    return t.fill(vars);
  };
  // Related places' messages, made by the matchers, kept once each likewise.
  const distinct = new Map<string, string>();
  const once = (s: string): string => {
    const kept = distinct.get(s);
    if (kept !== undefined) return kept;
    distinct.set(s, s);
    return s;
  };
  for (const rule of catalog.rules.filter(applies)) {
    const ruleIgnored = project.ignore.rules.includes(rule.id);
    const pathsIgnored = new Set(project.ignore.findings.filter((f) => f.rule === rule.id).map((f) => f.path));
    for (const hit of MATCHERS[rule.match.kind]!(inv, ctx, rule.match)) {
      const finding: FixableFinding = {
        ruleId: rule.id,
        family: rule.family,
        severity: hit.severity ?? rule.severity,
        title: rule.title,
        file: hit.file,
        line: hit.line,
        col: hit.col,
        text: hit.text,
        message: fill(rule.message, hit.vars),
        fix: fill(rule.fix, hit.vars),
        docs: rule.docs,
      };
      // Set after, not spread in: no throwaway object per finding.
      if (hit.related?.length) {
        for (const r of hit.related) r.message = once(r.message);
        finding.related = hit.related;
      }
      if (options.replacements && hit.fix && rule.fixable) {
        finding.fixIntent = hit.fix;
        finding.fixSafety = safetyOf(rule, hit.text);
      }
      const inline = suppressionsByFile.get(hit.file)?.get(hit.line);
      const byProject =
        ruleIgnored ||
        (ignoredPaths !== null && hit.file !== '' && !hit.file.startsWith('/') && ignoredPaths.ignores(hit.file)) ||
        pathsIgnored.has(hit.file);
      if (inline && (inline.includes('*') || inline.includes(rule.id))) suppressed.push({ ...finding, suppressedBy: 'comment' });
      else if (byProject) suppressed.push({ ...finding, suppressedBy: 'project-file' });
      else findings.push(finding);
    }
  }
  const order = (a: Finding, b: Finding) => compareNames(a.file, b.file) || a.line - b.line || a.col - b.col || compareNames(a.ruleId, b.ruleId);
  return { target, detected, findings: findings.sort(order), suppressed: suppressed.sort(order) };
}
