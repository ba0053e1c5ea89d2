import type { Inventory } from '../home/inventory.js';

// The rules engine's vocabulary. A rule is data (rules/*.yaml); what it matches is one of a
// fixed set of matchers (src/check/matchers/), each a pure function of the Inventory.

export type Severity = 'error' | 'warning' | 'info';
export const SEVERITIES: Severity[] = ['error', 'warning', 'info'];

export interface RuleDef {
  id: string; // e.g. IMP001: family prefix + number, never reused
  family: string; // IMP, ARG, CFG, SEC, REQ, PLG, MWAA, CODE
  title: string;
  severity: Severity;
  /** The Airflow version where the change happens: the rule applies when since <= target, whatever the detected version. */
  since?: string;
  /** PEP 440 ranges the detected and the target version must satisfy. */
  detected?: string;
  target?: string;
  match: { kind: string } & Record<string, unknown>;
  /** Templates: {name} is replaced by the matcher's variables for each hit. */
  message: string;
  fix: string;
  docs: string;
  why?: string;
  /** Whether `mwaa-migrate fix` can apply the fix: safe (the program means the same) or unsafe (meaning may shift). */
  fixable?: 'safe' | 'unsafe';
  /** Where the rule was read from, for error messages. */
  source?: string;
}

export interface Hit {
  file: string; // relative to the home
  line: number;
  col: number;
  /** The matched text, never a secret. */
  text: string;
  vars?: Record<string, string>;
  /** Overrides the rule's severity for this hit (table rows that still work vs are gone). */
  severity?: Severity;
  /** Other places that belong to the finding, e.g. the import of a name used here. */
  related?: RelatedLocation[];
  /** import-table: the one dotted path the name has on the target, for `fix`. */
  replacement?: string;
}

export interface RelatedLocation {
  file: string;
  line: number;
  col: number;
  message: string;
}

export interface CheckContext {
  /** The detected version (or the lower bound of the detected family), null when unknown. */
  detected: string | null;
  target: string;
  /**
   * version <= target: the target has the change, so code written before it breaks there,
   * whatever version the home runs today (a guessed source version never silences a rule).
   */
  crosses(version: string): boolean;
  /** The detected version is known and older than `version`: for wording only. */
  detectedBefore(version: string): boolean;
  /** True when a PEP 440 range holds for the target. */
  targetIn(range: string): boolean;
  /** The instant findings that depend on the date (runs a catchup DAG would backfill) count up to. */
  now: Date;
}

export type Matcher = (inv: Inventory, ctx: CheckContext, params: Record<string, unknown>) => Hit[];

export interface Finding {
  ruleId: string;
  family: string;
  severity: Severity;
  title: string;
  file: string;
  line: number;
  col: number;
  text: string;
  message: string;
  fix: string;
  docs: string;
  related?: RelatedLocation[];
}

/** A finding as check makes it with CheckOptions.replacements (for fix): reports never carry the path. */
export interface FixableFinding extends Finding {
  replacement?: string;
}

export interface SuppressedFinding extends Finding {
  suppressedBy: 'comment' | 'project-file';
}

export interface CheckResult {
  target: string;
  detected: string | null;
  findings: FixableFinding[];
  suppressed: SuppressedFinding[];
}
