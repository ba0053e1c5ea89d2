// `JSON.stringify(value, null, 2)`, byte for byte, in pieces: the outer levels of objects and
// arrays are walked and each value below them is stringified on its own, so a report with
// 100,000 findings is written without first holding one string of all of it.

const omitted = (v: unknown) => v === undefined || typeof v === 'function' || typeof v === 'symbol';

export function* jsonChunks(value: unknown, levels = 2, indent = ''): Generator<string> {
  const v = value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function' ? (value as { toJSON(): unknown }).toJSON() : value;
  if (levels === 0 || v === null || typeof v !== 'object') {
    yield (JSON.stringify(v, null, 2) ?? 'null').replaceAll('\n', `\n${indent}`);
    return;
  }
  const inner = `${indent}  `;
  if (levels === 1 && Array.isArray(v) && v.length > 0) {
    yield '[\n';
    yield* leafElements(v, inner.length / 2);
    yield `${indent}]`;
    return;
  }
  const entries: [string | null, unknown][] = Array.isArray(v)
    ? v.map((e) => [null, omitted(e) ? null : e])
    : Object.entries(v).filter(([, e]) => !omitted(e));
  if (entries.length === 0) {
    yield Array.isArray(v) ? '[]' : '{}';
    return;
  }
  yield Array.isArray(v) ? '[\n' : '{\n';
  for (const [i, [key, e]] of entries.entries()) {
    yield key === null ? inner : `${inner}${JSON.stringify(key)}: `;
    yield* jsonChunks(e, levels - 1, inner);
    yield i < entries.length - 1 ? ',\n' : '\n';
  }
  yield Array.isArray(v) ? `${indent}]` : `${indent}}`;
}

/**
 * An array's elements at `depth` levels of indentation, as JSON.stringify writes them there: each
 * nested `depth` arrays deep comes out indented as it stands (the brackets around it are
 * `depth * (depth + 1)` characters on either side). Half the time of stringifying it alone and
 * indenting the text again; one element a call, as a text past some 64 KB took three times as long.
 */
function* leafElements(list: unknown[], depth: number): Generator<string> {
  const edge = depth * (depth + 1);
  for (let i = 0; i < list.length; i++) {
    let nested: unknown = [list[i]];
    for (let d = 1; d < depth; d++) nested = [nested];
    const text = JSON.stringify(nested, null, 2);
    yield text.slice(edge, text.length - edge);
    yield i < list.length - 1 ? ',\n' : '\n';
  }
}

/**
 * Pieces joined up to 32 Ki characters: few writes, and never the whole report in one string.
 * Not bigger: a string over V8's large-object size lives in the old generation until a full
 * collection, and a 170 MB report written in 1 MiB pieces grew the heap by 300 MB.
 */
export function* batched(chunks: Iterable<string>): Generator<string> {
  let parts: string[] = [];
  let size = 0;
  for (const c of chunks) {
    parts.push(c);
    size += c.length;
    if (size >= 1 << 15) {
      yield parts.join('');
      parts = [];
      size = 0;
    }
  }
  if (parts.length) yield parts.join('');
}
