import type { Inventory } from '../home/inventory.js';
import { outlineOf, sumTasks } from '../home/outline.js';
import { style } from './style.js';

// The human summary of `scan`: what was found, how the version was decided, and every problem.
// It prints names and counts only; secret values never reach the Inventory in the first place.

export function renderScanText(inv: Inventory, opts: { color: boolean; width: number }): string {
  const s = style(opts.color);
  const lines: string[] = [];
  const head = (t: string) => lines.push('', s.bold(t));
  const row = (k: string, v: string | number) => lines.push(`  ${k.padEnd(18)} ${v}`);
  const clip = (t: string) => (t.length > opts.width - 4 ? t.slice(0, opts.width - 7) + '...' : t);

  lines.push(s.bold(`Airflow home ${inv.home}`));
  const v = inv.airflowVersion;
  head('Airflow version');
  row('version', v.version ?? (v.family ? `${v.family} (exact version unknown)` : 'unknown'));
  row('decided by', `${v.source} (confidence: ${v.confidence})`);
  for (const e of v.evidence) lines.push(s.dim(clip(`    - ${e}`)));
  if (v.candidates.length > 1) row('candidates', v.candidates.map((c) => `${c.version} (${c.score})`).join(', '));

  head('Configuration');
  row('airflow.cfg', inv.config.file ?? 'none');
  row('options', inv.config.options.length);
  row('from environment', inv.config.options.filter((o) => o.source.kind === 'env').length);
  row('changed defaults', inv.config.options.filter((o) => o.differsFromDefault).length);
  if (inv.config.referenceVersion) row('compared with', `Airflow ${inv.config.referenceVersion} defaults`);
  row('secrets', `${inv.secrets.length}${inv.secrets.length ? ` (${clip(inv.secrets.map((x) => x.what).join(', '))})` : ''}`);
  row('connections', inv.connections.map((c) => `${c.connId} (${c.connType ?? '?'})`).join(', ') || 'none');
  row('variables', inv.variables.map((x) => x.key).join(', ') || 'none');

  head('DAGs');
  const d = inv.dagFolder;
  row('folder', `${d.path}${d.fellBack ? ` (configured ${d.configured} does not exist here)` : ''}`);
  row('.airflowignore', `${d.ignoreSyntax} syntax, ${d.ignoredFiles.length} path(s) ignored`);
  row('safe mode', d.safeMode ? `on, ${d.skippedBySafeMode.length} file(s) without "dag" and "airflow" are not DAG files (checked as modules)` : 'off');
  row('DAG files', `${inv.summary.dagFiles}${d.zips.length ? ` (${d.zips.length} zip package(s))` : ''}${inv.summary.brokenDagFiles ? `, ${inv.summary.brokenDagFiles} unreadable or broken (not counted below)` : ''}`);
  row('modules', `${inv.summary.moduleFiles}${d.importedIgnored.length ? ` (${d.importedIgnored.length} hidden by .airflowignore but imported)` : ''}; every module is checked`);
  row('DAGs', inv.summary.dags);
  const dagCode = inv.dagFiles.flatMap((f) => (f.role === 'dag' && outlineOf(f)) || []);
  const tasks = sumTasks(dagCode.flatMap((o) => [...o.tasksByDag, o.untied]));
  row('tasks', `${inv.summary.tasks} (${tasks.inLoop} in loops, ${tasks.mapped} mapped)`);
  row('imports', inv.summary.imports);
  const schedules = new Map<string, number>();
  for (const dag of dagCode.flatMap((o) => o.dags)) schedules.set(dag.schedule.kind, (schedules.get(dag.schedule.kind) ?? 0) + 1);
  row('schedules', [...schedules].map(([k, n]) => `${k} ${n}`).join(', ') || 'none');
  const calls = inv.dagFiles.reduce((n, f) => n + (outlineOf(f)?.parseTimeCalls ?? 0), 0);
  row('parse-time calls', calls);

  head('Plugins');
  row('folder', inv.plugins.folder ?? 'none');
  row('files', inv.summary.pluginFiles);
  for (const p of inv.plugins.plugins) {
    const what = Object.entries(p.registers).map(([k, list]) => `${k} ${list.length}`).join(', ');
    lines.push(clip(`    - ${p.name ?? p.className} (${p.file}:${p.line})${what ? `: ${what}` : ''}`));
  }
  if (inv.plugins.zip) row('plugins.zip', `${inv.plugins.zip.path}, ${inv.plugins.zip.entries.length} entries`);

  head('Requirements');
  row('files', inv.requirements.files.join(', ') || 'none');
  row('requirements', inv.summary.requirements);

  head(`Problems (${inv.problems.length})`);
  if (!inv.problems.length) lines.push('  none');
  for (const p of inv.problems) {
    const where = p.file ? `${p.file}${p.line ? `:${p.line}` : ''}` : '';
    lines.push(clip(`  ${s.yellow(p.code)} ${where}${where ? ': ' : ''}${p.message}`));
  }
  return lines.join('\n') + '\n';
}
