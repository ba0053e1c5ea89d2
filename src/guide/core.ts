import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { makeFolder } from '../home/fs.js';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { loadCatalog } from '../check/catalog.js';
import { once } from '../refdata/data.js';
import { addSuppression, type Suppression } from '../check/project-write.js';
import type { CheckResult } from '../check/types.js';
import { analysisInterest } from '../check/interest.js';
import { clock } from '../clock.js';
import { defaultTarget, targetVersions, type MwaaVersion } from '../refdata/mwaa.js';
import type { Inventory } from '../home/inventory.js';
import { scanHome, type ScanProgress } from '../home/scan.js';
import { readSources } from '../report/excerpts.js';
import { buildReport, type SourceLines } from '../report/model.js';
import { renderReportMarkdown } from '../report/report-markdown.js';
import { sizeEnvironment, type Sizing } from '../sizing/sizing.js';
import { defaultRegion, knownRegions } from '../sizing/table.js';
import type { ApplyResult } from '../aws/apply.js';
import { bucketStatus, discover, listProfilesWithRegions, type AwsProfile, type AwsTarget, type BucketStatus, type Discovery } from '../aws/discover.js';
import { journalPath } from '../aws/journal.js';
import { makePlan, planSecretsPart, type AwsAccess, type PlanRequest } from '../migration/plan.js';
import { applyPlanFile } from '../migration/apply.js';
import { writePlanFile } from '../plan/file.js';
import { checkProfile, endpointFor, REQUEST_HANDLER } from '../aws/access.js';
import { profileCredentials } from '../aws/identity.js';
import { secretsManagerClient } from '../aws/secrets-manager.js';
import { preflight } from '../aws/preflight.js';
import { s3Client } from '../aws/s3-state.js';
import { IAMClient } from '@aws-sdk/client-iam';
import { EC2Client } from '@aws-sdk/client-ec2';
import { secretsLines } from '../secrets/render.js';
import { PLAN_FORMAT_VERSION, type CreateEnvironmentInput, type Plan, type PlanSettings } from '../plan/plan.js';
import { checkForPlan, planCheckAsScanned, type CheckedHome, type FixSettings } from '../plan/fixed.js';
import type { CheckAsScanned } from '../check/as-scanned.js';
import type { CheckLine, HomeProbe } from '../ui/types.js';
import { fixedSources, previewFixes, type FixPreview } from './fixes.js';
import { loadTreeSitter } from '../python/parser.js';

// Everything the walkthrough's controller asks of the outside world, as one interface: the
// default implementation below is wired to the real scanner, rules, sizing, AWS and files;
// tests hand the controller a fake.

export type Env = Record<string, string | undefined>;

/** Where the walkthrough keeps its files in a home: the plan, its journal and the report. */
export const GUIDE_DIR = '.mwaa-migrate';
export const planFileOf = (home: string): string => join(home, GUIDE_DIR, 'plan.json');
export const reportFileOf = (home: string): string => join(home, GUIDE_DIR, 'report.md');

export interface HomeCandidate {
  path: string;
  /** Why it is offered: "$AIRFLOW_HOME", "~/airflow", "current folder". */
  why: string;
}

/** A plan applied (at least in part) before: the journal exists next to it. */
export interface SavedRun {
  planFile: string;
  plan: Plan;
  /** Journal lines: the steps of apply already done. */
  stepsDone: number;
}

/** What preflight checks are asked about: the settings as chosen so far. */
export interface PreflightInput {
  settings: PlanSettings;
  aws: AwsAccess;
  /** The CreateEnvironment input as planned so far (the plan checks the final one again). */
  environment: CreateEnvironmentInput;
}

/** The Secrets Manager side: names and counts only, never values. */
export interface GuideSecrets {
  /** What would be created and what already exists in Secrets Manager (apply writes them through the plan). */
  preview(inventory: Inventory, settings: PlanSettings, aws: AwsAccess): Promise<{ lines: string[]; conflicts: string[] }>;
}

export interface GuideCore {
  /** The process environment the scan and AWS calls see. */
  env: Env;
  homeCandidates(): HomeCandidate[];
  probeHome(path: string): HomeProbe;
  /** Folders that complete a partly typed path (absolute or relative to the cwd). */
  completePath(partial: string): string[];
  /** The dotenv file to overlay, when the home has one. */
  envFileOf(home: string): string | undefined;
  /** `target`: checks the files for it as they are read, for the next check of this inventory for that target (see check). */
  scan(home: string, envFile: string | undefined, onProgress: (p: ScanProgress) => void, target?: string): Promise<Inventory>;
  /** The rule check with the home's project file as it is now; with fix settings, of the fixed copy the plan would upload (as plan --fix). */
  check(inventory: Inventory, target: string, fix?: FixSettings): CheckedHome;
  /** The lines the checked code's findings point at (the fixed copy's, for fixed files). */
  excerpts(checked: CheckedHome): SourceLines;
  /** What `mwaa-migrate fix` would change, with the walkthrough's fix settings; nothing is written. */
  previewFixes(inventory: Inventory, target: string): FixPreview;
  /** Why a rule exists (the catalogue's explanation), when it says. */
  ruleWhy(ruleId: string): string | undefined;
  /** Writes a suppression into the project file; answers its path. */
  suppress(home: string, s: Suppression): string;
  targets(): MwaaVersion[];
  defaultTarget(): string;
  size(inventory: Inventory, target: string, region: string): Sizing;
  profiles(): AwsProfile[];
  discover(target: AwsTarget): Promise<Discovery>;
  bucketStatus(target: AwsTarget, bucket: string): Promise<BucketStatus>;
  makePlan(request: PlanRequest): Promise<Plan>;
  /** Writes the plan where a later run finds it (atomically). */
  savePlan(plan: Plan, file: string): void;
  saveReport(inventory: Inventory, result: CheckResult, sizing: Sizing, home: string, file: string): void;
  apply(plan: Plan, file: string, aws: AwsAccess, pollMs: number, progress: (line: string) => void): Promise<ApplyResult>;
  /** The run to resume in this home, if a plan was applied (at least in part) there. */
  savedRun(home: string): SavedRun | null;
  /** The plan a run saved in this home, applied or not: its choices are the defaults of the next run. */
  savedPlan(home: string): Plan | null;
  /** Checks the account before anything is written (someone else's module): absent = "not checked". */
  preflight?(input: PreflightInput): Promise<CheckLine[]>;
  secrets?: GuideSecrets;
  now(): number;
}

const isDir = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

export function probeHome(path: string): HomeProbe {
  if (!path.trim()) return { status: 'missing', detail: 'type the folder that holds airflow.cfg and dags/' };
  let isFolder: boolean;
  try {
    isFolder = statSync(path).isDirectory();
  } catch {
    return { status: 'missing', detail: 'no such folder' };
  }
  if (!isFolder) return { status: 'not-a-folder', detail: 'not a folder' };
  const has = [existsSync(join(path, 'airflow.cfg')) && 'airflow.cfg', isDir(join(path, 'dags')) && 'dags/'].filter(Boolean);
  return has.length ? { status: 'airflow', detail: `${has.join(' and ')} found` } : { status: 'folder', detail: 'no airflow.cfg or dags/ here (the scan will fall back to the folder itself)' };
}

/** Sub-folders of the typed path's folder whose names start with its last part; hidden ones only when asked for. */
export function completePath(partial: string, cwd: string): string[] {
  const expanded = partial.startsWith('~/') ? join(homedir(), partial.slice(2)) : partial;
  const endsInSep = expanded.endsWith('/') || expanded === '';
  const dir = endsInSep ? expanded || '.' : dirname(expanded);
  const stem = endsInSep ? '' : basename(expanded);
  let names: string[];
  try {
    names = readdirSync(resolve(cwd, dir), { withFileTypes: true })
      .filter((d) => (d.isDirectory() || (d.isSymbolicLink() && isDir(resolve(cwd, dir, d.name)))) && d.name.startsWith(stem) && (stem.startsWith('.') || !d.name.startsWith('.')))
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
  // Keep what the person typed as the prefix (relative stays relative, ~ stays ~).
  const typedDir = endsInSep ? partial : partial.slice(0, partial.length - stem.length);
  return names.slice(0, 50).map((n) => `${typedDir}${n}/`);
}

/** A plan file this version can read, or null (none, unreadable, another format). */
function readPlan(file: string): Plan | null {
  try {
    const plan = JSON.parse(readFileSync(file, 'utf8')) as Plan;
    return plan.formatVersion === PLAN_FORMAT_VERSION && Array.isArray(plan.actions) ? plan : null;
  } catch {
    return null;
  }
}

export interface DefaultCoreOptions {
  env: Env;
  cwd: string;
  /** false: scan without the cache (--no-cache). */
  cache: boolean;
}

export function defaultCore({ env, cwd, cache }: DefaultCoreOptions): GuideCore {
  const catalog = () => loadCatalog();
  // Asked once for each finding listed (135,000 on 10,000 files).
  const whys = once(() => new Map(catalog().rules.map((r) => [r.id, r.why?.trim()])));
  /** The last scan's check for the version chosen then, begun as its files were read. */
  let scanned: { inventory: Inventory; target: string; checking: CheckAsScanned } | null = null;
  return {
    env,
    homeCandidates() {
      const found: HomeCandidate[] = [];
      const add = (path: string | undefined, why: string) => {
        if (path && isDir(path) && !found.some((c) => resolve(cwd, c.path) === resolve(cwd, path))) found.push({ path, why });
      };
      add(env['AIRFLOW_HOME'], '$AIRFLOW_HOME');
      add(join(env['HOME'] ?? homedir(), 'airflow'), '~/airflow');
      if (probeHome(cwd).status === 'airflow') add(cwd, 'current folder');
      return found;
    },
    probeHome: (path) => probeHome(resolve(cwd, path.replace(/^~(?=\/|$)/, homedir()))),
    completePath: (partial) => completePath(partial, cwd),
    envFileOf(home) {
      const file = join(home, '.env');
      return existsSync(file) ? file : undefined;
    },
    // Loaded beside the scan: the walkthrough's fixes parse the files they change.
    async scan(home, envFile, onProgress, target) {
      const checking = target ? planCheckAsScanned(home, { target, now: clock(env) }) : null;
      const scan = scanHome(home, { envFile, env, cache, onProgress, interest: analysisInterest(catalog()), onFile: checking?.onFile });
      const [inventory] = await Promise.all([scan, loadTreeSitter()]);
      scanned = checking && target ? { inventory, target, checking } : null;
      return inventory;
    },
    check(inventory, target, fix) {
      // The check begun during the scan serves once: the project file may change after it (an accepted finding).
      const early = !fix && scanned?.inventory === inventory && scanned.target === target ? scanned.checking : null;
      if (early) scanned = null;
      return checkForPlan(inventory, inventory.home, { target, now: clock(env), ...(fix ? { fix } : {}) }, early);
    },
    excerpts: (checked) => fixedSources(readSources(checked.inventory), checked.fixed),
    previewFixes: (inventory, target) => previewFixes(inventory, catalog(), target, clock(env)),
    ruleWhy: (id) => whys().get(id),
    suppress: (home, s) => addSuppression(resolve(cwd, home), s),
    targets: targetVersions,
    defaultTarget,
    // The price table knows some regions; elsewhere the counts still hold, priced as the default.
    size: (inventory, target, region) => sizeEnvironment(inventory, { target, region: knownRegions().includes(region) ? region : defaultRegion() }),
    profiles: () => listProfilesWithRegions(env),
    discover,
    bucketStatus,
    makePlan,
    savePlan(plan, file) {
      makeFolder(dirname(file));
      writePlanFile(plan, `${file}.tmp`);
      renameSync(`${file}.tmp`, file);
    },
    saveReport(inventory, result, sizing, home, file) {
      const report = buildReport({
        inventory,
        result,
        catalog: catalog(),
        home,
        targetIsDefault: result.target === defaultTarget(),
        filters: { select: [], ignore: [] },
        sources: readSources(inventory),
        sizing,
      });
      makeFolder(dirname(file));
      writeFileSync(`${file}.tmp`, renderReportMarkdown(report));
      renameSync(`${file}.tmp`, file);
    },
    apply: (plan, file, aws, pollMs, progress) => applyPlanFile(plan, file, { aws, wait: true, pollMs, progress }),
    savedRun(home) {
      const planFile = planFileOf(resolve(cwd, home));
      const journal = journalPath(planFile);
      const plan = existsSync(journal) ? readPlan(planFile) : null;
      if (!plan) return null;
      try {
        const stepsDone = readFileSync(journal, 'utf8').split('\n').filter((l) => l.trim()).length;
        return { planFile, plan, stepsDone };
      } catch {
        return null;
      }
    },
    savedPlan: (home) => readPlan(planFileOf(resolve(cwd, home))),
    async preflight({ settings, aws, environment }) {
      checkProfile(aws);
      const credentials = profileCredentials(aws.profile);
      const region = settings.region;
      const clients = {
        s3: s3Client({ region, endpoint: endpointFor(aws, 'S3'), credentials }),
        iam: new IAMClient({ region, endpoint: endpointFor(aws, 'IAM'), credentials, requestHandler: REQUEST_HANDLER }),
        ec2: new EC2Client({ region, endpoint: endpointFor(aws, 'EC2'), credentials, requestHandler: REQUEST_HANDLER }),
      };
      try {
        const checks = await preflight(clients, {
          region,
          bucket: settings.bucket,
          executionRoleArn: settings.executionRoleArn,
          subnetIds: settings.subnetIds,
          securityGroupIds: settings.securityGroupIds,
          environment,
          ...(settings.secrets ? { secretsPrefixes: [settings.secrets.connectionsPrefix, settings.secrets.variablesPrefix] } : {}),
        });
        // One screen: what needs attention one line each, the passes counted on one line.
        const status = { pass: 'ok', warn: 'warn', fail: 'fail', unknown: 'skip' } as const;
        const firstLine = (t: string) => t.split('\n')[0]!;
        const passed = checks.filter((c) => c.status === 'pass');
        return [
          ...checks.filter((c) => c.status !== 'pass').map((c) => ({ name: c.id, status: status[c.status], detail: `${c.title}: ${firstLine(c.detail)}` })),
          ...(passed.length ? [{ name: `${passed.length} checks`, status: 'ok' as const, detail: `passed (${passed.map((c) => c.id.replace(/^PRE-/, '')).join(', ')})` }] : []),
        ];
      } finally {
        for (const c of Object.values(clients)) c.destroy();
      }
    },
    secrets: {
      async preview(_inventory, settings, aws) {
        if (!settings.secrets) return { lines: ['No AIRFLOW_CONN_ or AIRFLOW_VAR_ entries in the env file: nothing to move.'], conflicts: [] };
        checkProfile(aws);
        const client = secretsManagerClient({ region: settings.region, endpoint: endpointFor(aws, 'SECRETS_MANAGER'), credentials: profileCredentials(aws.profile) });
        try {
          const { part } = await planSecretsPart(settings.secrets, settings.target, { home: settings.home, envFile: settings.envFile, env: aws.env }, client);
          return { lines: secretsLines(part), conflicts: part.conflicts };
        } finally {
          client.destroy();
        }
      },
    },
    now: () => Date.now(),
  };
}

/** "~/x" for paths under the home folder: shorter on screen, and no user name in recordings. */
export function tildify(path: string): string {
  const h = homedir();
  return path === h ? '~' : path.startsWith(h + sep) ? `~${path.slice(h.length)}` : path;
}
