import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultCacheDir, keptJson } from '../home/cache.js';
import { lazyYaml } from '../lazy-yaml.js';
import { TOOL_VERSION } from '../version.js';
import { once } from './data.js';

// Hand-kept tables in rules/data/ are YAML, for their comments. Loading the YAML parser costs a
// command about 30 ms, so each table is parsed once per content and kept as JSON in the cache
// folder (beside the rule catalogue, keyed the same way): later commands read the JSON.

/** A hand-kept YAML table from rules/data/, read on first use. */
export const yamlTable = <T>(name: string, cacheDir = defaultCacheDir()): (() => T) =>
  once(() => {
    const text = readFileSync(new URL(`../../rules/data/${name}`, import.meta.url), 'utf8');
    const key = createHash('sha256').update(`${TOOL_VERSION}\0${name}\0${text}`).digest('hex').slice(0, 32);
    return keptJson(join(cacheDir, `data-${key}.json`), () => lazyYaml().parse(text) as T);
  });
