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
  fixable?: FixSafety;
  /** Hits (by matched text) whose fix is unsafe although the rule's is safe, e.g. removing `sla`. */
  unsafeFixes?: string[];
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
  /** What `fix` changes for this hit, found again in the re-parsed file at the hit's position. */
  fix?: FixIntent;
}

/**
 * A fix, as data: what to change and to what, not where in the bytes (the analysis that made the
 * hit keeps no offsets; src/fix/ locates the nodes again from the hit's line and column).
 */
export type FixIntent =
  /** The import at the hit (and the uses it binds) goes to this dotted path. */
  | { kind: 'import'; path: string }
  /**
   * Keyword argument `name` of the call at the hit (a DAG, task or decorator call), or of a call of
   * `callee` inside it (a schedule class): renamed, or removed when `to` is null. With `ifMovedTo`,
   * only when fix moves the file's import of the class to that path (the old class keeps the old name).
   */
  | { kind: 'keyword'; name: string; to: string | null; callee?: string; ifMovedTo?: string }
  /** Key `name` of the default_args dict of the DAG at the hit: renamed, or removed when `to` is null. */
  | { kind: 'default-args-key'; name: string; to: string | null }
  /** The string value `from` of keyword `argument` of the call at the hit (or of its DAG's default_args). */
  | { kind: 'value'; argument: string; from: string; to: string; inDefaultArgs: boolean }
  /** The attribute at the hit, e.g. TriggerRule.NONE_FAILED_OR_SKIPPED: its last name replaced. */
  | { kind: 'attribute'; from: string; to: string }
  /** The decorator `name` on the definition at the hit removed, and its import when nothing else uses it. */
  | { kind: 'decorator'; name: string }
  /** A task-context key read at the hit: a lookup's string, a template name, or a callable's parameter with its reads, renamed. */
  | { kind: 'context'; key: string; to: string; via: 'subscript' | 'get' | 'template' | 'parameter' }
  /** A days_ago(n) call at the hit rewritten as the same instant with pendulum; at its import, the import once unused. */
  | { kind: 'days-ago' }
  /**
   * With `taskGroup`: the SubDagOperator call at the hit, and the factory in the file that builds
   * its sub-DAG, rewritten to build a TaskGroup instead. Without: at an import (or use) of
   * SubDagOperator, the import once no call uses it.
   */
  | { kind: 'subdag'; taskGroup?: SubDagRewrite };

/** What a SubDagOperator's sub-DAG becomes: rules/arguments.yaml's ARG009 gives the argument lists. */
export interface SubDagRewrite {
  /** The dotted path TaskGroup is imported from on the target. */
  path: string;
  /** Arguments of the sub-DAG's DAG(...) the TaskGroup takes as they are. */
  keep: string[];
  /** Arguments of the sub-DAG's DAG(...) that mean nothing for a group (its own schedule and runs). */
  drop: string[];
  /** Arguments of SubDagOperator(...) besides task_id, subdag and dag that go with it. */
  dropFromCall: string[];
}

export type FixSafety = 'safe' | 'unsafe';

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

export type Matcher = (inv: Inventory, ctx: CheckContext, params: Record<string, unknown>) => Iterable<Hit>;

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

/** A finding as check makes it with CheckOptions.replacements (for fix): reports never carry the intent. */
export interface FixableFinding extends Finding {
  fixIntent?: FixIntent;
  /** Whether the rule (and this hit of it) has a safe fix, or only one that may shift the meaning. */
  fixSafety?: FixSafety;
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
