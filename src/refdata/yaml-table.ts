import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defaultCacheDir } from '../home/cache.js';
import { makeFolder } from '../home/fs.js';
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
    const store = join(cacheDir, `data-${key}.json`);
    try {
      return JSON.parse(readFileSync(store, 'utf8')) as T;
    } catch {
      // Not kept yet, or unreadable: parsed below.
    }
    const value = lazyYaml().parse(text) as T;
    try {
      makeFolder(dirname(store));
      const tmp = `${store}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(value));
      renameSync(tmp, store);
    } catch {
      // A read-only cache folder only costs speed.
    }
    return value;
  });
