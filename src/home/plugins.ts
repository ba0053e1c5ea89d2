import type { PluginDef, PyFile } from './inventory.js';

// What each AirflowPlugin subclass registers, read from its class attributes
// (airflow/plugins_manager.py lists the attributes a plugin may set).
const REGISTRY_ATTRIBUTES = [
  'operators',
  'sensors',
  'hooks',
  'executors',
  'macros',
  'admin_views',
  'flask_blueprints',
  'menu_links',
  'appbuilder_views',
  'appbuilder_menu_items',
  'global_operator_extra_links',
  'operator_extra_links',
  'source_code_links',
  'timetables',
  'listeners',
  'priority_weight_strategies',
  'fastapi_apps',
  'fastapi_root_middlewares',
  'external_views',
  'react_apps',
];

export function findPlugins(files: PyFile[]): PluginDef[] {
  const out: PluginDef[] = [];
  for (const f of files) {
    for (const cls of f.analysis?.classes ?? []) {
      if (!cls.bases.some((b) => b === 'AirflowPlugin' || b.endsWith('.AirflowPlugin'))) continue;
      const registers: Record<string, string[]> = {};
      for (const attr of REGISTRY_ATTRIBUTES) if (cls.attributes[attr]?.length) registers[attr] = cls.attributes[attr];
      out.push({ file: f.path, line: cls.line, col: cls.col, className: cls.name, name: cls.attributes['name']?.[0] ?? null, registers });
    }
  }
  return out;
}

/**
 * The folder every entry of a plugins.zip sits under when the user zipped the folder rather than
 * its contents: MWAA unpacks the zip into the plugins folder, so modules end up one level too
 * deep. A single top-level Python package (with __init__.py) is a legitimate layout.
 */
export function wrappingFolder(entries: string[]): string | null {
  const files = entries.filter((e) => !e.endsWith('/') && !e.startsWith('__MACOSX/'));
  if (!files.length) return null;
  const first = files[0]!.split('/')[0]!;
  const wrapped = files.every((e) => e.includes('/') && e.split('/')[0] === first);
  return wrapped && !files.includes(`${first}/__init__.py`) ? first : null;
}
