import type { HostVariable, Inventory, Position } from '../../home/inventory.js';
import type { Hit, Matcher, RelatedLocation } from '../types.js';
import { mwaaRuntime, runtimeImage } from './config/mwaa-owned.js';
import { at } from './config/tables.js';

// Environment variables the old host set and the code reads: the plan's startup.sh exports the
// plain ones (MWAA runs it before each of its processes starts); secrets and the names MWAA
// protects cannot go there. One decision feeds the findings (CODE021, CODE022) and the plan.

export interface StartupDecision {
  variable: HostVariable;
  /** Where the code reads it, first place first. */
  reads: (Position & { file: string; hasDefault: boolean })[];
  /** Why the startup script cannot set it; absent when it exports it. */
  refused?: { reason: 'secret' | 'protected' | 'name'; text: string };
}

/** The names MWAA's runtime image keeps for itself; versions without an image use the oldest image's list. */
function protectedNames(target: string): { names: Set<string>; prefixes: string[]; from: string } {
  const images = mwaaRuntime().images;
  const from = runtimeImage(target) ? target : Object.keys(images).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))[0]!;
  const { names, prefixes } = images[from]!.protectedEnv;
  return { names: new Set(names), prefixes, from };
}

const secretText = (name: string) =>
  `its value is a secret, and a startup script is plain text in the bucket: make it an Airflow Variable (rename it AIRFLOW_VAR_${name.toUpperCase()} in the env file, and the plan's secrets step moves it to Secrets Manager) and read it with Variable.get("${name.toLowerCase()}")`;

const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function startupDecisions(inv: Inventory, target: string): StartupDecision[] {
  const guarded = protectedNames(target);
  const readsOf = new Map<string, StartupDecision['reads']>();
  for (const f of [...inv.dagFiles, ...inv.plugins.files]) {
    for (const r of f.analysis?.envReads ?? []) {
      const list = readsOf.get(r.name) ?? [];
      list.push({ file: f.path, line: r.line, col: r.col, hasDefault: r.hasDefault });
      readsOf.set(r.name, list);
    }
  }
  return (inv.environment ?? []).map((variable) => {
    const reads = readsOf.get(variable.name) ?? [];
    const isProtected = guarded.names.has(variable.name) || guarded.prefixes.some((p) => variable.name.startsWith(p));
    if (isProtected) {
      const image = guarded.from === target ? `Airflow ${target}'s runtime image` : `the runtime image of ${guarded.from} (MWAA publishes none for ${target})`;
      return { variable, reads, refused: { reason: 'protected', text: `MWAA sets it itself and ${image} does not let a startup script change it` } };
    }
    if (variable.secret) return { variable, reads, refused: { reason: 'secret', text: secretText(variable.name) } };
    if (!SHELL_NAME.test(variable.name)) return { variable, reads, refused: { reason: 'name', text: 'a shell script cannot export that name (letters, digits and _ only, not first a digit)' } };
    return { variable, reads };
  });
}

/** What the old host set, said without its value. */
const where = (v: HostVariable) => (v.source.origin === 'env-file' ? `${v.source.file} line ${v.source.line}` : 'the environment this tool ran in');

function hits(inv: Inventory, target: string, exported: boolean): Hit[] {
  return startupDecisions(inv, target)
    .filter((d) => !d.refused === exported && d.reads.length > 0)
    .map((d) => {
      const [first, ...others] = d.reads;
      const related: RelatedLocation[] = [
        ...others.map((r) => ({ file: r.file, line: r.line, col: r.col, message: 'also read here' })),
        ...(d.variable.source.origin === 'env-file' ? [{ ...at(d.variable.source), message: 'set here on the old host' }] : []),
      ];
      const count = d.reads.length === 1 ? 'in one place' : `in ${d.reads.length} places`;
      return {
        file: first!.file,
        line: first!.line,
        col: first!.col,
        text: d.variable.name,
        related,
        vars: { name: d.variable.name, where: where(d.variable), count, fallback: first!.hasDefault ? ' (with a default, so the code runs on without it and does something else)' : '', why: d.refused?.text ?? '' },
      };
    });
}

export const environmentMatchers: Record<string, Matcher> = {
  'startup-export': (inv, ctx) => hits(inv, ctx.target, true),
  'startup-refused': (inv, ctx) => hits(inv, ctx.target, false),
};
