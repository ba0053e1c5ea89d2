import { resolve } from 'node:path';
import type { BucketStatus, Discovery } from '../aws/discover.js';
import type { Inventory } from '../home/inventory.js';
import type { AwsAccess } from '../migration/plan.js';
import type { CheckedHome, FixSettings } from '../plan/fixed.js';
import type { Plan } from '../plan/plan.js';
import type { Sizing } from '../sizing/sizing.js';
import type { FindingItem, GuideView } from '../ui/types.js';
import type { Tally } from './target-counts.js';
import { tildify, type GuideCore } from './core.js';
import { NO_FILTER } from './findings.js';

// The walkthrough's state in one place: what was learned and chosen, the view the screens read,
// and the effects every step shares (publishing the view, tracking work in flight, timers). Each
// step's module is functions over this context, so the steps never hold state of their own.

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

export interface AwsChoices {
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

/** The profile value that means "no profile": the SDK's default credential chain. */
export const DEFAULT_CHAIN = '';

export const oneLine = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0]!;

export class GuideContext {
  view: GuideView;
  private readonly listeners = new Set<() => void>();
  inventory: Inventory | null = null;
  envFile: string | undefined;
  /** The last check, and the code it is of: the fixed copy while `fix` is set. */
  checked: CheckedHome | null = null;
  /** The safe fixes taken in the findings step (or by the saved plan): the plan uploads the fixed copies. */
  fix: FixSettings | undefined;
  /** Every finding, before the list's filter. */
  allFindings: FindingItem[] = [];
  sizing: Sizing | null = null;
  discovery: Discovery | null = null;
  bucketState: BucketStatus | 'checking' | null = null;
  plan: Plan | null = null;
  planFile = '';
  aws: AwsChoices;
  suppressions = 0;
  private busy = 0;
  ticker: ReturnType<typeof setInterval> | null = null;
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Bumped whenever a later request supersedes an earlier one (discovery, bucket check, preflight). */
  readonly generation = { discover: 0, bucket: 0, preflight: 0, scan: 0 };
  /** The findings per offered version of the last check's code, as far as counted (see target-counts.ts). */
  targetCounts = new Map<string, Tally>();
  applyStarted = 0;
  envCreated = false;
  /** What the person went on despite when confirming the plan (or continuing a saved one): migrate needs --allow-errors for it. */
  overridden: string[] = [];
  ended: Outcome | null = null;

  constructor(
    readonly core: GuideCore,
    readonly options: GuideOptions,
    /** Called once, when the walkthrough ends. */
    private readonly onEnd: (o: Outcome) => void,
  ) {
    this.aws = initialChoices(core, options);
    this.view = initialView(core, options);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(patch: Partial<GuideView>): void {
    this.view = { ...this.view, ...patch };
    for (const l of this.listeners) l();
  }

  patch<K extends keyof GuideView>(key: K, value: Partial<GuideView[K]>): void {
    this.set({ [key]: { ...(this.view[key] as object), ...(value as object) } } as Partial<GuideView>);
  }

  go(step: GuideView['step']): void {
    this.set({ step });
  }

  /** Counts the work in flight, so that leaving knows whether the process must be ended now. */
  track<T>(p: Promise<T>): Promise<T> {
    this.busy++;
    return p.finally(() => this.busy--);
  }

  /** Runs after a pause, replacing what was waiting under the same key (typing debounced). */
  later(key: string, ms: number, run: () => void): void {
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(run, ms));
  }

  get homePath(): string {
    const typed = this.view.home.input.trim().replace(/^~(?=\/|$)/, this.core.env['HOME'] ?? '~');
    return resolve(this.options.cwd, typed);
  }

  get accessAws(): AwsAccess {
    return { endpointUrl: this.options.endpointUrl, mwaaEndpointUrl: this.options.mwaaEndpointUrl, profile: this.aws.profile || undefined, env: this.core.env };
  }

  end(code: number, message: string): void {
    if (this.ended) return;
    clearInterval(this.ticker ?? undefined);
    for (const t of this.timers.values()) clearTimeout(t);
    this.ended = { code, message, busy: this.busy > 0 };
    this.onEnd(this.ended);
  }
}

/** Flags first, then the environment, then the profile's own region. */
function initialChoices(core: GuideCore, options: GuideOptions): AwsChoices {
  const region = options.region ?? core.env['AWS_REGION'] ?? core.env['AWS_DEFAULT_REGION'] ?? '';
  const profile = options.profile ?? core.env['AWS_PROFILE'] ?? DEFAULT_CHAIN;
  const profileRegion = core.profiles().find((p) => p.name === (profile || 'default'))?.region;
  return {
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
}

function initialView(core: GuideCore, options: GuideOptions): GuideView {
  const candidates = core.homeCandidates().map((c) => ({ path: tildify(c.path), why: c.why, probe: core.probeHome(c.path) }));
  const input = options.home ?? candidates[0]?.path ?? '';
  return {
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
