import { UsageError } from '../exit.js';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { MATCHERS } from './matchers/index.js';
import type { RuleDef } from './types.js';

// Loads rules/*.yaml, validates every file against rules/rule.schema.json and every rule against
// the matchers that exist. A broken rule file is an error naming the file and the entry.

export const RULES_DIR = fileURLToPath(new URL('../../rules/', import.meta.url));

/** A rule file that does not load: a usage-class error, one line, exit 2. */
export class RuleFileError extends UsageError {}

export interface Catalog {
  rules: RuleDef[];
  /** Changes whenever a rule file changes: reports record which catalogue judged them. */
  version: string;
}

let cached: Catalog | null = null;

export function loadCatalog(dir = RULES_DIR): Catalog {
  if (cached && dir === RULES_DIR) return cached;
  const schema = JSON.parse(readFileSync(join(dir, 'rule.schema.json'), 'utf8'));
  const validate = new Ajv({ allErrors: true }).compile(schema);
  const rules: RuleDef[] = [];
  const seen = new Map<string, string>();
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
  let hash = 0;
  for (const file of files) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
    let doc: unknown;
    try {
      doc = parse(text);
    } catch (e) {
      throw new RuleFileError(`rules/${file}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
    }
    if (!validate(doc)) {
      const err = validate.errors![0]!;
      const entry = /^\/rules\/(\d+)/.exec(err.instancePath);
      const id = entry ? ((doc as { rules: { id?: string }[] }).rules[Number(entry[1])]?.id ?? `#${entry[1]}`) : null;
      throw new RuleFileError(`rules/${file}${id ? ` entry ${id}` : ''}: ${err.instancePath || '/'} ${err.message}`);
    }
    const { family, rules: list } = doc as { family: string; rules: RuleDef[] };
    for (const r of list) {
      const where = `rules/${file} entry ${r.id}`;
      if (!r.id.startsWith(family)) throw new RuleFileError(`${where}: id must start with the file's family ${family}`);
      if (seen.has(r.id)) throw new RuleFileError(`${where}: id already used in ${seen.get(r.id)}`);
      if (!MATCHERS[r.match.kind]) throw new RuleFileError(`${where}: unknown match kind '${r.match.kind}'`);
      seen.set(r.id, `rules/${file}`);
      rules.push({ ...r, family, source: `rules/${file}` });
    }
  }
  const catalog = { rules: rules.sort((a, b) => a.id.localeCompare(b.id)), version: `${rules.length}-${(hash >>> 0).toString(16)}` };
  if (dir === RULES_DIR) cached = catalog;
  return catalog;
}
