import { createRequire } from 'node:module';

// The yaml package takes about 30 ms to load, and most homes hold no YAML file (no compose file,
// Helm values or project file): its readers load it on first use. Its Node build is CommonJS,
// so a synchronous require gives the same module an import would.

const require = createRequire(import.meta.url);
let yaml: typeof import('yaml') | null = null;

export const lazyYaml = (): typeof import('yaml') => (yaml ??= require('yaml') as typeof import('yaml'));
