import { TextDecoder } from 'node:util';
// Decodes Python source bytes the way CPython does: a BOM or a PEP 263 coding declaration in the
// first two lines picks the encoding, UTF-8 otherwise. Failures become a reason, never a throw.

export type Decoded = { ok: true; text: string; encoding: string } | { ok: false; code: 'binary' | 'not-utf8'; reason: string };

// PEP 263: `^[ \t\f]*#.*?coding[:=][ \t]*([-_.a-zA-Z0-9]+)` on line 1 or 2.
const CODING = /^[ \t\f]*#.*?coding[:=][ \t]*([-_.a-zA-Z0-9]+)/;

function codingDeclaration(bytes: Uint8Array): string | null {
  // Only ASCII matters for the declaration itself; latin1 keeps byte offsets.
  const head = Buffer.from(bytes.subarray(0, 512)).toString('latin1').split(/\r\n|\r|\n/, 2);
  for (const line of head) {
    const m = CODING.exec(line);
    if (m) return m[1]!.toLowerCase();
    // The declaration may sit on line 2 only when line 1 is a comment or blank (CPython's rule).
    if (!/^[ \t\f]*(#.*)?$/.test(line)) break;
  }
  return null;
}

// Python codec names that differ from WHATWG labels.
const ALIASES: Record<string, string> = {
  'latin-1': 'latin1',
  'iso-latin-1': 'latin1',
  'utf8': 'utf-8',
  'utf-8-sig': 'utf-8',
  'cp1252': 'windows-1252',
  'ascii': 'latin1',
  'us-ascii': 'latin1',
};

export function decodePython(bytes: Uint8Array): Decoded {
  if (bytes.includes(0)) return { ok: false, code: 'binary', reason: 'contains NUL bytes (binary file, Python refuses it)' };
  let body = bytes;
  let declared = codingDeclaration(bytes);
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    body = bytes.subarray(3);
    if (declared && declared !== 'utf-8' && declared !== 'utf8') {
      return { ok: false, code: 'not-utf8', reason: `UTF-8 BOM conflicts with declared encoding '${declared}'` };
    }
    declared = 'utf-8';
  }
  const name = declared ?? 'utf-8';
  const label = ALIASES[name] ?? name.replace(/_/g, '-');
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label, { fatal: true });
  } catch {
    return { ok: false, code: 'not-utf8', reason: `unknown encoding '${name}' in the coding declaration` };
  }
  try {
    return { ok: true, text: decoder.decode(body), encoding: declared ?? 'utf-8' };
  } catch {
    const offset = firstInvalidUtf8(body);
    return {
      ok: false,
      code: 'not-utf8',
      reason: declared
        ? `not valid ${name} as declared`
        : `not valid UTF-8 (byte 0x${(body[offset] ?? 0).toString(16)} at offset ${offset}) and no PEP 263 coding line`,
    };
  }
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  let lo = 0;
  let hi = bytes.length;
  // Binary search for the shortest failing prefix (streaming, so a cut multi-byte character is
  // not an error); cheap and only on the error path.
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid + 1), { stream: true });
      lo = mid + 1;
    } catch {
      hi = mid;
    }
  }
  // The byte that failed may end a sequence whose lead byte came earlier: point at the lead.
  for (let k = 1; k <= 3 && lo - k >= 0; k++) {
    const b = bytes[lo - k]!;
    if (b >= 0xc0) return lo - k;
    if (b < 0x80) break;
  }
  return lo;
}
