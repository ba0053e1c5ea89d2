import type { Inventory } from '../home/inventory.js';
import { oneLine, type GuideContext } from './context.js';
import { planSettings } from './settings.js';

// The connections step: the connections and variables the home defines, where each comes from,
// names defined twice, and (when the core can) what moving them to Secrets Manager would do.

type Source = Inventory['connections'][number]['source'];

const label = (s: Source) => (s.kind === 'file' ? s.file : s.origin === 'env-file' ? `${s.file ?? '.env'}` : 'environment');

export function enterConnections(ctx: GuideContext): void {
  const inv = ctx.inventory!;
  const sources = new Map<string, { label: string; connections: number; variables: number }>();
  for (const c of inv.connections) (sources.get(label(c.source)) ?? sources.set(label(c.source), { label: label(c.source), connections: 0, variables: 0 }).get(label(c.source))!).connections++;
  for (const v of inv.variables) (sources.get(label(v.source)) ?? sources.set(label(v.source), { label: label(v.source), connections: 0, variables: 0 }).get(label(v.source))!).variables++;
  const dup = (names: string[]) => [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
  const conflicts = [...dup(inv.connections.map((c) => c.connId)).map((n) => `connection ${n} is defined more than once`), ...dup(inv.variables.map((v) => v.key)).map((n) => `variable ${n} is defined more than once`)];
  ctx.patch('connections', {
    sources: [...sources.values()],
    connections: inv.connections.map((c) => ({ id: c.connId, type: c.connType ?? 'unknown', source: label(c.source), secret: c.hasPassword })),
    variables: inv.variables.map((v) => ({ key: v.key, source: label(v.source), secret: inv.secrets.some((s) => s.source.kind === 'env' && v.source.kind === 'env' && s.source.name === v.source.name) })),
    conflicts,
  });
  ctx.go('connections');
  const secrets = ctx.core.secrets;
  if (!secrets) return;
  ctx.patch('connections', { secrets: { status: 'loading', lines: [] } });
  ctx.track(secrets.preview(inv, planSettings(ctx), ctx.accessAws)).then(
    (p) => ctx.patch('connections', { secrets: { status: 'done', lines: p.lines }, conflicts: [...conflicts, ...p.conflicts] }),
    (e: unknown) => ctx.patch('connections', { secrets: { status: 'error', lines: [oneLine(e)] } }),
  );
}
