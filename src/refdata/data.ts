import { readFileSync } from 'node:fs';

/** A value made on first use and kept. */
export function once<T>(make: () => T): () => T {
  let value: { v: T } | null = null;
  return () => (value ??= { v: make() }).v;
}

/** A generated table from rules/data/, read on first use. */
export const dataTable = <T>(name: string): (() => T) =>
  once(() => JSON.parse(readFileSync(new URL(`../../rules/data/${name}`, import.meta.url), 'utf8')) as T);
