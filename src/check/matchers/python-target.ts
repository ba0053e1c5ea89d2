import { evaluateMarker, parseMarker, type MarkerEnv } from '../../home/markers.js';
import type { Inventory, Requirement } from '../../home/inventory.js';
import { targetPython } from '../../refdata/mwaa.js';
import type { Hit, Matcher } from '../types.js';
import { requirementHit } from './requirements.js';

// Requirements against the Python MWAA runs the target on (rules/data/mwaa.json: the runtime
// image's Python, or mwaa.yaml's where no image is published). Judged only from what the home
// itself says about Python: environment markers and wheel file names. There is no package index
// here, so a pin without either is left to the constraints rules (REQ003).

function pythonVars(target: string): { python: string; env: MarkerEnv; vars: Record<string, string> } | null {
  const py = targetPython(target);
  if (!py) return null;
  const env: MarkerEnv = { python_version: py.python };
  if (py.pythonFull) env['python_full_version'] = py.pythonFull;
  return { python: py.python, env, vars: { python: py.pythonFull ?? py.python, pythonFrom: py.pythonFrom, target } };
}

/**
 * requirement-python-marker: a requirement whose environment marker is false on the target's
 * Python, so pip skips it, and no other line installs that package there.
 */
const requirementPythonMarker: Matcher = (inv, ctx) => {
  const py = pythonVars(ctx.target);
  if (!py) return [];
  const skipped: Requirement[] = [];
  const installed = new Set<string>();
  for (const r of inv.requirements.requirements) {
    if (r.name === null) continue;
    const tree = r.marker === null ? null : parseMarker(r.marker);
    // Markers that do not parse are REQ014's; undecided ones (other variables) may well install it.
    if (tree !== null && typeof tree !== 'string' && evaluateMarker(tree, py.env) === false) skipped.push(r);
    else installed.add(r.name);
  }
  return skipped
    .filter((r) => !installed.has(r.name!))
    .map((r) => requirementHit(r, { name: r.name!, marker: r.marker!, ...py.vars }));
};

// PEP 427 wheel file names: name-version[-build]-python-abi-platform.whl, tags '.'-separated.
const WHEEL = /^[^-/\\]+-[^-]+(?:-\d[^-]*)?-([^-]+)-([^-]+)-([^-]+)\.whl$/i;

/**
 * Whether CPython major.minor installs a wheel with these tags, as pip's compatible tags say:
 * pyXY-none (X.Y or older), cpXY-abi3 (X.Y or older), cpXY-cpXY and cpXY-none (X.Y exactly).
 */
function wheelFits(python: string, pyTag: string, abiTag: string): boolean {
  const [major, minor] = python.split('.').map(Number) as [number, number];
  return pyTag.split('.').some((p) => {
    const m = /^(py|cp)(\d)(\d*)$/.exec(p.toLowerCase());
    if (!m || Number(m[2]) !== major) return false;
    const tagMinor = m[3] === '' ? null : Number(m[3]);
    return abiTag.split('.').some((abi) => {
      const a = abi.toLowerCase();
      if (a === 'none') return m[1] === 'py' ? tagMinor === null || tagMinor <= minor : tagMinor === minor;
      if (a === 'abi3') return m[1] === 'cp' && tagMinor !== null && tagMinor <= minor;
      return m[1] === 'cp' && tagMinor === minor && a === `cp${major}${minor}`;
    });
  });
}

/** Wheels the home installs: requirement lines (paths and URLs) and wheels shipped in the plugins. */
function* wheels(inv: Inventory): Generator<{ hit: Omit<Hit, 'vars'>; file: string; vars: Record<string, string> }> {
  for (const r of inv.requirements.requirements) {
    const location = r.url?.replace(/[?#].*$/s, '');
    if (!location?.toLowerCase().endsWith('.whl')) continue;
    const file = location.slice(Math.max(location.lastIndexOf('/'), location.lastIndexOf('\\')) + 1);
    const hit = requirementHit(r, {});
    yield { hit, file, vars: { ...hit.vars!, name: r.name ?? file } };
  }
  const plugins = [...inv.plugins.otherFiles, ...(inv.plugins.zip?.entries ?? []).map((e) => `${inv.plugins.zip!.path}/${e}`)];
  for (const path of plugins) {
    if (!path.toLowerCase().endsWith('.whl')) continue;
    const file = path.slice(path.lastIndexOf('/') + 1);
    yield { hit: { file: path, line: 1, col: 1, text: file }, file, vars: { text: file, name: file.split('-')[0]! } };
  }
}

/** requirement-wheel-python: wheels built for another Python than the target's (pip refuses them). */
const requirementWheelPython: Matcher = (inv, ctx) => {
  const py = pythonVars(ctx.target);
  if (!py) return [];
  const hits: Hit[] = [];
  for (const w of wheels(inv)) {
    const tags = WHEEL.exec(w.file);
    if (!tags || wheelFits(py.python, tags[1]!, tags[2]!)) continue;
    hits.push({ ...w.hit, vars: { ...w.vars, ...py.vars, wheel: w.file, tags: `${tags[1]}-${tags[2]}` } });
  }
  return hits;
};

export const pythonTargetMatchers: Record<string, Matcher> = {
  'requirement-python-marker': requirementPythonMarker,
  'requirement-wheel-python': requirementWheelPython,
};
