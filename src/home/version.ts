import { satisfies, valid } from '@renovatebot/pep440';
import type { PyImport, Requirement, VersionDecision, VersionPin } from './inventory.js';
import type { VersionFiles } from './version-files.js';
import { airflowConfigCatalog, compareVersions, PROVIDER_SECTIONS } from '../refdata/airflow-config.js';

// Which Airflow version the home runs, from the strongest evidence available: the flag; exact
// evidence (apache-airflow pins, constraints URLs, Airflow image tags in Dockerfiles, compose files
// and Helm values, freeze files); the shape of airflow.cfg; and last the imports in the home's
// Python files. Only exact evidence says "high". Pure: every input is already parsed.

export interface VersionEvidence {
  flag?: string;
  requirements: Requirement[];
  /** Exact evidence read outside requirements.txt (see version-files.ts). */
  files?: VersionFiles;
  /** section.key of every option written in airflow.cfg. */
  cfgKeys: string[];
  /** Imports of the home's Python files; `file` says which file each is in (without it, all count as one file). */
  imports: (PyImport & { file?: string })[];
}

const CONSTRAINTS_URL = /\/constraints-(\d+\.\d+(?:\.\d+)?)\/constraints-/;

const none = (evidence: string[] = []): VersionDecision => ({ version: null, source: 'none', confidence: 'none', family: null, candidates: [], evidence });
const familyOf = (v: string) => (v.startsWith('1.') ? '1.10' : `${v.split('.')[0]}.x`);

export function decideVersion(e: VersionEvidence): VersionDecision {
  if (e.flag) return { version: e.flag, source: 'flag', confidence: 'certain', family: familyOf(e.flag), candidates: [], evidence: ['given with --airflow-version'] };
  const notes = e.files?.notes ?? [];

  const pins = [...requirementPins(e.requirements), ...(e.files?.pins ?? [])];
  if (pins.length) {
    const decided = fromPins(pins);
    return { ...decided, evidence: [...decided.evidence, ...notes] };
  }

  // A range such as apache-airflow>=2.5,<2.6 narrows the candidates for the next steps.
  const ranges = e.requirements.filter((r) => r.name === 'apache-airflow' && (r.kind === 'requirement' || r.kind === 'url') && r.specifier).map((r) => r.specifier!);
  const allowed = (v: string) => ranges.every((s) => !valid(v) || satisfies(v, s));
  const rangeNote = ranges.length ? [`requirements allow apache-airflow${ranges.join(' and ')}`] : [];

  const decided = fingerprintConfig(e.cfgKeys, allowed) ?? fromImports(e.imports);
  return decided ? { ...decided, evidence: [...rangeNote, ...decided.evidence, ...notes] } : none([...rangeNote, ...notes]);
}

function requirementPins(requirements: Requirement[]): VersionPin[] {
  const out: VersionPin[] = [];
  for (const r of requirements) {
    if (r.name === 'apache-airflow' && (r.kind === 'requirement' || r.kind === 'url') && r.pinned) {
      out.push({ version: r.pinned, source: 'requirements-pin', file: r.file, line: r.line, what: `pins apache-airflow==${r.pinned}` });
    }
    const url = r.kind === 'constraint' && r.target ? CONSTRAINTS_URL.exec(r.target) : null;
    if (url) out.push({ version: url[1]!, source: 'constraints-url', file: r.file, line: r.line, what: `uses Airflow's constraints for ${url[1]}` });
  }
  return out;
}

// When exact sources disagree, the version most of them name wins; on a tie, what pip installs
// last (a requirements pin) beats a constraints URL, which beats the image tag.
const PIN_RANK: VersionPin['source'][] = ['requirements-pin', 'constraints-url', 'image-tag', 'pinned-file'];
const MAX_LISTED = 6;

function fromPins(pins: VersionPin[]): VersionDecision {
  const groups = new Map<string, VersionPin[]>();
  for (const p of pins) groups.set(p.version, [...(groups.get(p.version) ?? []), p]);
  const rank = (ps: VersionPin[]) => Math.min(...ps.map((p) => PIN_RANK.indexOf(p.source)));
  const ordered = [...groups].sort(([, a], [, b]) => b.length - a.length || rank(a) - rank(b));
  const [version, chosen] = ordered[0]!;
  const others = ordered.slice(1).flatMap(([, ps]) => ps);
  const say = (p: VersionPin) => `${p.file}:${p.line} ${p.what}`;
  const listed = [...new Set(chosen.map(say))];
  const evidence = listed.length > MAX_LISTED ? [...listed.slice(0, MAX_LISTED), `and ${listed.length - MAX_LISTED} more naming ${version}`] : listed;
  evidence.push(...others.map((p) => `${say(p)}, which disagrees`));
  const base = { version, source: PIN_RANK[rank(chosen)]!, family: familyOf(version), pins };
  if (!others.length) return { ...base, confidence: 'high', candidates: [], evidence };
  const majors = new Set(ordered.map(([v]) => v.split('.')[0]));
  evidence.push(`exact sources disagree (${ordered.map(([v, ps]) => `${v} x${ps.length}`).join(', ')}): pass --airflow-version to be sure`);
  return {
    ...base,
    confidence: majors.size > 1 ? 'low' : 'medium',
    candidates: ordered.map(([v, ps]) => ({ version: v, score: ps.length })),
    evidence,
  };
}

/**
 * Scores each captured catalogue by how many of the written options it knows. A catalogue match is
 * never exact (several releases share one option list), so it says "medium" at most, and only the
 * family when the best catalogue is the only one of its family (1.10.15 stands for all of 1.10).
 */
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
  // A handful of hand-written options can only narrow the range.
  const confidence = written.length >= 10 && margin >= 0.01 ? 'medium' : 'low';
  const family = familyOf(best.version);
  const onlyOfFamily = cat.versions.filter((v) => familyOf(v) === family).length === 1;
  const evidence = [`${Math.round(best.coverage * 100)}% of the ${written.length} options in airflow.cfg exist in Airflow ${best.version}'s catalogue`];
  if (best.missing.length) evidence.push(`unknown to ${best.version}: ${best.missing.slice(0, 5).join(', ')}${best.missing.length > 5 ? ', ...' : ''}`);
  if (onlyOfFamily) evidence.push(`${best.version} is the only ${family} catalogue, so only the family is known`);
  if (confidence === 'low') evidence.push('several versions fit about as well; pass --airflow-version to be sure');
  return {
    version: onlyOfFamily ? null : best.version,
    source: 'config-fingerprint',
    confidence,
    family,
    candidates: scores.slice(0, 4).map((s) => ({ version: s.version, score: s.score })),
    evidence,
  };
}

const FAMILIES = ['1.10', '2.x', '3.x'] as const;
type Family = (typeof FAMILIES)[number];

// What an import says about the version: the family it was written for (`points`) and the
// families it still imports on (`fits`), per ../shared/reference/airflow/imports-changes.yml:
// 1.10 module paths stay importable in 2.x as deprecated aliases and are gone in 3.0;
// airflow.decorators / datasets still import in 3.0 (AIR311); backport providers exist for 1.10.
interface Marker {
  test: (imp: PyImport) => boolean;
  label: string;
  points: Family;
  fits: Family[];
}
const under = (re: RegExp) => (imp: PyImport) => re.test(imp.name);
const IMPORT_MARKERS: Marker[] = [
  { test: under(/^airflow\.sdk(\.|$)/), label: 'airflow.sdk', points: '3.x', fits: ['3.x'] },
  { test: under(/^airflow\.providers\.standard(\.|$)/), label: 'airflow.providers.standard', points: '3.x', fits: ['2.x', '3.x'] },
  {
    // `from airflow.operators import PythonOperator`: 1.10's package-level names, an ImportError on 2.0.
    test: (imp) => /^airflow\.(operators|hooks|sensors)$/.test(imp.module) && /\.[A-Z]\w*$/.test(imp.name),
    label: 'airflow.operators/hooks/sensors package-level classes (1.10 only)',
    points: '1.10',
    fits: ['1.10'],
  },
  { test: under(/^airflow\.(datasets|timetables)(\.|$)/), label: 'airflow.datasets / timetables (2.2+)', points: '2.x', fits: ['2.x', '3.x'] },
  { test: under(/^airflow\.decorators(\.|$)/), label: 'airflow.decorators (2.0+)', points: '2.x', fits: ['2.x', '3.x'] },
  { test: under(/^airflow\.providers(\.|$)/), label: 'airflow.providers', points: '2.x', fits: ['1.10', '2.x', '3.x'] },
  {
    test: under(/^airflow\.contrib(\.|$)|^airflow\.operators\.\w+_operator(\.|$)|^airflow\.(hooks|sensors)\.\w+_(hook|sensor)(\.|$)/),
    label: 'airflow.contrib / *_operator modules (1.10 layout)',
    points: '1.10',
    fits: ['1.10', '2.x'],
  },
];

/** The newest family most markers point at, among `among`. */
function pointedFamily(markers: Marker[], among: readonly Family[]): Family {
  const count = (f: Family) => markers.filter((m) => m.points === f).length;
  return [...among].sort((a, b) => count(b) - count(a) || FAMILIES.indexOf(b) - FAMILIES.indexOf(a))[0]!;
}

/** One file, one vote: the only family all its markers fit, else the one most of them point at. */
function fileVote(markers: Marker[]): Family {
  const fits = FAMILIES.filter((f) => markers.every((m) => m.fits.includes(f)));
  return fits.length === 1 ? fits[0]! : pointedFamily(markers, fits.length ? fits : FAMILIES);
}

/**
 * Imports give a family, never a release, so "low". Guarded imports (try/except, TYPE_CHECKING)
 * are compatibility code and do not vote; each file votes once, and the family most files vote for wins.
 */
function fromImports(imports: (PyImport & { file?: string })[]): VersionDecision | null {
  const perFile = new Map<string, Set<Marker>>();
  const statements = new Map<Marker, Set<string>>();
  const guarded = new Set<string>();
  for (const imp of imports) {
    const marker = IMPORT_MARKERS.find((m) => m.test(imp));
    if (!marker) continue;
    const file = imp.file ?? '';
    if (imp.guarded !== 'none') {
      guarded.add(`${file}:${imp.line}`);
      continue;
    }
    perFile.set(file, (perFile.get(file) ?? new Set()).add(marker));
    // `from x import A, B` is one statement: count it once.
    statements.set(marker, (statements.get(marker) ?? new Set()).add(`${file}:${imp.line}`));
  }
  if (!perFile.size) return null;
  const votes = new Map<Family, number>();
  for (const markers of perFile.values()) {
    const f = fileVote([...markers]);
    votes.set(f, (votes.get(f) ?? 0) + 1);
  }
  const ranked = [...votes].sort(([fa, a], [fb, b]) => b - a || FAMILIES.indexOf(fb) - FAMILIES.indexOf(fa));
  const filesWith = (m: Marker) => [...perFile.values()].filter((s) => s.has(m)).length;
  const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
  const evidence = [
    ranked.map(([f, n]) => `${plural(n, 'file')} point${n === 1 ? 's' : ''} to ${f}`).join(', '),
    ...IMPORT_MARKERS.filter((m) => statements.has(m)).map((m) => `${plural(statements.get(m)!.size, 'import')} of ${m.label} in ${plural(filesWith(m), 'file')}`),
  ];
  if (guarded.size) evidence.push(`${plural(guarded.size, 'guarded import')} (try/except, TYPE_CHECKING) not counted`);
  return {
    version: null,
    source: 'dag-imports',
    confidence: 'low',
    family: ranked[0]![0],
    candidates: ranked.map(([f, n]) => ({ version: f, score: n })),
    evidence,
  };
}
