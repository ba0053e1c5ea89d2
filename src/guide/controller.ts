import { basename, relative, resolve } from 'node:path';
import type { Finding } from '../check/types.js';
import { SEVERITIES } from '../check/types.js';
import type { Inventory } from '../home/inventory.js';
import type { ScanProgress } from '../home/scan.js';
import { locationLabel, VERSION_SOURCES } from '../report/model.js';
import { costCells, costNotes, costTitle, sizingHeadline, sizingInputs } from '../sizing/render.js';
import type { Sizing } from '../sizing/sizing.js';
import { knownRegions } from '../sizing/table.js';
import type { ApplyResult } from '../aws/apply.js';
import type { AwsTarget, BucketStatus, Discovery } from '../aws/discover.js';
import { journalPath } from '../aws/journal.js';
import type { AwsAccess, PlanRequest } from '../migration.js';
import { withEnvFileSource, type SecretsRequest } from '../secrets/step.js';
import { desiredEnvironment, environmentInput, refusals, type Plan, type PlanSettings } from '../plan/plan.js';
import type { CheckedHome, FixSettings } from '../plan/fixed.js';
import { renderPlanText } from '../plan/render.js';
import type { AwsField, Counts, FindingItem, GuideActions, GuideView, StepId } from '../ui/types.js';
import { applyEdit, STEPS } from '../ui/types.js';
import { migrateCommandLine } from './command.js';
import { planFileOf, reportFileOf, tildify, type GuideCore, type SavedRun } from './core.js';
import { applyFilter, fileJump, NO_FILTER, toggleFilter } from './findings.js';
import { fixedCounts, fixPane, nothingToFix, SAFE_FIXES, scrolled, switchedNotice } from './fixes.js';

// The walkthrough's state machine: it holds what was learned and chosen, drives the core
// (scan, check, size, discover, plan, apply) and publishes one GuideView for the screens. Every
// outside effect goes through GuideCore.

export interface GuideOptions {
  /** AIRFLOW_HOME as given; the walkthrough starts at the scan when set. */
  home?: string;
  region?: string;
  profile?: string;
  /** --endpoint-url: one endpoint for every AWS service (default: AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL). */
  endpointUrl?: string;
  mwaaEndpointUrl?: string;
  /** How often to poll the environment while waiting (default 30). */
  pollSeconds?: number;
  cwd: string;
  width: number;
  height: number;
  color: boolean;
}

/** How the walkthrough ended: the exit code and what to print once the screen is gone. */
export interface Outcome {
  code: number;
  message: string;
  /** Work was still in flight (an upload, a poll): the process must end now, not when it settles. */
  busy: boolean;
}

export const EXIT_INTERRUPTED = 130;

const NAME = /^[a-zA-Z][0-9a-zA-Z_-]{0,79}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const ROLE_ARN = /^arn:aws(-[a-z]+)?:iam::\d{12}:role\/?[\w+=,.@\-/]+$/;
const SUBNET = /^subnet-[0-9a-f]+$/;
const SG = /^sg-[0-9a-f]+$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const DEFAULT_CHAIN = '';
/** Statuses that end the wait badly (as the apply command counts them). */
const FAILED = new Set(['CREATE_FAILED', 'UPDATE_FAILED', 'UNAVAILABLE']);
const MAX_LINES = 8;

const zero = (): Counts => ({ error: 0, warning: 0, info: 0, total: 0 });
const countsOf = (findings: Finding[]): Counts => {
  const c = zero();
  for (const f of findings) {
    c[f.severity]++;
    c.total++;
  }
  return c;
};
const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);
const oneLine = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0]!;
const sevRank = (s: string) => SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]);

interface AwsChoices {
  name: string;
  profile: string;
  region: string;
  bucket: string;
  /** The bucket was typed: it no longer follows the suggestion. */
  bucketTyped: boolean;
  role: string;
  vpc: string;
  subnets: string[];
  securityGroups: string[];
  /** Typed lists, used when the account's lists cannot be read. */
  subnetsText: string;
  securityGroupsText: string;
}

export class GuideController {
  private view: GuideView;
  private readonly listeners = new Set<() => void>();
  private inventory: Inventory | null = null;
  private envFile: string | undefined;
  /** The last check, and the code it is of: the fixed copy while `fix` is set. */
  private checked: CheckedHome | null = null;
  /** The safe fixes taken in the findings step (or by the saved plan): the plan uploads the fixed copies. */
  private fix: FixSettings | undefined;
  /** Every finding, before the list's filter. */
  private allFindings: FindingItem[] = [];
  private sizing: Sizing | null = null;
  private discovery: Discovery | null = null;
  private bucketState: BucketStatus | 'checking' | null = null;
  private plan: Plan | null = null;
  private planFile = '';
  private aws: AwsChoices;
  private suppressions = 0;
  private busy = 0;
  private ticker: ReturnType<typeof setInterval> | null = null;
  private timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Bumped whenever a later request supersedes an earlier one (discovery, bucket check, preflight). */
  private generation = { discover: 0, bucket: 0, preflight: 0, scan: 0 };
  private applyStarted = 0;
  private envCreated = false;
  /** What the person went on despite when confirming the plan (or continuing a saved one): migrate needs --allow-errors for it. */
  private overridden: string[] = [];
  private ended: Outcome | null = null;
  onEnd: (o: Outcome) => void = () => {};

  constructor(
    private readonly core: GuideCore,
    private readonly options: GuideOptions,
  ) {
    const region = options.region ?? core.env['AWS_REGION'] ?? core.env['AWS_DEFAULT_REGION'] ?? '';
    const profile = options.profile ?? core.env['AWS_PROFILE'] ?? DEFAULT_CHAIN;
    const profileRegion = core.profiles().find((p) => p.name === (profile || 'default'))?.region;
    this.aws = {
      name: '',
      profile,
      region: region || profileRegion || 'us-east-1',
      bucket: '',
      bucketTyped: false,
      role: '',
      vpc: '',
      subnets: [],
      securityGroups: [],
      subnetsText: '',
      securityGroupsText: '',
    };
    const candidates = core.homeCandidates().map((c) => ({ path: tildify(c.path), why: c.why, probe: core.probeHome(c.path) }));
    const input = options.home ?? candidates[0]?.path ?? '';
    this.view = {
      step: 'home',
      width: options.width,
      height: options.height,
      color: options.color,
      home: { input, candidates, probe: input ? core.probeHome(input) : null, completions: [] },
      scan: { status: 'running', phase: 'config', filesFound: 0, filesRead: 0, dags: 0, elapsedMs: 0 },
      findings: { items: [], total: 0, filter: NO_FILTER, cursor: 0, suppressed: 0, projectFile: '.mwaa-migrate.yaml', rechecking: false },
      target: { rows: [], cursor: 0, chosen: core.defaultTarget() },
      sizing: { headline: '', reasons: [], from: '', title: '', rows: [], cursor: 0, chosen: '', notes: [] },
      aws: { fields: [], focus: 0, account: '', loading: false, preflight: { status: core.preflight ? 'waiting' : 'absent', checks: [] } },
      connections: { sources: [], connections: [], variables: [], conflicts: [], secrets: { status: core.secrets ? 'loading' : 'absent', lines: [] } },
      plan: { status: 'making', lines: [], scroll: 0, name: '', bucket: '', account: '', confirm: '', overrides: [] },
      apply: { status: 'running', lines: [], objects: { done: 0, total: 0 }, environment: '', elapsedMs: 0, resumeHint: '' },
      done: { name: '', status: '', url: '', reportPath: '', planPath: '', command: '', nextSteps: [] },
      resume: null,
    };
  }

  // --- the store the screens subscribe to

  getView = (): GuideView => this.view;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private set(patch: Partial<GuideView>): void {
    this.view = { ...this.view, ...patch };
    for (const l of this.listeners) l();
  }

  private patch<K extends keyof GuideView>(key: K, value: Partial<GuideView[K]>): void {
    this.set({ [key]: { ...(this.view[key] as object), ...(value as object) } } as Partial<GuideView>);
  }

  resize(width: number, height: number): void {
    this.set({ width, height });
  }

  /** Begins: offers a saved run, or scans the home given, or asks for one. */
  start(): void {
    if (this.options.home !== undefined && this.view.home.probe?.status !== 'missing' && this.view.home.probe?.status !== 'not-a-folder') this.chooseHome();
  }

  private get homePath(): string {
    const typed = this.view.home.input.trim().replace(/^~(?=\/|$)/, this.core.env['HOME'] ?? '~');
    return resolve(this.options.cwd, typed);
  }

  private get accessAws(): AwsAccess {
    return { endpointUrl: this.options.endpointUrl, mwaaEndpointUrl: this.options.mwaaEndpointUrl, profile: this.aws.profile || undefined, env: this.core.env };
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.busy++;
    return p.finally(() => this.busy--);
  }

  private later(key: string, ms: number, run: () => void): void {
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(run, ms));
  }

  private go(step: GuideView['step']): void {
    this.set({ step });
  }

  // --- home

  private chooseHome(): void {
    const saved = this.core.savedRun(this.homePath);
    if (saved) return this.offerResume(saved);
    this.restore(this.core.savedPlan(this.homePath));
    this.startScan();
  }

  /**
   * The choices a plan saved here by an earlier run made, back in place of the defaults (a
   * restart after Ctrl-C). Flags given now win over the plan's region; discovery keeps what the
   * account still has (see preselect).
   */
  private restore(plan: Plan | null): void {
    const env = plan && desiredEnvironment(plan);
    if (!plan || !env) return;
    const a = this.aws;
    const { SubnetIds, SecurityGroupIds } = env.NetworkConfiguration;
    Object.assign(a, { name: env.Name, bucket: plan.inputs.bucket, bucketTyped: true, role: env.ExecutionRoleArn, subnets: SubnetIds, securityGroups: SecurityGroupIds, subnetsText: SubnetIds.join(','), securityGroupsText: SecurityGroupIds.join(',') });
    if (!this.options.region) a.region = plan.inputs.region;
    this.fix = plan.inputs.fix;
    if (this.core.targets().some((t) => t.version === plan.inputs.target)) this.patch('target', { chosen: plan.inputs.target });
    this.patch('sizing', { chosen: env.EnvironmentClass });
  }

  private offerResume(saved: SavedRun): void {
    this.plan = saved.plan;
    this.planFile = saved.planFile;
    this.envFile = this.core.envFileOf(saved.plan.inputs.home);
    this.set({
      step: 'resume',
      resume: {
        name: desiredEnvironment(saved.plan)?.Name ?? '(unknown)',
        bucket: saved.plan.inputs.bucket,
        region: saved.plan.inputs.region,
        planFile: tildify(saved.planFile),
        stepsDone: saved.stepsDone,
        cursor: 0,
      },
    });
  }

  // --- scan

  private startScan(): void {
    const home = this.homePath;
    const generation = ++this.generation.scan;
    this.envFile = this.core.envFileOf(home);
    const started = this.core.now();
    this.patch('scan', { status: 'running', phase: 'config', filesFound: 0, filesRead: 0, dags: 0, elapsedMs: 0, error: undefined, summary: undefined });
    this.go('scan');
    const onProgress = (p: ScanProgress) => {
      if (generation === this.generation.scan) this.patch('scan', { ...p, elapsedMs: this.core.now() - started });
    };
    this.track(this.core.scan(home, this.envFile, onProgress)).then(
      (inventory) => {
        if (generation !== this.generation.scan) return;
        this.inventory = inventory;
        this.aws.name ||= defaultName(home);
        this.runCheck();
        this.patch('scan', { status: 'done', phase: 'done', elapsedMs: this.core.now() - started, summary: this.summary() });
      },
      (e: unknown) => generation === this.generation.scan && this.patch('scan', { status: 'error', error: oneLine(e) }),
    );
  }

  private summary(): NonNullable<GuideView['scan']['summary']> {
    const { inventory: inv, result } = this.checked!;
    const v = inv.airflowVersion;
    const s = inv.summary;
    const families = new Map<string, Counts>();
    for (const f of result.findings) {
      const c = families.get(f.family) ?? zero();
      c[f.severity]++;
      c.total++;
      families.set(f.family, c);
    }
    return {
      home: tildify(inv.home),
      version: v.version ? `Airflow ${v.version}` : v.family ? `Airflow ${v.family}` : 'unknown',
      why: `${VERSION_SOURCES[v.source]}, confidence ${v.confidence}${v.evidence[0] ? `: ${v.evidence[0]}` : ''}`,
      counts: [
        ['DAG files', s.dagFiles],
        ['DAGs', s.dags],
        ['tasks', s.tasks],
        ['plugins', s.plugins],
        ['requirements', s.requirements],
        ['connections', s.connections],
        ['variables', s.variables],
      ],
      findings: countsOf(result.findings),
      histogram: [...families].map(([family, c]) => ({ family, ...c })).sort((a, b) => b.total - a.total || a.family.localeCompare(b.family)),
      suppressed: result.suppressed.length,
      problems: inv.problems.slice(0, 3).map((p) => `${p.file ? `${p.file}: ` : ''}${p.message}`),
      envFile: this.envFile ? tildify(this.envFile) : null,
      target: this.view.target.chosen,
    };
  }

  // --- findings

  /** Checks (again) with the chosen target and the project file as it is now, keeping the cursor on the same finding. */
  private runCheck(): void {
    const inv = this.inventory!;
    const before = this.view.findings.items[this.view.findings.cursor];
    this.checked = this.core.check(inv, this.view.target.chosen, this.fix);
    const sources = this.core.excerpts(this.checked);
    this.allFindings = [...this.checked.result.findings]
      .sort((a, b) => sevRank(a.severity) - sevRank(b.severity) || a.family.localeCompare(b.family) || a.file.localeCompare(b.file) || a.line - b.line || a.ruleId.localeCompare(b.ruleId))
      .map((f) => {
        const excerpt = sources.excerpt(f.file, f.line);
        const why = this.core.ruleWhy(f.ruleId);
        return {
          ruleId: f.ruleId,
          family: f.family,
          severity: f.severity,
          title: f.title,
          location: locationLabel(f),
          message: f.message,
          fix: f.fix,
          docs: f.docs,
          ...(why ? { why } : {}),
          ...(excerpt ? { excerpt: excerpt.map((l) => ({ ...l, hit: l.line === f.line })) } : {}),
        };
      });
    this.showFindings(before);
    this.patch('findings', { suppressed: this.checked.result.suppressed.length, rechecking: false, fixed: fixedCounts(this.checked.fixed) });
    this.refreshTargets();
  }

  /** The findings the filter lets through, the cursor kept on the same finding when it still shows. */
  private showFindings(keep: FindingItem | undefined, filter = this.view.findings.filter): void {
    const items = applyFilter(this.allFindings, filter);
    const same = keep ? items.findIndex((i) => i.ruleId === keep.ruleId && i.location === keep.location) : -1;
    const cursor = same >= 0 ? same : Math.min(this.view.findings.cursor, Math.max(0, items.length - 1));
    this.patch('findings', { items, total: this.allFindings.length, filter, cursor });
  }

  private suppress(kind: 'finding' | 'rule'): void {
    const item = this.view.findings.items[this.view.findings.cursor];
    if (!item || !this.inventory) return;
    const finding = this.checked!.result.findings.find((f) => f.ruleId === item.ruleId && locationLabel(f) === item.location)!;
    try {
      const file = this.core.suppress(
        this.inventory.home,
        kind === 'rule' ? { kind: 'rule', rule: item.ruleId } : { kind: 'finding', rule: item.ruleId, path: finding.file, reason: 'accepted in mwaa-migrate guide' },
      );
      this.suppressions++;
      this.runCheck();
      const where = relative(this.inventory.home, file) || file;
      this.patch('findings', {
        projectFile: where,
        notice: kind === 'rule' ? `${item.ruleId} ignored everywhere (written to ${where})` : `${item.ruleId} in ${finding.file || 'the installation'} accepted (written to ${where})`,
      });
    } catch (e) {
      this.patch('findings', { notice: oneLine(e) });
    }
  }

  /** Scans again (files may have been edited) and re-checks. */
  private recheck(): void {
    if (!this.inventory || this.view.findings.rechecking) return;
    const home = this.inventory.home;
    this.patch('findings', { rechecking: true, notice: undefined });
    this.track(this.core.scan(home, this.envFile, () => {})).then(
      (inventory) => {
        this.inventory = inventory;
        this.runCheck();
        this.patch('findings', { notice: `re-checked: ${this.view.findings.items.length} finding(s)` });
        this.patch('scan', { summary: this.summary() });
      },
      (e: unknown) => this.patch('findings', { rechecking: false, notice: `re-check failed: ${oneLine(e)}` }),
    );
  }

  /** x in the findings step: the safe fixes' diff to take, or (on the fixed copy) to go back from. */
  private openFixes(): void {
    if (!this.inventory || this.view.step !== 'findings') return;
    try {
      const preview = this.core.previewFixes(this.inventory, this.view.target.chosen);
      const pane = fixPane(preview, Boolean(this.fix));
      this.patch('findings', pane ? { fixPane: pane, notice: undefined } : { notice: nothingToFix(preview) });
    } catch (e) {
      this.patch('findings', { notice: `could not make the fixes: ${oneLine(e)}` });
    }
  }

  /** Enter on the fixes' pane: the fixed copy from now on (or the home's files again), the findings re-checked. */
  private takeFixes(): void {
    this.fix = this.view.findings.fixPane?.kind === 'take' ? SAFE_FIXES : undefined;
    this.patch('findings', { fixPane: undefined });
    this.runCheck();
    this.patch('findings', { notice: switchedNotice(this.view.findings.fixed, this.view.findings.total) });
    this.patch('scan', { summary: this.summary() });
  }

  // --- target

  private refreshTargets(): void {
    const inv = this.inventory!;
    const rows = this.core.targets().map((t) => ({
      version: t.version,
      python: t.python,
      status: t.status,
      supported: t.inApiModel,
      findings: countsOf(this.core.check(inv, t.version, this.fix).result.findings),
      isDefault: t.version === this.core.defaultTarget(),
    }));
    const cursor = Math.max(0, rows.findIndex((r) => r.version === this.view.target.chosen));
    this.patch('target', { rows, cursor });
  }

  private chooseTarget(): void {
    const row = this.view.target.rows[this.view.target.cursor];
    if (!row) return;
    if (row.version !== this.view.target.chosen) {
      this.patch('target', { chosen: row.version });
      this.runCheck();
      this.patch('scan', { summary: this.summary() });
    }
    this.refreshSizing();
    this.go('sizing');
  }

  // --- sizing

  private refreshSizing(): void {
    const s = this.core.size(this.checked!.inventory, this.view.target.chosen, this.aws.region);
    this.sizing = s;
    const rows = s.cost.rows.map((r) => {
      const [environmentClass, role, workers, floor, expected, ceiling] = costCells(r) as [string, string, string, string, string, string];
      return { environmentClass, role, workers, floor, expected, ceiling };
    });
    const chosen = rows.some((r) => r.environmentClass === this.view.sizing.chosen) ? this.view.sizing.chosen : s.recommendation.environmentClass.value;
    this.patch('sizing', {
      headline: sizingHeadline(s),
      reasons: s.recommendation.reasons,
      from: sizingInputs(s),
      title: costTitle(s),
      rows,
      cursor: Math.max(0, rows.findIndex((r) => r.environmentClass === chosen)),
      chosen,
      notes: costNotes(s),
    });
  }

  // --- AWS

  private enterAws(): void {
    this.go('aws');
    if (!this.discovery) this.rediscover();
    else this.refreshAws();
  }

  private target(): AwsTarget {
    return { access: this.accessAws, region: this.aws.region };
  }

  private rediscover(): void {
    const generation = ++this.generation.discover;
    this.discovery = null;
    this.patch('aws', { loading: true, account: 'reading...' });
    this.refreshAws();
    this.track(this.core.discover(this.target())).then(
      (d) => {
        if (generation !== this.generation.discover) return;
        this.discovery = d;
        this.preselect(d);
        this.patch('aws', { loading: false, account: d.identity.ok ? `${d.identity.value.account} (${d.identity.value.arn})` : `credentials do not work: ${d.identity.error}` });
        this.refreshAws();
        this.checkBucket();
      },
      (e: unknown) => generation === this.generation.discover && this.patch('aws', { loading: false, account: `could not read: ${oneLine(e)}` }),
    );
  }

  /** Sensible first choices: a role MWAA can assume, a VPC with two private subnets in two zones, its default group. */
  private preselect(d: Discovery): void {
    const a = this.aws;
    if (d.identity.ok && !a.bucketTyped) a.bucket = suggestBucket(a.name, d.identity.value.account);
    if (d.roles.ok && !d.roles.items.some((r) => r.arn === a.role)) a.role = d.roles.items.find((r) => r.trustsMwaa)?.arn ?? '';
    // Subnets chosen before (a saved plan) that the account has: their VPC, their groups kept.
    const chosenVpc = d.subnets.ok ? d.subnets.items.find((s) => a.subnets.includes(s.id))?.vpcId : undefined;
    if (chosenVpc && !a.vpc) a.vpc = chosenVpc;
    if (d.vpcs.ok && d.subnets.ok && !d.vpcs.items.some((v) => v.id === a.vpc)) {
      const subnets = d.subnets.items;
      const fit = d.vpcs.items.find((v) => twoZones(subnets.filter((s) => s.vpcId === v.id && !s.public)).length === 2);
      a.vpc = (fit ?? d.vpcs.items[0])?.id ?? '';
      this.pickNetwork();
    }
  }

  private pickNetwork(): void {
    const d = this.discovery;
    const a = this.aws;
    if (!d?.subnets.ok) return;
    a.subnets = twoZones(d.subnets.items.filter((s) => s.vpcId === a.vpc && !s.public)).map((s) => s.id);
    if (d.securityGroups.ok) {
      const groups = d.securityGroups.items.filter((g) => g.vpcId === a.vpc);
      a.securityGroups = (groups.find((g) => g.name === 'default') ?? groups[0]) ? [(groups.find((g) => g.name === 'default') ?? groups[0])!.id] : [];
    }
  }

  private fields(): AwsField[] {
    const a = this.aws;
    const d = this.discovery;
    const field = (f: Omit<AwsField, 'options' | 'highlight'> & Partial<Pick<AwsField, 'options' | 'highlight'>>): AwsField => ({ options: [], highlight: 0, ...f });
    const pick = (key: AwsField['key'], label: string, value: string, options: { value: string; label: string }[], hint?: string, error?: string): AwsField =>
      field({ key, label, kind: 'choice', value, options, highlight: Math.max(0, options.findIndex((o) => o.value === value)), ...(hint ? { hint } : {}), ...(error ? { error } : {}) });
    const profiles = [{ value: DEFAULT_CHAIN, label: 'default credential chain' }, ...this.core.profiles().map((p) => ({ value: p.name, label: p.region ? `${p.name} (${p.region})` : p.name }))];
    if (a.profile && !profiles.some((p) => p.value === a.profile)) profiles.push({ value: a.profile, label: a.profile });
    const regions = [...new Set([a.region, ...knownRegions()])].sort().map((r) => ({ value: r, label: r }));
    const out: AwsField[] = [
      field({ key: 'name', label: 'Environment name', kind: 'text', value: a.name, ...(NAME.test(a.name) ? {} : { error: 'a letter, then letters, digits, - or _ (at most 80)' }) }),
      pick('profile', 'AWS profile', a.profile, profiles),
      pick('region', 'Region', a.region, regions),
      field({ key: 'bucket', label: 'S3 bucket', kind: 'text', value: a.bucket, ...this.bucketHint() }),
    ];
    if (d?.roles.ok && d.roles.items.length > 0) {
      const roles = d.roles.items.map((r) => ({ value: r.arn, label: `${r.name}${r.trustsMwaa ? '' : ' (does not trust MWAA)'}` }));
      out.push(pick('role', 'Execution role', a.role, roles, undefined, a.role ? undefined : 'choose a role'));
    } else {
      const why = d ? (d.roles.ok ? 'no roles in the account: type the ARN' : `cannot list roles (${d.roles.error}): type the ARN`) : undefined;
      out.push(field({ key: 'role', label: 'Execution role', kind: 'text', value: a.role, ...(why ? { hint: why } : {}), ...(ROLE_ARN.test(a.role) ? {} : { error: 'arn:aws:iam::ACCOUNT:role/NAME' }) }));
    }
    const listed = Boolean(d?.vpcs.ok && d.subnets.ok && d.securityGroups.ok && d.vpcs.items.length > 0);
    if (listed && d?.vpcs.ok && d.subnets.ok && d.securityGroups.ok) {
      const vpcs = d.vpcs.items.map((v) => ({ value: v.id, label: `${v.id} ${v.cidr}${v.name ? ` ${v.name}` : ''}${v.isDefault ? ' (default)' : ''}` }));
      out.push(pick('vpc', 'VPC', a.vpc, vpcs));
      const subnets = d.subnets.items.filter((s) => s.vpcId === a.vpc).map((s) => ({ value: s.id, label: `${s.id} ${s.zone} ${s.cidr}${s.public ? ' public' : ' private'}${s.name ? ` ${s.name}` : ''}` }));
      const zones = new Set(d.subnets.items.filter((s) => a.subnets.includes(s.id)).map((s) => s.zone));
      const subnetError = a.subnets.length !== 2 ? 'choose exactly two private subnets' : zones.size < 2 ? 'the two subnets must be in different zones' : undefined;
      out.push(field({ key: 'subnets', label: 'Subnets', kind: 'multi', value: a.subnets.join(','), options: subnets, highlight: 0, ...(subnetError ? { error: subnetError } : {}) }));
      const groups = d.securityGroups.items.filter((g) => g.vpcId === a.vpc).map((g) => ({ value: g.id, label: `${g.id} ${g.name}` }));
      const sgError = a.securityGroups.length < 1 || a.securityGroups.length > 5 ? 'choose one to five security groups' : undefined;
      out.push(field({ key: 'securityGroups', label: 'Security groups', kind: 'multi', value: a.securityGroups.join(','), options: groups, highlight: 0, ...(sgError ? { error: sgError } : {}) }));
    } else {
      const why = d ? 'cannot list the network: type the ids' : undefined;
      const subnets = list(a.subnetsText);
      const groups = list(a.securityGroupsText);
      out.push(field({ key: 'subnets', label: 'Subnets', kind: 'text', value: a.subnetsText, ...(why ? { hint: why } : {}), ...(subnets.length === 2 && subnets.every((s) => SUBNET.test(s)) ? {} : { error: 'two private subnet ids, comma-separated' }) }));
      out.push(field({ key: 'securityGroups', label: 'Security groups', kind: 'text', value: a.securityGroupsText, ...(groups.length >= 1 && groups.length <= 5 && groups.every((s) => SG.test(s)) ? {} : { error: 'one to five sg- ids, comma-separated' }) }));
    }
    // Keep each multi field's highlight where the person left it.
    return out.map((f) => {
      const old = this.view.aws.fields.find((o) => o.key === f.key);
      return f.kind === 'multi' && old?.kind === 'multi' ? { ...f, highlight: Math.min(old.highlight, Math.max(0, f.options.length - 1)) } : f;
    });
  }

  private bucketHint(): { hint?: string; error?: string } {
    const b = this.aws.bucket;
    if (!BUCKET.test(b)) return { error: '3-63 lower-case letters, digits, dots and hyphens' };
    if (!b.startsWith('airflow-')) return { error: 'MWAA needs a bucket whose name starts with airflow-' };
    const s = this.bucketState;
    if (s === 'taken') return { error: 'exists in another account: choose another name' };
    const hints: Record<string, string> = { checking: 'checking...', yours: 'exists in this account: reused', free: 'does not exist: will be created', unknown: 'could not check whether it exists' };
    return s ? { hint: hints[s]! } : {};
  }

  private checkBucket(): void {
    const bucket = this.aws.bucket;
    const generation = ++this.generation.bucket;
    if (!BUCKET.test(bucket) || !this.discovery?.identity.ok) {
      this.bucketState = null;
      return this.refreshAws();
    }
    this.bucketState = 'checking';
    this.refreshAws();
    this.later('bucket', 250, () => {
      this.track(this.core.bucketStatus(this.target(), bucket)).then(
        (s) => {
          if (generation !== this.generation.bucket) return;
          this.bucketState = s;
          this.refreshAws();
        },
        () => generation === this.generation.bucket && ((this.bucketState = 'unknown'), this.refreshAws()),
      );
    });
  }

  private refreshAws(): void {
    const fields = this.fields();
    this.patch('aws', { fields, focus: Math.min(this.view.aws.focus, fields.length - 1) });
    this.schedulePreflight();
  }

  private awsValid(): boolean {
    return this.view.aws.fields.every((f) => !f.error) && !this.view.aws.loading && REGION.test(this.aws.region);
  }

  private settings(): PlanSettings {
    const a = this.aws;
    const listed = this.view.aws.fields.find((f) => f.key === 'subnets')?.kind === 'multi';
    return {
      home: this.inventory?.home ?? this.homePath,
      target: this.view.target.chosen,
      region: a.region,
      name: a.name,
      bucket: a.bucket,
      dagsPrefix: 'dags',
      executionRoleArn: a.role,
      subnetIds: listed ? a.subnets : list(a.subnetsText),
      securityGroupIds: listed ? a.securityGroups : list(a.securityGroupsText),
      ...(this.view.sizing.chosen ? { environmentClass: this.view.sizing.chosen } : {}),
      webserverAccessMode: 'PRIVATE_ONLY',
      tags: {},
      delete: false,
      ...(this.envFile ? { envFile: this.envFile } : {}),
      ...(this.secretsRequest() ? { secrets: this.secretsRequest()! } : {}),
      ...(this.fix ? { fix: this.fix } : {}),
    };
  }

  /** The home's env file moves its AIRFLOW_CONN_ and AIRFLOW_VAR_ entries to Secrets Manager, when it has any. */
  private secretsRequest(): SecretsRequest | null {
    return this.inventory ? withEnvFileSource(null, this.envFile, this.inventory) : null;
  }

  private schedulePreflight(): void {
    const run = this.core.preflight?.bind(this.core);
    if (!run || !this.inventory || !this.sizing) return;
    const generation = ++this.generation.preflight;
    if (!this.awsValid()) {
      if (this.view.aws.preflight.status !== 'waiting') this.patch('aws', { preflight: { status: 'waiting', checks: [] } });
      return;
    }
    this.later('preflight', 400, () => {
      this.patch('aws', { preflight: { status: 'running', checks: this.view.aws.preflight.checks } });
      const settings = this.settings();
      const { checked, sizing } = this;
      if (!checked || !sizing) return;
      // Without the built artifacts yet: the plan checks the request with its object paths again.
      const environment = environmentInput(checked.inventory, sizing, settings, { plugins: null, requirements: null, startup: null });
      this.track(run({ settings, aws: this.accessAws, environment })).then(
        (checks) => generation === this.generation.preflight && this.patch('aws', { preflight: { status: 'done', checks } }),
        (e: unknown) => generation === this.generation.preflight && this.patch('aws', { preflight: { status: 'done', checks: [{ name: 'preflight', status: 'fail', detail: oneLine(e) }] } }),
      );
    });
  }

  private focused(): AwsField | undefined {
    return this.view.aws.fields[this.view.aws.focus];
  }

  private setAwsValue(key: AwsField['key'], value: string): void {
    const a = this.aws;
    if (key === 'name') {
      a.name = value;
      if (!a.bucketTyped && this.discovery?.identity.ok) {
        a.bucket = suggestBucket(value, this.discovery.identity.value.account);
        this.checkBucket();
      }
    } else if (key === 'bucket') {
      a.bucket = value;
      a.bucketTyped = true;
      this.checkBucket();
      return;
    } else if (key === 'role') a.role = value;
    else if (key === 'subnets') a.subnetsText = value;
    else if (key === 'securityGroups') a.securityGroupsText = value;
    else if (key === 'profile' || key === 'region') {
      if (a[key] === value) return;
      a[key] = value;
      this.later('discover', 300, () => this.rediscover());
    } else if (key === 'vpc') {
      a.vpc = value;
      this.pickNetwork();
    }
    this.refreshAws();
  }

  // --- connections and variables

  private enterConnections(): void {
    const inv = this.inventory!;
    const label = (s: Inventory['connections'][number]['source']) => (s.kind === 'file' ? s.file : s.origin === 'env-file' ? `${s.file ?? '.env'}` : 'environment');
    const sources = new Map<string, { label: string; connections: number; variables: number }>();
    for (const c of inv.connections) (sources.get(label(c.source)) ?? sources.set(label(c.source), { label: label(c.source), connections: 0, variables: 0 }).get(label(c.source))!).connections++;
    for (const v of inv.variables) (sources.get(label(v.source)) ?? sources.set(label(v.source), { label: label(v.source), connections: 0, variables: 0 }).get(label(v.source))!).variables++;
    const dup = (names: string[]) => [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
    const conflicts = [...dup(inv.connections.map((c) => c.connId)).map((n) => `connection ${n} is defined more than once`), ...dup(inv.variables.map((v) => v.key)).map((n) => `variable ${n} is defined more than once`)];
    this.patch('connections', {
      sources: [...sources.values()],
      connections: inv.connections.map((c) => ({ id: c.connId, type: c.connType ?? 'unknown', source: label(c.source), secret: c.hasPassword })),
      variables: inv.variables.map((v) => ({ key: v.key, source: label(v.source), secret: inv.secrets.some((s) => s.source.kind === 'env' && v.source.kind === 'env' && s.source.name === v.source.name) })),
      conflicts,
    });
    this.go('connections');
    const secrets = this.core.secrets;
    if (!secrets) return;
    this.patch('connections', { secrets: { status: 'loading', lines: [] } });
    this.track(secrets.preview(inv, this.settings(), this.accessAws)).then(
      (p) => this.patch('connections', { secrets: { status: 'done', lines: p.lines }, conflicts: [...conflicts, ...p.conflicts] }),
      (e: unknown) => this.patch('connections', { secrets: { status: 'error', lines: [oneLine(e)] } }),
    );
  }

  // --- plan

  private makePlan(): void {
    const settings = this.settings();
    const home = this.inventory!.home;
    this.planFile = planFileOf(home);
    const request: PlanRequest = { settings, homePath: home, airflowVersion: undefined, envFile: this.envFile, cache: true, aws: this.accessAws, preflight: true };
    this.patch('plan', { status: 'making', lines: [], scroll: 0, error: undefined, name: settings.name, bucket: settings.bucket, account: this.discovery?.identity.ok ? this.discovery.identity.value.account : 'unknown', confirm: '' });
    this.go('plan');
    this.track(this.core.makePlan(request)).then(
      (plan) => {
        if (this.view.step !== 'plan') return;
        try {
          this.core.savePlan(plan, this.planFile);
          // The report is of the home's files as they are: the fixes are not written there.
          const asIs = this.fix ? this.core.check(this.inventory!, settings.target).result : this.checked!.result;
          this.core.saveReport(this.inventory!, asIs, this.sizing!, tildify(home), reportFileOf(home));
        } catch (e) {
          return this.patch('plan', { status: 'error', error: oneLine(e) });
        }
        this.plan = plan;
        // The home as ~/... on screen, as everywhere else in the walkthrough.
        const shown = renderPlanText({ ...plan, inputs: { ...plan.inputs, home: tildify(plan.inputs.home) } });
        this.patch('plan', { status: 'ready', lines: shown.trimEnd().split('\n'), overrides: refusals(plan).overridable });
      },
      (e: unknown) => this.view.step === 'plan' && this.patch('plan', { status: 'error', error: oneLine(e) }),
    );
  }

  // --- apply

  private startApply(): void {
    const plan = this.plan!;
    const name = this.view.resume?.name ?? this.view.plan.name;
    const home = plan.inputs.home;
    this.applyStarted = this.core.now();
    this.envCreated = false;
    this.patch('apply', {
      status: 'running',
      lines: [],
      objects: { done: 0, total: plan.actions.filter((a) => a.kind === 'put-object').length },
      environment: name,
      envStatus: undefined,
      elapsedMs: 0,
      error: undefined,
      resumeHint: `Ctrl-C is safe: run mwaa-migrate guide ${tildify(home)} again to continue`,
    });
    this.go('apply');
    clearInterval(this.ticker ?? undefined);
    this.ticker = setInterval(() => this.patch('apply', { elapsedMs: this.core.now() - this.applyStarted }), 1000);
    const progress = (line: string) => {
      const objects = /^objects: (\d+)\/(\d+)/.exec(line);
      const status = new RegExp(`^environment ${name}: ([A-Z_]+)`).exec(line);
      if (/creation started|update started|already created|: [A-Z_]+ \(/.test(line)) this.envCreated = true;
      this.patch('apply', {
        lines: [...this.view.apply.lines, line].slice(-MAX_LINES),
        ...(objects ? { objects: { done: Number(objects[1]), total: Number(objects[2]) } } : {}),
        ...(status ? { envStatus: status[1], status: 'waiting' as const } : {}),
        ...(this.envCreated ? { resumeHint: `Leaving is safe: creation goes on in AWS. Check later with mwaa-migrate guide ${tildify(home)}` } : {}),
      });
    };
    const pollMs = (this.options.pollSeconds ?? 30) * 1000;
    // The plan carries the secrets: apply writes them before the environment, like the apply command.
    this.track(this.core.apply(plan, this.planFile, this.accessAws, pollMs, progress)).then(
      (r) => this.finish(plan, r),
      (e: unknown) => {
        clearInterval(this.ticker ?? undefined);
        this.patch('apply', { status: 'error', error: oneLine(e) });
      },
    );
  }

  private finish(plan: Plan, r: ApplyResult): void {
    clearInterval(this.ticker ?? undefined);
    const url = r.webserverUrl ? `https://${r.webserverUrl.replace(/^https?:\/\//, '')}` : '(not reported yet)';
    const home = plan.inputs.home;
    const failed = FAILED.has(r.status);
    this.patch('apply', { status: failed ? 'failed' : 'done', envStatus: r.status, elapsedMs: this.core.now() - this.applyStarted, ...(failed ? { error: r.error ?? 'MWAA gave no reason' } : {}) });
    this.set({
      done: {
        name: r.name,
        status: `${r.status} (${{ created: 'created', updated: 'updated', unchanged: 'already as planned, not changed' }[r.environment]})`,
        url,
        reportPath: tildify(reportFileOf(home)),
        planPath: tildify(this.planFile),
        command: migrateCommandLine(plan, {
          envFile: this.envFile,
          profile: this.aws.profile || undefined,
          endpointUrl: this.options.endpointUrl,
          mwaaEndpointUrl: this.options.mwaaEndpointUrl,
          allowErrors: this.overridden.length > 0,
        }),
        nextSteps: [
          `sign in to the Airflow UI (or: aws mwaa create-web-login-token --name ${r.name}) and check for DAG import errors`,
          plan.secrets
            ? 'check that the DAGs find their connections and variables in Secrets Manager'
            : 'move connections and variables: mwaa-migrate secrets with --from-metadata-db or --connections-file, then apply a new plan made with the same flags',
          'pause each DAG on the old scheduler before unpausing it here, so no run happens twice',
          // Uploaded fixed, left as they were in the home: the next change there would start from the old code.
          ...(plan.inputs.fix ? [`the home still has the original files: mwaa-migrate fix ${tildify(home)} --write makes the same fixes there`] : []),
        ],
        ...(failed ? { error: r.error ?? 'MWAA gave no reason' } : {}),
      },
    });
    this.go('done');
  }

  // --- leaving

  /** What state things are in, said on the way out. */
  private farewell(): string {
    const step = this.view.step;
    const home = tildify(this.plan?.inputs.home ?? this.inventory?.home ?? this.homePath);
    const kept = this.suppressions ? ` Your accept/ignore choices are saved in ${this.view.findings.projectFile}.` : '';
    if (step === 'apply' && (this.view.apply.status === 'running' || this.view.apply.status === 'waiting')) {
      const name = this.view.apply.environment;
      if (this.envCreated) {
        return `Left while environment ${name} is ${this.view.apply.envStatus ?? 'being created'}: creation goes on in AWS.\nCheck on it later with: mwaa-migrate guide ${home} (it offers to continue the wait)\n  or: aws mwaa get-environment --name ${name} --region ${this.plan!.inputs.region}\n`;
      }
      return `Stopped while applying. Every step finished so far is recorded in ${tildify(journalPath(this.planFile))}; an upload is whole or absent, never half-written.\nResume with: mwaa-migrate guide ${home} (it offers to continue), or: mwaa-migrate apply ${tildify(this.planFile)}\n`;
    }
    if (this.plan && this.planFile) return `Stopped before anything was written to AWS. The plan is saved in ${tildify(this.planFile)}.${kept}\n`;
    return `Stopped: nothing was written to AWS.${kept}\n`;
  }

  private end(code: number, message: string): void {
    if (this.ended) return;
    clearInterval(this.ticker ?? undefined);
    for (const t of this.timers.values()) clearTimeout(t);
    this.ended = { code, message, busy: this.busy > 0 };
    this.onEnd(this.ended);
  }

  get outcome(): Outcome | null {
    return this.ended;
  }

  // --- the actions the screens call

  readonly actions: GuideActions = {
    next: () => {
      const v = this.view;
      switch (v.step) {
        case 'resume': {
          if (v.resume!.cursor === 0) {
            this.overridden = refusals(this.plan!).overridable;
            return this.startApply();
          }
          this.restore(this.plan);
          this.plan = null;
          this.set({ resume: null });
          return this.startScan();
        }
        case 'home': {
          const status = v.home.probe?.status;
          if (status === 'missing' || status === 'not-a-folder' || !v.home.input.trim()) return;
          return this.chooseHome();
        }
        case 'scan':
          return v.scan.status === 'done' ? this.go('findings') : undefined;
        case 'findings':
          return v.findings.fixPane ? this.takeFixes() : this.go('target');
        case 'target':
          return this.chooseTarget();
        case 'sizing': {
          const row = v.sizing.rows[v.sizing.cursor];
          if (row) this.patch('sizing', { chosen: row.environmentClass });
          if (this.aws.region && this.sizing && this.sizing.region !== this.aws.region) this.refreshSizing();
          return this.enterAws();
        }
        case 'aws':
          if (!this.awsValid()) return this.patch('aws', { notice: 'fix the fields marked ✗ first' });
          this.patch('aws', { notice: undefined });
          return this.enterConnections();
        case 'connections':
          return this.makePlan();
        case 'plan':
          if (v.plan.status !== 'ready') return;
          if (v.plan.confirm.trim() !== v.plan.name) return this.patch('plan', { error: `type the environment name, ${v.plan.name}, to go on` });
          this.overridden = v.plan.overrides;
          return this.startApply();
        case 'apply':
          return undefined;
        case 'done':
          return this.end(v.apply.status === 'failed' ? 1 : 0, '');
      }
    },
    back: () => {
      const order: StepId[] = STEPS.map((s) => s.id);
      const step = this.view.step;
      if (step === 'resume' || step === 'home' || step === 'apply' || step === 'done') return;
      if (step === 'scan') ++this.generation.scan;
      // Esc on the fixes' pane closes it, leaving everything as it was.
      if (step === 'findings' && this.view.findings.fixPane) return this.patch('findings', { fixPane: undefined });
      this.go(order[order.indexOf(step) - 1]!);
    },
    quit: () => {
      const step = this.view.step;
      if (step === 'done') return this.end(this.view.apply.status === 'failed' ? 1 : 0, '');
      this.end(EXIT_INTERRUPTED, this.farewell());
    },
    editHome: (edit) => {
      const input = applyEdit(this.view.home.input, edit);
      this.patch('home', { input, probe: input.trim() ? this.core.probeHome(input) : null, completions: [] });
    },
    completeHome: () => {
      const typed = this.view.home.input;
      const options = this.core.completePath(typed);
      if (options.length === 0) return this.patch('home', { completions: [] });
      const common = options.reduce((p, o) => {
        let i = 0;
        while (i < p.length && p[i] === o[i]) i++;
        return p.slice(0, i);
      });
      const input = common.length > typed.length ? common : typed;
      this.patch('home', { input, probe: this.core.probeHome(input), completions: options.length > 1 ? options : [] });
    },
    cycleHome: (delta) => {
      const c = this.view.home.candidates;
      if (c.length === 0) return;
      const at = c.findIndex((x) => x.path === this.view.home.input);
      const next = c[(at + delta + c.length * 2) % c.length] ?? c[0]!;
      this.patch('home', { input: next.path, probe: next.probe, completions: [] });
    },
    move: (delta) => {
      const v = this.view;
      const clamp = (i: number, n: number) => Math.max(0, Math.min(n - 1, i));
      if (v.step === 'findings') this.patch('findings', { cursor: clamp(v.findings.cursor + delta, v.findings.items.length), notice: undefined });
      else if (v.step === 'target') this.patch('target', { cursor: clamp(v.target.cursor + delta, v.target.rows.length) });
      else if (v.step === 'sizing') {
        const cursor = clamp(v.sizing.cursor + delta, v.sizing.rows.length);
        this.patch('sizing', { cursor, chosen: v.sizing.rows[cursor]?.environmentClass ?? v.sizing.chosen });
      } else if (v.step === 'resume' && v.resume) this.set({ resume: { ...v.resume, cursor: clamp(v.resume.cursor + delta, 2) } });
    },
    filterFindings: (kind) => {
      const f = this.view.findings;
      const selected = f.items[f.cursor];
      this.showFindings(selected, toggleFilter(f.filter, kind, selected));
      this.patch('findings', { notice: undefined });
    },
    jumpFile: (delta) => this.patch('findings', { cursor: fileJump(this.view.findings.items, this.view.findings.cursor, delta), notice: undefined }),
    acceptFinding: () => this.suppress('finding'),
    ignoreRule: () => this.suppress('rule'),
    recheck: () => this.recheck(),
    fixes: () => this.openFixes(),
    focusField: (delta) => {
      const n = this.view.aws.fields.length;
      this.patch('aws', { focus: (this.view.aws.focus + delta + n) % n });
    },
    editField: (edit) => {
      const f = this.focused();
      if (f?.kind === 'text') this.setAwsValue(f.key, applyEdit(f.value, edit));
    },
    cycleOption: (delta) => {
      const f = this.focused();
      if (!f || f.kind === 'text' || f.options.length === 0) return;
      const highlight = (f.highlight + delta + f.options.length) % f.options.length;
      if (f.kind === 'choice') return this.setAwsValue(f.key, f.options[highlight]!.value);
      this.patch('aws', { fields: this.view.aws.fields.map((x) => (x === f ? { ...f, highlight } : x)) });
    },
    toggleOption: () => {
      const f = this.focused();
      if (f?.kind !== 'multi') return;
      const value = f.options[f.highlight]?.value;
      if (!value) return;
      const key = f.key === 'subnets' ? 'subnets' : 'securityGroups';
      const chosen = this.aws[key];
      this.aws[key] = chosen.includes(value) ? chosen.filter((x) => x !== value) : [...chosen, value];
      this.refreshAws();
    },
    editConfirm: (edit) => this.patch('plan', { confirm: applyEdit(this.view.plan.confirm, edit), error: undefined }),
    scroll: (delta) => {
      const pane = this.view.findings.fixPane;
      if (this.view.step === 'findings') return pane && this.patch('findings', { fixPane: scrolled(pane, delta) });
      this.patch('plan', { scroll: Math.max(0, Math.min(this.view.plan.lines.length - 1, this.view.plan.scroll + delta)) });
    },
    retry: () => {
      const step = this.view.step;
      if (step === 'scan' && this.view.scan.status === 'error') this.startScan();
      else if (step === 'plan' && this.view.plan.status === 'error') this.makePlan();
      else if (step === 'apply' && this.view.apply.status === 'error') this.startApply();
      else if (step === 'aws') this.rediscover();
    },
  };
}

/** "airflow2-mwaa" from ".../airflow2": a valid MWAA name from the home's folder name. */
export function defaultName(home: string): string {
  const base = basename(home).replace(/[^0-9a-zA-Z_-]+/g, '-').replace(/^[^a-zA-Z]+/, '');
  return `${base || 'airflow'}-mwaa`.slice(0, 80);
}

/** MWAA's buckets must start with airflow-; the account keeps the name unique. */
export function suggestBucket(name: string, account: string): string {
  const stem = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^airflow-?/, '').replace(/-+$/, '');
  return `airflow-${stem ? `${stem}-` : ''}${account}`.slice(0, 63).replace(/-+$/, '');
}

/** Two subnets in two zones, the first of each zone, or fewer when there are not two zones. */
function twoZones<S extends { zone: string }>(subnets: S[]): S[] {
  const picked: S[] = [];
  for (const s of subnets) if (picked.length < 2 && !picked.some((p) => p.zone === s.zone)) picked.push(s);
  return picked.length === 2 ? picked : [];
}
