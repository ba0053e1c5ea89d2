import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { startupDecisions } from '../check/matchers/environment.js';
import type { Inventory } from '../home/inventory.js';

// startup.sh: MWAA runs it (from the bucket, pinned to an object version) before each of its
// processes starts, with a 5-minute limit. This one only exports the old host's plain environment
// variables that the code reads, so it ends at once. Secrets and MWAA's protected names are left
// out, each with its reason (CODE022). The text holds no secret, so the plan shows it whole.

export const STARTUP_KEY = 'startup.sh';

export interface StartupPlan {
  key: typeof STARTUP_KEY;
  text: string;
  /** Names exported, in the script's order. */
  exports: string[];
  /** Names the code reads that the script does not set, and why. */
  left: { name: string; why: string }[];
}

/** A POSIX shell word for any value: single quotes, each ' written as '"'"'. */
const quote = (value: string) => `'${value.replace(/'/g, `'"'"'`)}'`;

export function startupPlan(inv: Inventory, target: string): StartupPlan | null {
  const decisions = startupDecisions(inv, target).filter((d) => d.reads.length > 0);
  const exported = decisions.filter((d) => !d.refused && d.variable.value !== null);
  if (exported.length === 0) return null;
  // The env file by name only: where it lives on the old host is nobody's business in the bucket.
  const from = [...new Set(exported.map((d) => (d.variable.source.origin === 'env-file' ? basename(d.variable.source.file ?? '') : 'the environment')))].join(', ');
  const lines = [
    '#!/bin/sh',
    `# Written by mwaa-migrate for Airflow ${target} on MWAA, from ${from} on the old host.`,
    '# MWAA runs it before its scheduler, workers and web server start: the environment variables',
    '# the DAG and plugin code reads, with the old host\'s values. Secrets do not belong here.',
    ...exported.map((d) => `export ${d.variable.name}=${quote(d.variable.value!)}`),
  ];
  return {
    key: STARTUP_KEY,
    text: `${lines.join('\n')}\n`,
    exports: exported.map((d) => d.variable.name),
    left: decisions.filter((d) => d.refused).map((d) => ({ name: d.variable.name, why: d.refused!.text })),
  };
}

/** The `source` of an object made by the tool, not from one file of the home. */
export const GENERATED = '(generated)';

/** The script as the object apply uploads: its bytes, size and MD5 (S3's ETag). */
export function startupObject(plan: StartupPlan): { key: string; source: string; size: number; md5: string; bytes: Uint8Array } {
  const bytes = new TextEncoder().encode(plan.text);
  return { key: plan.key, source: GENERATED, size: bytes.length, md5: createHash('md5').update(bytes).digest('hex'), bytes };
}
