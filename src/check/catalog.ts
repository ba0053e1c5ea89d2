import { UsageError } from '../exit.js';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ajv as AjvClass } from 'ajv';
import { defaultCacheDir, keptJson } from '../home/cache.js';
import { lazyYaml } from '../lazy-yaml.js';
import { TOOL_VERSION } from '../version.js';
import { MATCHERS } from './matchers/index.js';
import type { RuleDef } from './types.js';
import { compareNames } from '../collate.js';

// Loads rules/*.yaml, validates every file against rules/rule.schema.json and every rule against
// the matchers that exist. A broken rule file is an error naming the file and the entry.
// The checked catalogue of the bundled rules is kept in the cache folder, keyed by the tool's
// version and the rule files' bytes: parsing the YAML and compiling the schema were a quarter of
// a report's start, and a cache hit loads neither the YAML parser nor the validator.

const require = createRequire(import.meta.url);

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
  const schemaText = readFileSync(join(dir, 'rule.schema.json'), 'utf8');
  const texts = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => ({ file, text: readFileSync(join(dir, file), 'utf8') }));
  // The matcher names are in the key too: a stored catalogue was checked against the matchers that existed.
  const key = createHash('sha256').update(`${TOOL_VERSION}\0${Object.keys(MATCHERS).join(',')}\0${schemaText}`);
  for (const { file, text } of texts) key.update(`\0${file}\0${text}`);
  const store = dir === RULES_DIR ? join(defaultCacheDir(), `catalog-${key.digest('hex').slice(0, 32)}.json`) : null;
  if (!store) return compile(schemaText, texts);
  return (cached = keptJson(store, () => compile(schemaText, texts)));
}

function compile(schemaText: string, texts: { file: string; text: string }[]): Catalog {
  const { Ajv } = require('ajv') as { Ajv: typeof AjvClass };
  const { parse } = lazyYaml();
  const validate = new Ajv({ allErrors: true }).compile(JSON.parse(schemaText));
  const rules: RuleDef[] = [];
  const seen = new Map<string, string>();
  let hash = 0;
  for (const { file, text } of texts) {
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
  return { rules: rules.sort((a, b) => compareNames(a.id, b.id)), version: `${rules.length}-${(hash >>> 0).toString(16)}` };
}
