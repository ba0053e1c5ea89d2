import { satisfies, valid } from '@renovatebot/pep440';
import type { PyImport, Requirement, VersionDecision } from './inventory.js';
import { airflowConfigCatalog, compareVersions, PROVIDER_SECTIONS } from '../refdata/airflow-config.js';

// Which Airflow version the home runs, from the strongest evidence available:
// the flag, an apache-airflow pin, an Airflow constraints URL, the shape of airflow.cfg,
// and last the imports in DAG code. Pure: every input is already parsed.

export interface VersionEvidence {
  flag?: string;
  requirements: Requirement[];
  /** section.key of every option written in airflow.cfg. */
  cfgKeys: string[];
  imports: PyImport[];
}

const CONSTRAINTS_URL = /\/constraints-(\d+\.\d+(?:\.\d+)?)\/constraints-/;

const none = (evidence: string[] = []): VersionDecision => ({ version: null, source: 'none', confidence: 'none', family: null, candidates: [], evidence });
const familyOf = (v: string) => (v.startsWith('1.') ? '1.10' : `${v.split('.')[0]}.x`);

export function decideVersion(e: VersionEvidence): VersionDecision {
  if (e.flag) return { version: e.flag, source: 'flag', confidence: 'certain', family: familyOf(e.flag), candidates: [], evidence: ['given with --airflow-version'] };

  const airflowReqs = e.requirements.filter((r) => r.name === 'apache-airflow' && (r.kind === 'requirement' || r.kind === 'url'));
  const pin = airflowReqs.find((r) => r.pinned);
  const constraint = e.requirements.find((r) => r.kind === 'constraint' && r.target && CONSTRAINTS_URL.test(r.target));
  const constraintVersion = constraint ? CONSTRAINTS_URL.exec(constraint.target!)![1]! : null;
  const at = (r: Requirement) => `${r.file}:${r.line}`;

  if (pin) {
    const evidence = [`${at(pin)} pins apache-airflow==${pin.pinned}`];
    if (constraintVersion && constraintVersion !== pin.pinned) evidence.push(`${at(constraint!)} names the constraints of ${constraintVersion}, which disagrees`);
    return { version: pin.pinned, source: 'requirements-pin', confidence: 'high', family: familyOf(pin.pinned!), candidates: [], evidence };
  }
  if (constraintVersion) {
    return {
      version: constraintVersion,
      source: 'constraints-url',
      confidence: 'high',
      family: familyOf(constraintVersion),
      candidates: [],
      evidence: [`${at(constraint!)} uses Airflow's constraints for ${constraintVersion}`],
    };
  }

  // A range such as apache-airflow>=2.5,<2.6 narrows the candidates for the next steps.
  const ranges = airflowReqs.filter((r) => r.specifier).map((r) => r.specifier!);
  const allowed = (v: string) => ranges.every((s) => !valid(v) || satisfies(v, s));
  const rangeNote = ranges.length ? [`requirements allow apache-airflow${ranges.join(' and ')}`] : [];

  const fromCfg = fingerprintConfig(e.cfgKeys, allowed);
  if (fromCfg) return { ...fromCfg, evidence: [...rangeNote, ...fromCfg.evidence] };

  const fromImports = fromDagImports(e.imports);
  if (fromImports) return { ...fromImports, evidence: [...rangeNote, ...fromImports.evidence] };
  return none(rangeNote);
}

/** Scores each captured catalogue by how many of the written options it knows. */
function fingerprintConfig(keys: string[], allowed: (v: string) => boolean): VersionDecision | null {
  const cat = airflowConfigCatalog();
  const written = [...new Set(keys)].filter((k) => !PROVIDER_SECTIONS.has(k.split('.')[0]!) && !k.startsWith('default.'));
  if (written.length < 3) return null;
  const scores = cat.versions
    .filter(allowed)
    .map((v) => {
      const known = new Set(Object.entries(cat.options).filter(([k, o]) => o.present.includes(v) && !PROVIDER_SECTIONS.has(k.split('.')[0]!)).map(([k]) => k));
      const hits = written.filter((k) => known.has(k)).length;
      // Coverage decides; similarity (how much of the catalogue the file repeats) breaks ties,
      // which tells a generated full airflow.cfg from a short hand-written one.
      const coverage = hits / written.length;
      const similarity = hits / (written.length + known.size - hits);
      return { version: v, coverage, similarity, score: Math.round((coverage * 0.8 + similarity * 0.2) * 1000) / 1000, missing: written.filter((k) => !known.has(k)) };
    })
    .sort((a, b) => b.score - a.score || compareVersions(b.version, a.version));
  const best = scores[0];
  if (!best || best.coverage < 0.5) return null;
  const runnerUp = scores[1];
  const margin = runnerUp ? best.score - runnerUp.score : 1;
  // A handful of hand-written options can only narrow the range; a generated airflow.cfg
  // (hundreds of options) names its version.
  const confidence = written.length < 10 ? 'low' : best.coverage > 0.97 && margin >= 0.02 && written.length >= 30 ? 'high' : margin >= 0.01 ? 'medium' : 'low';
  const evidence = [`${Math.round(best.coverage * 100)}% of the ${written.length} options in airflow.cfg exist in Airflow ${best.version}'s catalogue`];
  if (best.missing.length) evidence.push(`unknown to ${best.version}: ${best.missing.slice(0, 5).join(', ')}${best.missing.length > 5 ? ', ...' : ''}`);
  if (confidence === 'low') evidence.push('several versions fit about as well; pass --airflow-version to be sure');
  return {
    version: best.version,
    source: 'config-fingerprint',
    confidence,
    family: familyOf(best.version),
    candidates: scores.slice(0, 4).map((s) => ({ version: s.version, score: s.score })),
    evidence,
  };
}

// Each marker proves "at least this version": later code cannot run on older Airflow.
const IMPORT_MARKERS: [RegExp, string, string][] = [
  [/^airflow\.sdk(\.|$)/, '3.x', 'airflow.sdk'],
  [/^airflow\.(datasets|timetables)(\.|$)/, '2.x', 'airflow.datasets / timetables (2.2+)'],
  [/^airflow\.(providers|decorators)(\.|$)/, '2.x', 'airflow.providers / airflow.decorators (2.0+)'],
  [/^airflow\.contrib(\.|$)|^airflow\.operators\.\w+_operator(\.|$)|^airflow\.(hooks|sensors)\.\w+_(hook|sensor)(\.|$)/, '1.10', 'airflow.contrib / *_operator modules (1.10 layout)'],
];

function fromDagImports(imports: PyImport[]): VersionDecision | null {
  const counts = new Map<string, number>();
  for (const imp of imports) {
    const m = IMPORT_MARKERS.find(([re]) => re.test(imp.name));
    if (m) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
  }
  if (!counts.size) return null;
  const order = ['3.x', '2.x', '1.10'];
  const family = order.find((f) => counts.has(f))!;
  const evidence = IMPORT_MARKERS.filter(([, f]) => counts.has(f)).map(([, f, what]) => `${counts.get(f)} import(s) of ${what} point to ${f}`);
  return {
    version: null,
    source: 'dag-imports',
    confidence: 'low',
    family,
    candidates: order.filter((f) => counts.has(f)).map((f) => ({ version: f, score: counts.get(f)! })),
    evidence,
  };
}
