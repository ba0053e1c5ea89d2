import { resolve } from 'node:path';
import { isSecretOption } from '../home/config.js';
import { readWholeSync } from '../home/fs.js';
import { REDACTED, type Inventory } from '../home/inventory.js';
import { isSensitiveName, mentionsSensitiveName, redactUrlCredentials } from '../home/secrets.js';
import { decodePython } from '../python/decode.js';
import type { ExcerptLine, SourceLines } from './model.js';

// The report's only reads besides writing --output: the lines around each finding, for the
// people who fix them. Reports get pasted into tickets and PR comments, so nothing that could
// hold a secret is quoted as is: configuration values the inventory calls secret and every
// value in an env file are replaced by `<redacted>`, as are URL passwords and literals under
// credential-like names in code. Files inside zips are not quoted (they are not on disk).

const CONTEXT = 1;
const MAX_LINE = 240;
const MAX_FILE = 10 * 1024 * 1024;

type Kind = 'python' | 'requirements' | 'cfg' | 'env';

// Files kept decoded at once: every renderer goes through the findings file by file. One, not a
// few: a file still held while the next ones were quoted outlived the young generation, and a
// 10,000-file report peaked 100 MB higher with eight.
const KEEP_FILES = 1;

/**
 * The lines around findings, read when a renderer asks for them: a report of 100,000 findings
 * never holds their excerpts all at once (they were a fifth of a large report's peak memory).
 */
export function readSources(inv: Inventory): SourceLines {
  const kinds = new Map<string, Kind>();
  for (const f of [...inv.dagFiles, ...inv.plugins.files]) if (f.zip === null) kinds.set(f.path, 'python');
  for (const f of inv.requirements.files) kinds.set(f, 'requirements');
  if (inv.config.file) kinds.set(inv.config.file, 'cfg');
  // The env file (--env-file) is named by the sources of what it set.
  for (const { source } of [...inv.config.options, ...inv.connections, ...inv.variables]) if (source.kind === 'env' && source.file) kinds.set(source.file, 'env');

  const open = new Map<string, SafeLines | null>();
  const linesOf = (file: string): SafeLines | null => {
    let lines = open.get(file);
    if (lines === undefined) {
      lines = readSafeLines(resolve(inv.home, file), kinds.get(file)!, inv);
      if (open.size >= KEEP_FILES) open.delete(open.keys().next().value!);
    } else open.delete(file);
    open.set(file, lines);
    return lines;
  };
  return {
    excerpt(file, line) {
      if (!kinds.has(file) || line < 1) return undefined;
      const lines = linesOf(file);
      return lines ? excerptAround(lines, line) : undefined;
    },
  };
}

/** Line `line` and one either side, each redacted (by `get`) before it is clipped; undefined past the end. */
export function excerptAround(lines: SafeLines, line: number): ExcerptLine[] | undefined {
  if (line < 1 || !lines.has(line)) return undefined;
  const excerpt: ExcerptLine[] = [];
  // Redacted before clipping, so a cut can never split a secret from the name that hides it.
  for (let n = Math.max(1, line - CONTEXT); n <= line + CONTEXT && lines.has(n); n++) excerpt.push({ line: n, text: clip(lines.get(n)) });
  return excerpt;
}

export interface SafeLines {
  /** Whether the file has line n (1-based). */
  has(n: number): boolean;
  /** Line n (1-based) with secrets replaced. */
  get(n: number): string;
}

/** Lines already split (a [] of them). */
export const splitLines = (lines: string[], safe: (line: string) => string): SafeLines => ({ has: (n) => n <= lines.length, get: (n) => safe(lines[n - 1]!) });

const clip = (s: string) => (s.length > MAX_LINE ? `${s.slice(0, MAX_LINE - 1)}…` : s);

/** The file's lines with secrets replaced, or null when it cannot be read or decoded. */
function readSafeLines(path: string, kind: Kind, inv: Inventory): SafeLines | null {
  const bytes = readSmall(path);
  if (!bytes) return null;
  let text: string;
  if (kind === 'python') {
    const decoded = decodePython(bytes);
    if (!decoded.ok) return null;
    text = decoded.text;
  } else text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (kind === 'cfg') {
    // Sections and continuation lines need the whole file; the other kinds go line by line.
    const lines = text.split(NEWLINE);
    const safe = redactCfg(lines, secretOptions(inv));
    return splitLines(safe, (line) => line);
  }
  return lazyLines(text, kind === 'python' ? redactCode : kind === 'env' ? redactEnvLine : redactUrlCredentials);
}

/** The file's bytes, or null when it cannot be read, is no regular file or is larger than the scanner reads either. */
function readSmall(path: string): Buffer | null {
  try {
    return readWholeSync(path, MAX_FILE);
  } catch {
    return null;
  }
}

// Universal newlines, as Python and configparser read files.
const NEWLINE = /\r\n|\r|\n/g;

/**
 * Where each line starts and ends, found only as far as asked (findings sit mostly near a file's
 * top), not the lines: a report quotes 3 lines of a file of hundreds, and thousands of files'
 * lines made into strings were a sixth of a large report's peak memory. A line is quoted by every
 * finding on it and on the lines beside it: redacted once.
 */
function lazyLines(text: string, redact: (line: string) => string): SafeLines {
  // [start, end) of each line found so far, in turn; a last, empty line counts, as split gives it.
  const bounds: number[] = [];
  let next = 0; // where the next line starts; -1 once the last one is found
  const crlf = text.includes('\r');
  const reach = (n: number): boolean => {
    while (bounds.length < 2 * n && next !== -1) {
      let end: number;
      let after: number;
      if (crlf) {
        NEWLINE.lastIndex = next;
        const m = NEWLINE.exec(text);
        [end, after] = m ? [m.index, m.index + m[0].length] : [-1, -1];
      } else {
        // Nearly every file: a search for one character is several times faster than the pattern.
        end = text.indexOf('\n', next);
        after = end + 1;
      }
      bounds.push(next, end === -1 ? text.length : end);
      next = end === -1 ? -1 : after;
    }
    return bounds.length >= 2 * n;
  };
  const safe: string[] = [];
  return { has: (n) => reach(n), get: (n) => (safe[n - 1] ??= redact(text.slice(bounds[2 * n - 2], bounds[2 * n - 1]))) };
}

// `name = "..."`, `name="..."` and `"name": "..."` where the name looks like a credential.
const NAMED_LITERAL = /(["']?)([A-Za-z_][\w-]*)\1(\s*[:=]\s*)([rRbBuUfF]{0,2})("""|'''|"|')((?:\\.|(?!\5)[^\\])*)\5/g;

export function redactCode(line: string): string {
  const safe = redactUrlCredentials(line);
  // A literal is hidden for its (ASCII) name: a line that names nothing sensitive is left as it is.
  if (!mentionsSensitiveName(safe)) return safe;
  return safe.replace(NAMED_LITERAL, (all, q: string, name: string, sep: string, prefix: string, quote: string, body: string) =>
    isSensitiveName(name) && body !== '' ? `${q}${name}${q}${sep}${prefix}${quote}${REDACTED}${quote}` : all,
  );
}

const ENV_ASSIGNMENT = /^(\s*(?:export\s+)?)([A-Za-z_][\w.-]*)\s*=/;

export function redactEnvLine(line: string): string {
  if (line.trim() === '') return line;
  const m = ENV_ASSIGNMENT.exec(line);
  return m ? `${m[1]}${m[2]}=${REDACTED}` : REDACTED;
}

/** "section.key" of every option the inventory calls secret. */
function secretOptions(inv: Inventory): Set<string> {
  return new Set(inv.config.options.filter((o) => o.secret).map((o) => `${o.section}.${o.key}`));
}

const CFG_OPTION = /^(\s*)([^=:\s][^=:]*?)\s*[=:]\s*(.*)$/;

/**
 * airflow.cfg with secret values replaced: an option is secret when the inventory says so, or
 * when Airflow's rules would (a sensitive option, a credential-like name, a URL with a password),
 * which also covers duplicates and commented-out copies the inventory does not keep.
 * Indented continuation lines belong to the option above them, as configparser reads them.
 */
export function redactCfg(lines: string[], secret: Set<string>): string[] {
  let section = '';
  let hiding = false;
  let indent = 0;
  const isSecret = (key: string, value: string) => {
    const k = key.trim().toLowerCase();
    const base = k.replace(/_(cmd|secret)$/, '');
    return secret.has(`${section}.${k}`) || secret.has(`${section}.${base}`) || isSecretOption(section, k, value);
  };
  return lines.map((line) => {
    const trimmed = line.trim();
    if (trimmed === '') return line;
    const lead = line.length - line.trimStart().length;
    if (hiding && lead > indent && !/^[#;]/.test(trimmed)) return `${line.slice(0, lead)}${REDACTED}`;
    hiding = false;
    const comment = /^([#;]\s*)(.*)$/.exec(trimmed);
    if (comment) {
      const option = CFG_OPTION.exec(comment[2]!);
      if (option && isSecret(option[2]!, option[3]!)) return `${line.slice(0, lead)}${comment[1]}${option[2]} = ${REDACTED}`;
      return redactUrlCredentials(line);
    }
    const header = /^\[(.+)\]/.exec(trimmed);
    if (header) {
      section = header[1]!.toLowerCase();
      return line;
    }
    const option = CFG_OPTION.exec(line);
    if (!option) return redactUrlCredentials(line);
    indent = lead;
    if (!isSecret(option[2]!, option[3]!)) return line;
    hiding = true;
    return `${option[1]}${option[2]} = ${REDACTED}`;
  });
}
