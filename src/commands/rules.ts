import { join } from 'node:path';
import { loadCatalog, RULES_DIR } from '../check/catalog.js';
import { EXIT_OK, UsageError } from '../exit.js';
import { renderRule, renderRuleList } from '../report/rules-text.js';
import { useColor } from '../report/style.js';
import { parse, type Options } from './args.js';
import { printUsage } from './help.js';
import type { CliIO } from './io.js';

// rules: list the rule catalogue, or explain one rule.

const RULES_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies Options;

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, RULES_OPTIONS, 'rules');
  if (values.help) return printUsage(io, 'rules');
  if (positionals.length > 1) throw new UsageError(`rules takes at most one rule id, got ${positionals.length}`);
  const { rules } = loadCatalog();
  const strip = ({ source: _source, ...r }: (typeof rules)[number]) => r;
  const id = positionals[0]?.toUpperCase();
  if (id) {
    const rule = rules.find((r) => r.id === id);
    if (!rule) throw new UsageError(`no rule ${positionals[0]} (list them with: mwaa-migrate rules)`);
    io.stdout(values.json ? `${JSON.stringify(strip(rule), null, 2)}\n` : renderRule(rule, join(RULES_DIR, 'fixtures'), { color: useColor(io) }));
    return EXIT_OK;
  }
  io.stdout(values.json ? `${JSON.stringify(rules.map(strip), null, 2)}\n` : renderRuleList(rules, { color: useColor(io), width: 120 }));
  return EXIT_OK;
}
