import type { AnalysisInterest } from '../home/inventory.js';
import { loadCatalog, type Catalog } from './catalog.js';
import { contextTableKeys } from './matchers/arguments/context.js';
import type { MetadataDbParams } from './matchers/arguments/metadata-db.js';
import { removedMethodRows } from './matchers/arguments/methods.js';

// A home's files hold 100,000s of context reads ({{ ds }}) and method calls (log.info) that no
// rule judges. The scan keeps only those some rule of the catalogue looks at: the matchers that
// read an analysis's contextReads or methodCalls name here what they look for.
const INTERESTS: Record<string, (match: Record<string, unknown>) => Partial<AnalysisInterest>> = {
  'context-table': () => ({ contextKeys: contextTableKeys().map((r) => r.old) }),
  'removed-method': () => ({ methods: removedMethodRows().map((r) => r.old) }),
  'metadata-db': (match) => ({ methods: (match as unknown as MetadataDbParams).sessionMethods }),
};

/** What the catalogue's rules look for (sorted, so that equal interests key the same scan cache). */
export function analysisInterest(catalog: Catalog): AnalysisInterest {
  const contextKeys = new Set<string>();
  const methods = new Set<string>();
  for (const rule of catalog.rules) {
    const wanted = INTERESTS[rule.match.kind]?.(rule.match);
    for (const k of wanted?.contextKeys ?? []) contextKeys.add(k);
    for (const m of wanted?.methods ?? []) methods.add(m);
  }
  return { contextKeys: [...contextKeys].sort(), methods: [...methods].sort() };
}

/** The interest of the rules this tool ships: what every command that scans for a check passes. */
export const shippedInterest = (): AnalysisInterest => analysisInterest(loadCatalog());
