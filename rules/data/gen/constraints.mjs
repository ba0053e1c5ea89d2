// constraints.json: per MWAA Airflow version, the package pins user requirements are installed
// against (mwaa/constraints/<ver>/: MWAA's copy of Airflow's constraints file, or the local
// runner's for versions before 2.9.2) and the pins MWAA does not let requirements.txt override
// (mwaa_essential_constraints.txt, 2.9.2 on). Compact layout: one row per package holding its pin
// in every version, in the order of `versions`, '-' where that version does not pin it.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const output = 'constraints.json';

// The newer images ship airflow_constraints.txt; 1.10.12 to 2.8.1 only have the local runner's file.
const PIN_FILES = ['airflow_constraints.txt', 'local_runner_constraints.txt'];
const ESSENTIAL_FILE = 'mwaa_essential_constraints.txt';
const PIN = /^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)$/;

/** PEP 503, as the scanner normalises requirement names. */
export const normaliseName = (name) => name.replace(/[-_.]+/g, '-').toLowerCase();

const byVersion = (a, b) => {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
};

/** name -> version for a constraints file; the files hold only `name==version` lines and comments. */
export function readPins(path) {
  const pins = new Map();
  readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const m = PIN.exec(line);
      if (!m) throw new Error(`${path}:${i + 1}: not a name==version pin: ${line}`);
      const name = normaliseName(m[1]);
      if (pins.has(name) && pins.get(name) !== m[2]) throw new Error(`${path}:${i + 1}: ${name} pinned twice`);
      pins.set(name, m[2]);
    });
  return pins;
}

export function generate(ref) {
  const dir = join(ref, 'mwaa/constraints');
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort(byVersion);
  const versions = [];
  const columns = [];
  for (const version of names) {
    const files = readdirSync(join(dir, version));
    const file = PIN_FILES.find((f) => files.includes(f));
    if (!file) throw new Error(`mwaa/constraints/${version}: no constraints file`);
    columns.push(readPins(join(dir, version, file)));
    const essential = files.includes(ESSENTIAL_FILE) ? Object.fromEntries(readPins(join(dir, version, ESSENTIAL_FILE))) : null;
    versions.push({ version, file, essential });
  }
  const packages = [...new Set(columns.flatMap((c) => [...c.keys()]))].sort();
  return {
    description:
      "Package pins per MWAA Airflow version, generated from the MWAA reference (mwaa/constraints/<version>/); do not edit by hand. `pins` has one row per package: its pinned version in each entry of `versions`, in order, '-' where that version does not pin it. `essential` lists the pins MWAA does not let requirements.txt override (null where the reference has no such file).",
    versions,
    pins: Object.fromEntries(packages.map((p) => [p, columns.map((c) => c.get(p) ?? '-').join(' ')])),
  };
}
