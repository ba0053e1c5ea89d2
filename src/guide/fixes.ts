import type { Catalog } from '../check/catalog.js';
import { check } from '../check/engine.js';
import { loadProject } from '../check/project.js';
import { planFixes, type NotFixed } from '../fix/home.js';
import { unifiedDiff } from '../fix/write.js';
import type { Inventory } from '../home/inventory.js';
import type { FixedCode, FixSettings } from '../plan/fixed.js';
import { excerptAround, redactCode, splitLines, type SafeLines } from '../report/excerpts.js';
import { plural, type SourceLines } from '../report/model.js';
import type { FixPaneView } from '../ui/types.js';

// "Apply the safe fixes" in the walkthrough's findings step: the `fix` command's diff as data,
// the lines findings of the fixed copy point at, and the pane's texts. Nothing here writes: the
// home stays as it is, and the plan uploads the fixed copies (as `plan --fix` does).

/** The fixes the walkthrough offers: only those that cannot shift what the code means. */
export const SAFE_FIXES: FixSettings = { unsafe: false };

/** What `mwaa-migrate fix` would do to the home. */
export interface FixPreview {
  /** Its unified diff, line by line. */
  diff: string[];
  fixes: number;
  files: number;
  /** Fixes left because they may shift the meaning. */
  unsafeLeft: number;
  /** Findings of fixable rules left to fix by hand. */
  notFixed: NotFixed[];
}

/** The `fix` command's check, fixes and diff for the home, with the walkthrough's fix settings. */
export function previewFixes(inv: Inventory, catalog: Catalog, target: string, now: Date): FixPreview {
  const { findings } = check(inv, catalog, { target, project: loadProject(inv.home), now, replacements: true });
  const plan = planFixes(inv, findings, catalog, inv.home, { unsafe: SAFE_FIXES.unsafe });
  const diff = unifiedDiff(plan.files);
  return {
    // Credential-like literals in the context lines are hidden, as in the findings' excerpts.
    diff: diff ? diff.replace(/\n$/, '').split('\n').map(redactCode) : [],
    fixes: plan.files.reduce((n, f) => n + f.fixes, 0),
    files: plan.files.length,
    unsafeLeft: plan.unsafeLeft,
    notFixed: plan.notFixed,
  };
}

/** The home's lines, but the fixed copy's for the files the fixes changed: findings of the fixed copy point at those. */
export function fixedSources(home: SourceLines, fixed: FixedCode | null): SourceLines {
  const decoded = new Map<string, SafeLines>();
  return {
    excerpt(file, line) {
      const f = fixed?.files.get(file);
      if (!f) return home.excerpt(file, line);
      let lines = decoded.get(file);
      if (!lines) {
        decoded.set(file, (lines = splitLines(new TextDecoder().decode(f.bytes).split(/\r\n|\r|\n/), redactCode)));
      }
      return excerptAround(lines, line);
    },
  };
}

/** "92 fixes in 9 files". */
export const fixCount = (fixes: number, files: number): string => `${plural(fixes, 'fix', 'fixes')} in ${plural(files, 'file')}`;

/** What the safe fixes leave, as clauses: those that may shift the meaning, those to do by hand. */
function left(p: FixPreview): string[] {
  return [
    ...(p.unsafeLeft ? [`${plural(p.unsafeLeft, 'more fix', 'more fixes')} may shift the meaning and ${p.unsafeLeft === 1 ? 'is' : 'are'} left`] : []),
    ...(p.notFixed.length ? [`${plural(p.notFixed.length, 'finding')} of fixable rules left to fix by hand`] : []),
  ];
}

/** The pane over the findings list; null when there is nothing to take (the notice says so instead). */
export function fixPane(p: FixPreview, onFixedCopy: boolean): FixPaneView | null {
  if (onFixedCopy) return { kind: 'undo', lines: p.diff, scroll: 0, summary: `The plan uploads the fixed copies: ${fixCount(p.fixes, p.files)}; the home is not changed.` };
  if (p.fixes === 0) return null;
  const summary = [fixCount(p.fixes, p.files), ...left(p), 'the home is not changed: the fixed copies are what gets uploaded'].join('; ');
  return { kind: 'take', lines: p.diff, scroll: 0, summary: `${summary}.` };
}

/** The notice of a home the safe fixes do not change. */
export const nothingToFix = (p: FixPreview): string => ['nothing to fix safely here', ...left(p)].join('; ');

/** The notice once the pane's choice is made: how many fixes the plan uploads, and what is left. */
export function switchedNotice(fixed: { fixes: number; files: number } | undefined, findings: number): string {
  const n = plural(findings, 'finding');
  return fixed ? `going on with the fixed copy: ${fixCount(fixed.fixes, fixed.files)} will be uploaded (the home is not changed); ${n} left` : `back to the home's files as they are: no fixes will be uploaded; ${n}`;
}

/** How many fixes the fixed copy holds, in how many files; undefined without one. */
export function fixedCounts(fixed: FixedCode | null): { fixes: number; files: number } | undefined {
  if (!fixed) return undefined;
  return { fixes: [...fixed.files.values()].reduce((n, f) => n + f.summary.count, 0), files: fixed.files.size };
}

/** The pane scrolled, kept within its lines. */
export const scrolled = (pane: FixPaneView, delta: number): FixPaneView => ({ ...pane, scroll: Math.max(0, Math.min(pane.lines.length - 1, pane.scroll + delta)) });
