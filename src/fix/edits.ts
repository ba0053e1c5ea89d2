// Fixes are edits of the source text: a span and what replaces it. Everything outside the spans
// stays byte for byte as it was, so comments and formatting elsewhere survive.

export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** The text with the edits applied; edits must not overlap (a fixer makes one per span). */
export function applyEdits(text: string, edits: Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let at = 0;
  for (const e of sorted) {
    if (e.start < at) throw new Error(`overlapping edits at offset ${e.start}`);
    out += text.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + text.slice(at);
}
