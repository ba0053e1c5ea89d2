import { EXIT_OK } from '../exit.js';
import { defaultTarget, targetVersions } from '../refdata/mwaa.js';
import { PRICE_LIST_URL_ENV } from '../sizing/live-prices.js';
import { defaultRegion, knownRegions } from '../sizing/table.js';
import { TOOL_VERSION } from '../version.js';
import type { CliIO } from './io.js';

// The usage text (--help, help, and every command's --help). Loaded on its own at start-up, so
// it imports only light modules: the data tables it quotes, not the code that uses them.

/** The plan file migrate writes unless --out says otherwise. */

/**
 * Greedy word wrap of plain text, as wrap-ansi does it (lines at most `width` long, broken at
 * spaces, none trailing), without loading wrap-ansi's Unicode tables on every --help.
 */
function wrapWords(text: string, width: number): string {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last]!.length + 1 + word.length <= width) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines.join('\n');
}

// A function, so that the MWAA versions are read only when someone asks for help.
export const usage = (): string => `mwaa-migrate ${TOOL_VERSION}: move a self-hosted Apache Airflow to Amazon MWAA

Usage:
  mwaa-migrate [guide [AIRFLOW_HOME]] [options]  the guided walkthrough, step by step (needs a terminal)
  mwaa-migrate scan [AIRFLOW_HOME] [options]     read an Airflow home into an inventory
  mwaa-migrate report [AIRFLOW_HOME] [options]   check it for a move to MWAA and report the findings
  mwaa-migrate fix [AIRFLOW_HOME] [options]      apply the safe fixes: a diff (default), --out DIR or --write
  mwaa-migrate size [AIRFLOW_HOME] [options]     recommend an MWAA environment size and its monthly cost
  mwaa-migrate rules [ID] [--json]               list the rule catalogue, or explain one rule
  mwaa-migrate plan [AIRFLOW_HOME] --name N --bucket B --execution-role-arn ARN
                    --subnet-ids S1,S2 --security-group-ids SG [options]
                                                 what a move would upload, create or update, with the
                                                 preflight checks (reads AWS, writes nothing)
  mwaa-migrate preflight [AIRFLOW_HOME] (the flags of plan)
                                                 the read-only checks alone: bucket, role, network,
                                                 the request
  mwaa-migrate apply PLAN.json [options]         carry out a plan: bucket, objects, secrets, environment
                                                 (resumable)
  mwaa-migrate migrate [AIRFLOW_HOME] --name N --bucket B ... [--yes]
                                                 all in one: check, plan, confirm, apply and wait
  mwaa-migrate secrets [AIRFLOW_HOME] --region R SOURCE... [--yes]
                                                 move connections and variables to Secrets Manager alone

Options of scan, report and size:
  --env-file FILE          overlay AIRFLOW__*, AIRFLOW_CONN_*, AIRFLOW_VAR_* from a dotenv file
  --dotenv FILE            the same (through npx, use this one: Node takes --env-file itself)
  --airflow-version X      the Airflow version in use (skips detection)
  --no-cache               do not read or write the scan cache
  --debug                  show stack traces for unexpected errors

Scan options:
  --json                   print the inventory as JSON (schema: schema/inventory.schema.json)
  --use-env                also overlay those variables from this process's environment

Options of report and size (never prompt; no AWS call but --live-prices):
  --target-version V       the MWAA Airflow version to move to (default ${defaultTarget()}), one of:
${wrapWords(targetVersions().map((v) => v.version).join(', '), 70).replace(/^/gm, ' '.repeat(27))}
  --region R               the AWS region to price the environment in (default ${defaultRegion()}),
                           one of: ${knownRegions().join(', ')}
                           (any region with --live-prices)
  --load-file FILE         measured load (concurrent task instances per hour of the day, CSV
                           or JSON; README says how to get it from the metadata DB) in place
                           of the schedule estimate
  --live-prices            read the region's prices from the public AWS Price List offer
                           file instead of the bundled table (no credentials; the base URL
                           can be set in $${PRICE_LIST_URL_ENV})

Size options:
  --json                   print the sizing as JSON

Report options:
  --format F               text (default), json, markdown, sarif or html
  --output FILE            write the report to FILE instead of standard output
  --fail-on LEVEL          exit 1 on findings at or above LEVEL: error (default), warning,
                           info, or never
  --select IDS             only these rules: comma-separated ids or family prefixes (IMP, IMP001)
  --ignore IDS             leave these rules out, same form
  --project-file FILE      suppressions (default: AIRFLOW_HOME/.mwaa-migrate.yaml if present)
  --timestamp              record when the report was made (without it, the same input gives
                           byte-identical output the same day, or any day with SOURCE_DATE_EPOCH set)

Fix options (also --target-version, --select, --ignore, --project-file, --env-file,
--airflow-version, --no-cache). Safe fixes keep the meaning: import paths chained to the target
(1.10 to 3.x), renamed DAG and task arguments, trigger_rule values, @apply_defaults and no-op
arguments removed. Unsafe ones may shift it (context keys such as execution_date, SLA arguments).
  --unsafe-fixes           apply the unsafe fixes too (rules ID says which a rule's are)
  --out DIR                write a fixed copy of the DAG and plugins folders and plugins.zip to DIR
                           (new or empty)
  --write                  rewrite the home's files in place; refused when a file it would touch has
                           uncommitted git changes
  --force                  with --write: rewrite over uncommitted changes
  Exit code 3 when the diff shows fixes to apply (as plan's changes pending), 0 otherwise.

Plan options (also --target-version, --region, --env-file, --airflow-version, --no-cache):
  --dags-prefix P          the bucket folder for DAGs, owned by the tool (default dags)
  --class C                environment class (default: the size recommendation)
  --webserver-access M     PRIVATE_ONLY (default) or PUBLIC_ONLY
  --maintenance-window W   weekly maintenance start, e.g. SUN:03:00
  --kms-key ARN            customer KMS key
  --tag K=V                extra environment tag (repeatable)
  --delete                 delete objects under the DAG prefix that are no longer in the home
  --out FILE               write the plan as JSON (schema: schema/plan.schema.json)
  --no-preflight           skip the read-only checks of the bucket, role and network
  --unpaused               create DAGs unpaused (default: paused, so that catchup DAGs do not
                           backfill while the old scheduler still runs them; see rule CODE023)
  --fix                    upload the DAG and plugin files with fix's safe fixes applied, and add
                           the provider packages the fixed imports need to requirements.txt
  --unsafe-fixes           with --fix: the unsafe fixes too
  --endpoint-url URL       endpoint for every AWS service (default $AWS_ENDPOINT_URL_<SERVICE>,
                           then $AWS_ENDPOINT_URL, else AWS's)
  --mwaa-endpoint-url URL  MWAA's alone (for emulators without MWAA)
  --profile NAME           AWS profile for credentials (default: $AWS_PROFILE, else the default chain)

Preflight options (every plan option but --out, --delete, --no-preflight, --fix, --unsafe-fixes):
  --json                   print the checks as JSON (id, area, status, title, detail, fix)
  Exit code 1 when a check fails, 0 otherwise (warnings and unknowns too).

Secrets options (plan, migrate, secrets): connections and variables to move to Secrets Manager
  --connections-file F     an "airflow connections export" file (JSON, YAML or env; repeatable)
  --variables-file F       an "airflow variables export" file (repeatable)
  --secrets-env-file F     AIRFLOW_CONN_* and AIRFLOW_VAR_* of a dotenv file
  --from-metadata-db       the home's metadata database (its sql_alchemy_conn and fernet_key)
  --metadata-db-url URL    that database named here (SQLite, PostgreSQL, MySQL); give it to apply too
  --connections-prefix P   secret name prefix (default airflow/connections)
  --variables-prefix P     secret name prefix (default airflow/variables)
  --on-conflict M          a secret that exists with another value: fail (default), skip, overwrite
  --secrets-kms-key ARN    KMS key for the secrets the tool creates
  secrets also takes --region, --target-version, --env-file, --endpoint-url, --profile, --yes,
  --dry-run, and --journal FILE (default mwaa-migrate-secrets.journal.jsonl).

Apply options (the region comes from the plan, credentials from the AWS default chain or --profile):
  --endpoint-url URL, --mwaa-endpoint-url URL, --profile NAME   as for plan
  --no-wait                return once the environment's creation or update has started
  --poll-seconds N         how often to check the environment's status while waiting (default 30)
  --allow-errors           apply although the plan has error findings or failed preflight checks
  --metadata-db-url URL    as given to plan, when the secrets come from it (never stored in the plan)
  Progress goes to stderr; PLAN.json.journal.jsonl records each step done, so a re-run resumes.

Migrate options (all plan and apply options; --out defaults to HOME/.mwaa-migrate/NAME.plan.json):
  --yes                    do not ask for confirmation (required without a terminal, or with CI set)
  --dry-run                stop after the plan and the AWS account: write nothing to AWS
  --allow-errors           go on although error findings or failed preflight checks remain
  --no-env-secrets         leave the AIRFLOW_CONN_* and AIRFLOW_VAR_* of --env-file where they are
                           (by default migrate moves them to Secrets Manager)
  Without --yes, migrate asks to type the environment name; any other answer aborts (exit 1).
  The account and region (sts:GetCallerIdentity; endpoint $AWS_ENDPOINT_URL_STS, else
  $AWS_ENDPOINT_URL) are shown on stderr before anything is written to AWS.

Guide options: --region, --profile, --endpoint-url, --mwaa-endpoint-url, --poll-seconds, --no-cache,
  as above. It keeps its plan, journal and report in AIRFLOW_HOME/.mwaa-migrate/ and resumes from them.

AIRFLOW_HOME defaults to $AIRFLOW_HOME, then ~/airflow.
Exit codes: 0 ok (size: always, when the home was read; plan: nothing to do; apply, migrate:
environment AVAILABLE, or the change started with --no-wait), 1 findings at or above the --fail-on
level (plan: error findings, failed preflight checks or secret conflicts; preflight: a failed
check; apply, migrate: the same
without --allow-errors (conflicts always), CREATE_FAILED, UPDATE_FAILED or UNAVAILABLE, confirmation
declined; secrets: conflicts, failed writes, declined; guide: the environment failed), 2 usage,
input or AWS error (apply: also a stale plan; migrate, secrets: also no terminal to confirm on and
no --yes; plan, migrate: also an Airflow version the existing environment cannot be updated to
in place; guide: no terminal), 3 plan, migrate --dry-run, secrets --dry-run: changes pending (fix: fixes
to apply), 4 report: nothing reaches
--fail-on but part of the home could not be read, 130 guide: left before the end.
`;

// The sections of the usage text each command's --help shows (migrate takes plan's and apply's options).
const SECTIONS_OF: Record<string, string[]> = { migrate: ['migrate', 'plan', 'apply'], guide: ['guide'] };
// preflight takes plan's flags: their sections by heading (naming "plan" would bring apply's too).
const HEADINGS_OF: Record<string, string[]> = { preflight: ['Plan options', 'Secrets options'] };

/**
 * One command's part of the usage text: its usage lines, then every section whose heading names
 * it ("Scan options:", "Options of scan, report and size:", "Secrets options (plan, ...)").
 */
export function commandUsage(command: string): string {
  const [title, usageSection, ...sections] = usage().split('\n\n');
  const words = SECTIONS_OF[command] ?? [command];
  const names = (heading: string) => words.some((w) => new RegExp(`\\b${w}\\b`, 'i').test(heading.split(':')[0]!)) || (HEADINGS_OF[command] ?? []).some((h) => heading.startsWith(h));
  const lines = usageSection!.split('\n');
  const usageLines: string[] = [];
  lines.forEach((l, i) => {
    if (!l.startsWith(`  mwaa-migrate ${command === 'guide' ? '[guide' : command}`)) return;
    usageLines.push(l);
    for (let j = i + 1; j < lines.length && /^ {4,}/.test(lines[j]!); j++) usageLines.push(lines[j]!);
  });
  const picked = sections.filter((s) => names(s.split('\n')[0]!));
  return `${[title, `Usage:\n${usageLines.join('\n')}`, ...picked, 'mwaa-migrate --help shows every command.'].join('\n\n')}\n`;
}

export function printUsage(io: CliIO, command?: string): number {
  io.stdout(command ? commandUsage(command) : usage());
  return EXIT_OK;
}

/** `help`: the usage text, whatever follows. */
export async function run(_args: string[], io: CliIO): Promise<number> {
  return printUsage(io);
}
