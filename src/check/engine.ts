import ignore from 'ignore';
import type { Inventory, PyFile } from '../home/inventory.js';
import { fileScoped, MATCHERS } from './matchers/index.js';
import { emptyProject, type ProjectFile } from './project.js';
import type { Catalog } from './catalog.js';
import type { CheckContext, CheckResult, Finding, FixableFinding, FixSafety, Hit, RuleDef, SuppressedFinding } from './types.js';
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

/** The order of a check's findings: by file, line, column and rule (a stable sort keeps the rules' order within). */
export const findingOrder = (a: Finding, b: Finding): number => compareNames(a.file, b.file) || a.line - b.line || a.col - b.col || compareNames(a.ruleId, b.ruleId);

/** Every rule that applies to a home, on its whole inventory. */
export function check(inv: Inventory, catalog: Catalog, options: CheckOptions = {}): CheckResult {
  return new Checker(inv, catalog, options).finish(inv);
}

interface RuleRun {
  rule: RuleDef;
  /** Whether its hits in a file come from that file alone (see fileScoped). */
  perFile: boolean;
  ignored: boolean;
  /** Files the project file's findings list for this rule. */
  paths: Set<string>;
}

/**
 * One check of one home, in parts: the per-file rules on groups of files as they come (the scan's
 * answers, see as-scanned.ts), then finish() with the whole inventory for the files not yet
 * checked and the rules that read the whole home. The rules and their order, the version they
 * reason from and the findings' texts are decided once, from the inventory it starts with, which
 * must agree with the finished one on every fact the per-file rules read (as-scanned.ts makes sure).
 */
export class Checker {
  private readonly target: string;
  private readonly detected: string | null;
  private readonly ctx: CheckContext;
  private readonly runs: RuleRun[];
  private readonly ignoredPaths: ReturnType<typeof ignore> | null;
  private readonly suppressionsByFile = new Map<string, Map<number, string[]>>();
  private readonly findings: FixableFinding[] = [];
  private readonly suppressed: SuppressedFinding[] = [];
  // Made per check, so that the texts of one home are not kept after its report.
  private readonly templates = new Map<string, Template>();
  // Related places' messages, made by the matchers, kept once each likewise.
  private readonly distinct = new Map<string, string>();
  /** The paths of the files the per-file rules have checked. */
  private readonly checked = new Set<string>();

  constructor(basis: Inventory, catalog: Catalog, private readonly options: CheckOptions) {
    this.target = options.target ?? defaultTarget();
    this.detected = detectedVersion(basis.airflowVersion);
    this.ctx = makeContext(this.detected, this.target, options.now);
    const project = options.project ?? emptyProject();
    // Asked of every hit (100,000s): only when the project file ignores some paths.
    this.ignoredPaths = project.ignore.paths.length ? ignore().add(project.ignore.paths) : null;
    this.runs = catalog.rules.filter((r) => this.applies(r)).map((rule) => ({
      rule,
      perFile: fileScoped(rule.match),
      ignored: project.ignore.rules.includes(rule.id),
      paths: new Set(project.ignore.findings.filter((f) => f.rule === rule.id).map((f) => f.path)),
    }));
  }

  /** The per-file rules on these files (of an inventory agreeing with the one it started with); each file once. */
  files(view: Inventory): void {
    for (const f of view.dagFiles) this.checked.add(f.path);
    for (const f of view.plugins.files) this.checked.add(f.path);
    this.run(view, true);
  }

  /** The per-file rules on the files not checked yet, every other rule on the whole inventory; the findings in order. */
  finish(inv: Inventory): CheckResult {
    const unchecked = (files: PyFile[]) => (this.checked.size ? files.filter((f) => !this.checked.has(f.path)) : files);
    // A view of its own even when nothing was checked: the rules' indexes are kept per view, so they go with the check.
    this.files({ ...inv, dagFiles: unchecked(inv.dagFiles), plugins: { ...inv.plugins, files: unchecked(inv.plugins.files) } });
    this.run(inv, false);
    return { target: this.target, detected: this.detected, findings: this.findings.sort(findingOrder), suppressed: this.suppressed.sort(findingOrder) };
  }

  private applies(r: RuleDef): boolean {
    const { options, ctx, target, detected } = this;
    return (
      (!options.select?.length || picks(r.id, options.select)) &&
      !(options.ignore?.length && picks(r.id, options.ignore)) &&
      (!r.since || ctx.crosses(r.since)) &&
      (!r.target || inRange(target, r.target)) &&
      (!r.detected || detected === null || inRange(detected, r.detected))
    );
  }

  private run(inv: Inventory, perFile: boolean): void {
    if (perFile) {
      for (const f of inv.dagFiles) this.noteSuppressions(f);
      for (const f of inv.plugins.files) this.noteSuppressions(f);
    }
    for (const run of this.runs) {
      if (run.perFile !== perFile) continue;
      for (const hit of MATCHERS[run.rule.match.kind]!(inv, this.ctx, run.rule.match)) this.add(run, hit);
    }
  }

  private noteSuppressions(f: PyFile): void {
    if (f.analysis?.suppressions.length) this.suppressionsByFile.set(f.path, new Map(f.analysis.suppressions.map((s) => [s.line, s.ids])));
  }

  private add({ rule, ignored, paths }: RuleRun, hit: Hit): void {
    const finding: FixableFinding = {
      ruleId: rule.id,
      family: rule.family,
      severity: hit.severity ?? rule.severity,
      title: rule.title,
      file: hit.file,
      line: hit.line,
      col: hit.col,
      text: hit.text,
      message: this.fill(rule.message, hit.vars),
      fix: this.fill(rule.fix, hit.vars),
      docs: rule.docs,
    };
    // Set after, not spread in: no throwaway object per finding.
    if (hit.related?.length) {
      for (const r of hit.related) r.message = this.once(r.message);
      finding.related = hit.related;
    }
    if (this.options.replacements && hit.fix && rule.fixable) {
      finding.fixIntent = hit.fix;
      finding.fixSafety = safetyOf(rule, hit.text);
    }
    const inline = this.suppressionsByFile.get(hit.file)?.get(hit.line);
    const byProject =
      ignored || (this.ignoredPaths !== null && hit.file !== '' && !hit.file.startsWith('/') && this.ignoredPaths.ignores(hit.file)) || paths.has(hit.file);
    if (inline && (inline.includes('*') || inline.includes(rule.id))) this.suppressed.push({ ...finding, suppressedBy: 'comment' });
    else if (byProject) this.suppressed.push({ ...finding, suppressedBy: 'project-file' });
    else this.findings.push(finding);
  }

  private fill(template: string, vars: Record<string, string> | undefined): string {
    let t = this.templates.get(template);
    if (!t) this.templates.set(template, (t = new Template(template)));
    return t.fill(vars);
  }

  private once(s: string): string {
    const kept = this.distinct.get(s);
    if (kept !== undefined) return kept;
    this.distinct.set(s, s);
    return s;
  }
}
