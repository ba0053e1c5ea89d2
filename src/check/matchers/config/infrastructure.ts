import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { once } from '../../../refdata/data.js';

// Options that configure what MWAA runs itself (the web server's port, the metadata database's
// pool, the Celery app, metrics): rules/data/mwaa-infrastructure.yaml, hand-kept, says which
// and where each fact comes from.

interface Group {
  what: string;
  options: string[];
  except?: string[];
  reason: string;
}

const require = createRequire(import.meta.url);

const groups = once(() => {
  const { parse } = require('yaml') as typeof import('yaml');
  const text = readFileSync(new URL('../../../../rules/data/mwaa-infrastructure.yaml', import.meta.url), 'utf8');
  return (parse(text) as { groups: Group[] }).groups;
});

const covers = (pattern: string, option: string) => (pattern.endsWith('*') ? option.startsWith(pattern.slice(0, -1)) : pattern === option);

/** Why MWAA makes the option meaningless (`section.key` as the target reads it), or null. */
export function infrastructureOf(option: string): { what: string; reason: string } | null {
  const g = groups().find((g) => g.options.some((p) => covers(p, option)) && !(g.except ?? []).includes(option));
  return g ? { what: g.what, reason: g.reason } : null;
}
