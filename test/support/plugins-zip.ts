import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { HOMES } from '../helpers.js';

// A home whose plugins come as a plugins.zip alone, holding a plugin with a safe fix (an import
// Airflow 3 moved), for fix and plan --fix: the airflow3 fixture home (nothing else there to fix)
// without its plugins folder, so that plan uploads the home's plugins.zip rather than building one.

const enc = (s: string) => new TextEncoder().encode(s);

const plugin = (bashImport: string) => `"""Echo operator for the ops team, shipped in plugins.zip."""
from ${bashImport} import BashOperator  # moved in Airflow 3
from airflow.plugins_manager import AirflowPlugin


class EchoOperator(BashOperator):
    def __init__(self, message: str, **kwargs):
        super().__init__(bash_command=f"echo {message}", **kwargs)


class EchoPlugin(AirflowPlugin):
    name = "echo"
`;

/** The plugin entry as fix leaves it for Airflow 3.0.6. */
export const FIXED_PLUGIN = plugin('airflow.providers.standard.operators.bash');

export const PLUGIN_ENTRY = 'echo_plugin.py';

/** The zip's entries: the plugin to fix, and others fix must leave byte for byte. */
export const PLUGINS_ZIP_ENTRIES: Record<string, Uint8Array> = {
  [PLUGIN_ENTRY]: enc(plugin('airflow.operators.bash_operator')),
  'echo/__init__.py': enc(''),
  'echo/format.py': enc('def banner(text: str) -> str:\n    return f"== {text} =="\n'),
  'echo/query.sql': enc('select 1;\n'),
};

/** Makes the home in `dir`; returns the bytes of the plugins.zip written there. */
export function pluginsZipHome(dir: string): Uint8Array {
  const plugins = join(HOMES, 'airflow3', 'plugins');
  cpSync(join(HOMES, 'airflow3'), dir, { recursive: true, filter: (src) => src !== plugins && !src.startsWith(`${plugins}/`) });
  const zip = zipSync(PLUGINS_ZIP_ENTRIES);
  writeFileSync(join(dir, 'plugins.zip'), zip);
  return zip;
}
