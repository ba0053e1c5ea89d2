// What the walkthrough's screens show (view models) and what they can ask for (actions). The
// controller (src/guide/) builds the views from its state and implements the actions; the
// components only render views and turn keys into actions.

export type StepId = 'home' | 'scan' | 'findings' | 'target' | 'sizing' | 'aws' | 'connections' | 'plan' | 'apply' | 'done';

export const STEPS: { id: StepId; title: string }[] = [
  { id: 'home', title: 'Home' },
  { id: 'scan', title: 'Scan' },
  { id: 'findings', title: 'Findings' },
  { id: 'target', title: 'Version' },
  { id: 'sizing', title: 'Size' },
  { id: 'aws', title: 'AWS' },
  { id: 'connections', title: 'Secrets' },
  { id: 'plan', title: 'Plan' },
  { id: 'apply', title: 'Apply' },
  { id: 'done', title: 'Done' },
];

export type Severity = 'error' | 'warning' | 'info';

export interface Counts {
  error: number;
  warning: number;
  info: number;
  total: number;
}

export interface HomeProbe {
  /** airflow: has airflow.cfg or dags/; folder: a folder without either; missing: nothing there. */
  status: 'airflow' | 'folder' | 'missing' | 'not-a-folder';
  detail: string;
}

export interface HomeView {
  input: string;
  candidates: { path: string; why: string; probe: HomeProbe }[];
  probe: HomeProbe | null;
  /** What Tab would complete to, when more than one. */
  completions: string[];
}

export interface ScanSummary {
  home: string;
  version: string;
  why: string;
  counts: [label: string, n: number][];
  findings: Counts;
  /** One row per rule family, most findings first. */
  histogram: ({ family: string } & Counts)[];
  suppressed: number;
  problems: string[];
  envFile: string | null;
  target: string;
}

export interface ScanView {
  status: 'running' | 'done' | 'error';
  phase: string;
  filesFound: number;
  filesRead: number;
  dags: number;
  elapsedMs: number;
  error?: string;
  summary?: ScanSummary;
}

export interface FindingItem {
  ruleId: string;
  family: string;
  severity: Severity;
  title: string;
  location: string;
  message: string;
  fix: string;
  docs: string;
  why?: string;
  excerpt?: { line: number; text: string; hit: boolean }[];
}

/** What the findings list is narrowed to; null: any. */
export interface FindingFilter {
  severity: Severity | null;
  family: string | null;
  rule: string | null;
  /** The file part of a location ("dags/a.py"), or the location itself when it has no line. */
  file: string | null;
}

export type FilterKind = keyof FindingFilter;

/** The safe fixes, over the findings list while open: their diff, to take them or (on the fixed copy) to go back. */
export interface FixPaneView {
  /** take: Enter goes on with the fixed copy; undo: the walkthrough is on it, Enter goes back to the home's files. */
  kind: 'take' | 'undo';
  /** The unified diff of the fixes, as `mwaa-migrate fix` prints it, line by line. */
  lines: string[];
  scroll: number;
  /** How many fixes in how many files, what they leave, and that the home is not changed. */
  summary: string;
}

export interface FindingsView {
  /** The findings the filter lets through, sorted by severity, then family, then place: the groups are runs of equal severity and family. */
  items: FindingItem[];
  /** All findings, before the filter. */
  total: number;
  filter: FindingFilter;
  cursor: number;
  suppressed: number;
  projectFile: string;
  rechecking: boolean;
  notice?: string;
  fixPane?: FixPaneView;
  /** Set while the walkthrough goes on with the fixed copy: the findings are of it, and the plan uploads it. */
  fixed?: { fixes: number; files: number };
}

export interface TargetRow {
  version: string;
  python: string;
  status: string;
  /** In the MWAA API model (CreateEnvironment accepts it today). */
  supported: boolean;
  findings: Counts;
  isDefault: boolean;
}

export interface TargetView {
  rows: TargetRow[];
  cursor: number;
  chosen: string;
}

export interface SizingRow {
  environmentClass: string;
  role: string;
  workers: string;
  floor: string;
  expected: string;
  ceiling: string;
}

export interface SizingView {
  headline: string;
  reasons: string[];
  from: string;
  title: string;
  rows: SizingRow[];
  cursor: number;
  chosen: string;
  notes: string[];
}

export interface FieldOption {
  value: string;
  label: string;
}

export interface AwsField {
  key: 'name' | 'profile' | 'region' | 'bucket' | 'role' | 'vpc' | 'subnets' | 'securityGroups';
  label: string;
  /** text: typed; choice: one of options; multi: several of options. */
  kind: 'text' | 'choice' | 'multi';
  value: string;
  options: FieldOption[];
  /** The highlighted option (choice and multi). */
  highlight: number;
  /** What the value means or why it is wrong. */
  hint?: string;
  error?: string;
}

export interface CheckLine {
  name: string;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  detail: string;
}

export interface AwsView {
  fields: AwsField[];
  focus: number;
  account: string;
  loading: boolean;
  preflight: { status: 'absent' | 'waiting' | 'running' | 'done'; checks: CheckLine[] };
  notice?: string;
}

export interface ConnectionsView {
  sources: { label: string; connections: number; variables: number }[];
  connections: { id: string; type: string; source: string; secret: boolean }[];
  variables: { key: string; source: string; secret: boolean }[];
  conflicts: string[];
  secrets: { status: 'absent' | 'loading' | 'done' | 'error'; lines: string[] };
}

export interface PlanView {
  status: 'making' | 'ready' | 'error';
  lines: string[];
  scroll: number;
  error?: string;
  name: string;
  bucket: string;
  account: string;
  confirm: string;
  /** What confirming goes on despite (error findings, failed preflight checks): migrate would need --allow-errors. */
  overrides: string[];
}

export interface ApplyView {
  status: 'running' | 'waiting' | 'done' | 'failed' | 'error';
  lines: string[];
  objects: { done: number; total: number };
  environment: string;
  envStatus?: string;
  elapsedMs: number;
  error?: string;
  /** How to pick the work up again, said whenever leaving is possible. */
  resumeHint: string;
}

export interface DoneView {
  name: string;
  status: string;
  url: string;
  reportPath: string;
  planPath: string;
  command: string;
  nextSteps: string[];
  error?: string;
}

export interface ResumeView {
  name: string;
  bucket: string;
  region: string;
  planFile: string;
  stepsDone: number;
  cursor: number;
}

export interface GuideView {
  step: StepId | 'resume';
  width: number;
  height: number;
  color: boolean;
  home: HomeView;
  scan: ScanView;
  findings: FindingsView;
  target: TargetView;
  sizing: SizingView;
  aws: AwsView;
  connections: ConnectionsView;
  plan: PlanView;
  apply: ApplyView;
  done: DoneView;
  resume: ResumeView | null;
}

/** A change to a one-line input. The controller applies it to the value it holds, not the one last drawn: keys can arrive faster than the screen redraws. */
export type LineEdit = { kind: 'type'; text: string } | { kind: 'backspace' } | { kind: 'clear' };

export function applyEdit(value: string, edit: LineEdit): string {
  return edit.kind === 'type' ? value + edit.text : edit.kind === 'backspace' ? value.slice(0, -1) : '';
}

export interface GuideActions {
  next(): void;
  back(): void;
  /** Ctrl-C, or q where leaving is offered. */
  quit(): void;
  editHome(edit: LineEdit): void;
  completeHome(): void;
  /** Puts the next or previous detected candidate into the input. */
  cycleHome(delta: number): void;
  /** Moves the cursor of the current step's list (findings, versions, sizes, resume choices). */
  move(delta: number): void;
  /** Narrows the findings to the selected one's rule, file or family (again: widens), cycles the severity, or clears. */
  filterFindings(kind: FilterKind | 'clear'): void;
  /** Moves to the first finding of the next (or previous) file. */
  jumpFile(delta: number): void;
  acceptFinding(): void;
  ignoreRule(): void;
  recheck(): void;
  /** Opens the safe fixes' diff (or, on the fixed copy, the way back to the home's files). */
  fixes(): void;
  focusField(delta: number): void;
  /** Edits the focused field when it is typed (others ignore it). */
  editField(edit: LineEdit): void;
  /** Moves a choice's highlight (and picks it, for a single choice). */
  cycleOption(delta: number): void;
  /** Picks or drops the highlighted option of the focused multiple choice (others ignore it). */
  toggleOption(): void;
  editConfirm(edit: LineEdit): void;
  /** Scrolls the open fixes' diff, or the plan. */
  scroll(delta: number): void;
  retry(): void;
}
