import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lazyYaml } from '../lazy-yaml.js';
import { UsageError } from '../exit.js';

// The project file, `.mwaa-migrate.yaml` in the Airflow home (or given by flag): rule ids and
// paths whose findings are suppressed, each still counted in the report.
//
//   ignore:
//     rules: [CODE004]            # everywhere
//     paths: ["dags/legacy/**"]   # gitignore-style patterns, relative to the home
//     findings:                   # one rule in one place, with a reason
//       - { rule: IMP001, path: dags/etl.py, reason: "rewritten in the next sprint" }

export interface ProjectFile {
  ignore: {
    rules: string[];
    paths: string[];
    findings: { rule: string; path: string; reason?: string }[];
  };
}

export const PROJECT_FILE = '.mwaa-migrate.yaml';

export const emptyProject = (): ProjectFile => ({ ignore: { rules: [], paths: [], findings: [] } });

/** Reads the project file; absent is fine when it was not asked for by name. */
export function loadProject(home: string, explicit?: string): ProjectFile {
  const path = explicit ?? join(home, PROJECT_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (!explicit && (e as NodeJS.ErrnoException).code === 'ENOENT') return emptyProject();
    throw new UsageError(`project file ${path}: ${(e as Error).message.split(',')[0]}`);
  }
  let doc: unknown;
  try {
    doc = lazyYaml().parse(text) ?? {};
  } catch (e) {
    throw new UsageError(`project file ${path}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const ignore = (doc as { ignore?: Partial<ProjectFile['ignore']> }).ignore ?? {};
  const strings = (v: unknown, what: string): string[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new UsageError(`project file ${path}: ignore.${what} must be a list of strings`);
    return v as string[];
  };
  const findings = ignore.findings ?? [];
  if (!Array.isArray(findings) || findings.some((f) => typeof f?.rule !== 'string' || typeof f?.path !== 'string')) {
    throw new UsageError(`project file ${path}: ignore.findings must be a list of {rule, path, reason}`);
  }
  return { ignore: { rules: strings(ignore.rules, 'rules'), paths: strings(ignore.paths, 'paths'), findings } };
}
