import type { SecretsPart } from './step.js';

// The secrets step for people: sources, counts, each secret's change, conflicts and problems.
// Names and fingerprints only: a SecretsPart holds no value.

const MARK: Record<SecretsPart['actions'][number]['change'], string> = {
  create: '+',
  update: '~',
  'restore-and-update': '~',
  unchanged: ' ',
  'conflict-skipped': '!',
  conflict: '!',
};

export function secretsLines(part: SecretsPart): string[] {
  const n = (what: 'connection' | 'variable') => part.actions.filter((a) => a.what === what).length;
  const by = (c: string) => part.actions.filter((a) => a.change === c).length;
  const out = [
    `Secrets Manager: ${n('connection')} connection(s) under ${part.connectionsPrefix}/, ${n('variable')} variable(s) under ${part.variablesPrefix}/` +
      ` (${by('create')} new, ${by('update') + by('restore-and-update')} changed, ${by('unchanged')} unchanged, ${by('conflict') + by('conflict-skipped')} in conflict; --on-conflict ${part.onConflict})`,
    `  from: ${part.sources.map((s) => (s.kind === 'metadata-db' ? `metadata DB (${s.display})` : `${s.file} (${s.kind})`)).join(', ')}`,
  ];
  for (const a of part.actions) {
    if (a.change === 'unchanged') continue;
    const why = a.change === 'conflict' ? 'exists with another value: not written' : a.change === 'conflict-skipped' ? 'exists with another value: skipped' : a.change;
    out.push(`  ${MARK[a.change]} ${a.name}: ${why}`);
  }
  if (part.problems.length) out.push(`  Not moved (${part.problems.length}):`, ...part.problems.map((p) => `    - ${p}`));
  const notes = [...new Set([...part.notes, ...part.actions.flatMap((a) => a.notes.map((n) => `${a.name}: ${n}`))])];
  if (notes.length) out.push('  Notes:', ...notes.map((x) => `    - ${x}`));
  return out;
}
