import { EXIT_CHANGES, EXIT_OK, UsageError } from '../exit.js';
import { planFixes, type FixPlan, type NotFixed } from '../fix/home.js';
import { diffPieces, rewritten, uncommitted, writeInPlace, writeOut } from '../fix/write.js';
import { HOME_OPTIONS, parse, targetVersionFlag, type Options } from './args.js';
import { printUsage } from './help.js';
import { streamOut, type CliIO } from './io.js';
import { batched } from '../report/json-chunks.js';
import { checkHome } from './report.js';
import { loadTreeSitter } from '../python/parser.js';
import { compareNames } from '../collate.js';

// fix: apply the safe fixes the findings carry. By default a diff, nothing written (as ruff --diff);
// --out DIR writes a fixed copy of the DAG and plugins folders and plugins.zip; --write rewrites the home.

const FIX_OPTIONS = {
  ...HOME_OPTIONS,
  'target-version': { type: 'string' },
  select: { type: 'string', multiple: true },
  ignore: { type: 'string', multiple: true },
  'project-file': { type: 'string' },
  out: { type: 'string' },
  write: { type: 'boolean' },
  force: { type: 'boolean' },
  'unsafe-fixes': { type: 'boolean' },
} satisfies Options;

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, FIX_OPTIONS, 'fix');
  if (values.help) return printUsage(io, 'fix');
  if (values.out !== undefined && values.write) throw new UsageError('--out and --write: give one (a fixed copy, or the home rewritten)');
  if (values.force && !values.write) throw new UsageError('--force goes with --write');
  const target = targetVersionFlag(values['target-version']);
  const { catalog, home, inventory, result } = await checkHome('fix', values, positionals, io, target, { replacements: true });
  await loadTreeSitter(); // the fixes parse each file they change, and what they make of it
  const plan = planFixes(inventory, result.findings, catalog, home.path, { unsafe: values['unsafe-fixes'] });

  if (values.write) {
    const dirty = values.force ? [] : uncommitted(home.path, rewritten(plan.files));
    if (dirty.length) throw new UsageError(`--write: uncommitted changes to ${dirty.join(', ')} (commit or stash them first, or add --force)`);
    writeInPlace(plan.files, inventory, home.path);
  } else if (values.out !== undefined) {
    writeOut(plan.files, inventory, home.path, values.out);
  } else {
    await streamOut(io, batched(diffPieces(plan.files)));
  }
  const renamed = result.findings.filter((f) => f.ruleId === 'CFG001').length;
  const cfg = renamed
    ? [`${inventory.config.file ?? 'airflow.cfg'} is left as it is (MWAA does not read it): plan sends its ${renamed} renamed or moved option${renamed === 1 ? '' : 's'} under the names Airflow ${result.target} reads`]
    : [];
  io.stderr(summary(plan, values.write ? 'fixed in place' : values.out !== undefined ? `written to ${values.out}` : 'to apply (--write, or --out DIR)', cfg));
  return values.write || values.out !== undefined || plan.files.length === 0 ? EXIT_OK : EXIT_CHANGES;
}

function summary(plan: FixPlan, done: string, notes: string[]): string {
  const fixes = plan.files.reduce((n, f) => n + f.fixes, 0);
  const lines = [`mwaa-migrate: ${fixes} fix${fixes === 1 ? '' : 'es'} in ${plan.files.length} file${plan.files.length === 1 ? '' : 's'} ${done}`];
  lines.push(...notes);
  if (plan.unsafeLeft) lines.push(`${plan.unsafeLeft} more fix${plan.unsafeLeft === 1 ? '' : 'es'} may shift the meaning: see them with --unsafe-fixes`);
  if (plan.notFixed.length) lines.push(`${plan.notFixed.length} finding${plan.notFixed.length === 1 ? '' : 's'} of fixable rules left to fix by hand:`);
  for (const n of plan.notFixed.slice(0, LISTED)) lines.push(`  ${n.file}:${n.line}:${n.col} ${n.ruleId} ${n.name}: ${n.reason}`);
  const more = plan.notFixed.slice(LISTED);
  if (more.length) lines.push(`  and ${more.length} more: ${perRule(more)} (\`mwaa-migrate report\` lists every finding)`);
  return `${lines.join('\n')}\n`;
}

// A big home leaves hundreds by hand (924 on the 10,000-file bench home): the first few say why,
// the rest are counted per rule.
const LISTED = 20;

const perRule = (left: NotFixed[]): string => {
  const counts = new Map<string, number>();
  for (const n of left) counts.set(n.ruleId, (counts.get(n.ruleId) ?? 0) + 1);
  return [...counts].sort(([a, x], [b, y]) => y - x || compareNames(a, b)).map(([rule, n]) => `${rule} ${n}`).join(', ');
};
