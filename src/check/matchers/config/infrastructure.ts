import { yamlTable } from '../../../refdata/yaml-table.js';

// Options that configure what MWAA runs itself (the web server's port, the metadata database's
// pool, the Celery app, metrics): rules/data/mwaa-infrastructure.yaml, hand-kept, says which
// and where each fact comes from.

interface Group {
  what: string;
  options: string[];
  except?: string[];
  reason: string;
}

const table = yamlTable<{ groups: Group[] }>('mwaa-infrastructure.yaml');
const groups = () => table().groups;

const covers = (pattern: string, option: string) => (pattern.endsWith('*') ? option.startsWith(pattern.slice(0, -1)) : pattern === option);

/** Why MWAA makes the option meaningless (`section.key` as the target reads it), or null. */
export function infrastructureOf(option: string): { what: string; reason: string } | null {
  const g = groups().find((g) => g.options.some((p) => covers(p, option)) && !(g.except ?? []).includes(option));
  return g ? { what: g.what, reason: g.reason } : null;
}
