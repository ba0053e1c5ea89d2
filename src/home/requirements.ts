// pip requirements files (https://pip.pypa.io/en/stable/reference/requirements-file-format/),
// parsed the way pip reads them, without touching the network or the file system. Every
// string that leaves this module comes from the line after URL credentials were redacted.

import { dirname, isAbsolute, join, normalize } from 'node:path/posix';
import { valid, validRange } from '@renovatebot/pep440';
import { REDACTED, type Problem, type Requirement } from './inventory.js';
import { parseMarker } from './markers.js';
import { isSpace, redactUrlCredentials } from './secrets.js';

export interface ParsedRequirements {
  requirements: Requirement[];
  problems: Problem[];
}

export interface CollectedRequirements extends ParsedRequirements {
  /** Every file read, in the order it was read. */
  files: string[];
}

/** Parses one requirements file; `file` is only recorded. Never throws. */
export function parseRequirements(text: string, file: string): ParsedRequirements {
  const result: ParsedRequirements = { requirements: [], problems: [] };
  for (const logical of logicalLines(text)) {
    try {
      parseLine(logical.text, file, logical.line, result);
    } catch {
      // A safety net only: whatever the line holds, one bad line must not lose the rest.
      result.problems.push({ code: 'requirements-malformed', file, line: logical.line, message: 'the line could not be parsed' });
    }
  }
  return result;
}

/**
 * Parses `root` (relative to the Airflow home) and, depth first like pip, every file it
 * includes with -r. `read` returns null for a missing or unreadable file, or throws an Error whose
 * message says why.
 */
export function collectRequirements(root: string, read: (path: string) => string | null): CollectedRequirements {
  const out: CollectedRequirements = { files: [], requirements: [], problems: [] };
  const rootPath = normalize(root);
  const { text: rootText, why } = safeRead(read, rootPath);
  if (rootText === null) {
    out.problems.push({ code: 'unreadable', file: rootPath, message: `the requirements file could not be read${why}` });
    return out;
  }
  // An explicit stack rather than recursion: include chains of any depth cannot overflow it.
  const stack: { file: string; items: Requirement[]; next: number }[] = [];
  const seen = new Set([rootPath]);
  const open = (file: string, content: string): void => {
    out.files.push(file);
    const parsed = parseRequirements(content, file);
    for (const p of parsed.problems) out.problems.push(p);
    stack.push({ file, items: parsed.requirements, next: 0 });
  };
  open(rootPath, rootText);
  for (let top = stack.at(-1); top !== undefined; top = stack.at(-1)) {
    const req = top.items[top.next++];
    if (req === undefined) {
      stack.pop();
      continue;
    }
    out.requirements.push(req);
    // URL includes (req.url set) are recorded, never fetched.
    if (req.kind !== 'include' || req.target === null || req.url !== null) continue;
    const target = isAbsolute(req.target) ? normalize(req.target) : join(dirname(top.file), req.target);
    if (seen.has(target)) continue;
    seen.add(target);
    const { text: content, why } = safeRead(read, target);
    if (content === null) {
      out.problems.push({
        code: 'requirements-include-missing',
        file: top.file,
        line: req.line,
        message: `included requirements file ${target} is missing or unreadable${why}`,
      });
    } else {
      open(target, content);
    }
  }
  return out;
}

function safeRead(read: (path: string) => string | null, path: string): { text: string | null; why: string } {
  try {
    return { text: read(path), why: '' };
  } catch (e) {
    return { text: null, why: `: ${(e as Error)?.message ?? e}` };
  }
}

// ---------------------------------------------------------------------------------------------
// Lines

interface LogicalLine {
  line: number; // the first physical line
  text: string;
}

const BACKSLASH = 0x5c;

/** pip's join_lines: a trailing backslash joins the next line; a comment line ends a continuation. */
function logicalLines(content: string): LogicalLine[] {
  const physical = content.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const out: LogicalLine[] = [];
  let parts: string[] = [];
  let first = 0;
  physical.forEach((raw, i) => {
    const comment = /^\s*#/.test(raw);
    if (!comment && raw.charCodeAt(raw.length - 1) === BACKSLASH) {
      if (parts.length === 0) first = i + 1;
      let end = raw.length;
      while (end > 0 && raw.charCodeAt(end - 1) === BACKSLASH) end--;
      parts.push(raw.slice(0, end));
      return;
    }
    // pip joins without a separator, so a comment line gets a space to stay a comment.
    const piece = comment ? ' ' + raw : raw;
    if (parts.length > 0) {
      parts.push(piece);
      out.push({ line: first, text: parts.join('') });
      parts = [];
    } else {
      out.push({ line: i + 1, text: piece });
    }
  });
  if (parts.length > 0) out.push({ line: first, text: parts.join('') });
  return out;
}


/** A `#` starts a comment at the start of the line or after whitespace (so URL fragments survive). */
function stripComment(line: string): string {
  for (let at = line.indexOf('#'); at !== -1; at = line.indexOf('#', at + 1)) {
    if (at === 0 || isSpace(line[at - 1])) return line.slice(0, at);
  }
  return line;
}

// ---------------------------------------------------------------------------------------------
// One logical line

function parseLine(raw: string, file: string, line: number, out: ParsedRequirements): void {
  const text = redactUrlCredentials(stripComment(raw).trim());
  if (text === '') return;
  const fail = (reason: string): void => {
    const excerpt = text.length > 100 ? text.slice(0, 100) + '...' : text;
    out.problems.push({ code: 'requirements-malformed', file, line, message: `${reason}: ${JSON.stringify(excerpt)}` });
  };
  const base = requirementAt(file, line, text);

  // pip's break_args_options: the requirement runs up to the first word starting with '-'.
  const dash = /(?:^|\s)-/.exec(text);
  const cut = dash === null ? text.length : dash.index + (dash[0].length - 1);
  const args = text.slice(0, cut).trim();
  const words = shellSplit(text.slice(cut));
  if (typeof words === 'string') return fail(words);
  const options = parseOptions(words);
  if (typeof options === 'string') return fail(options);

  if (args !== '') {
    const hashes: string[] = [];
    for (const o of options) {
      if (o.spec.long !== '--hash') continue; // other per-requirement options only affect builds
      const colon = o.value.indexOf(':');
      const algo = o.value.slice(0, colon);
      if (colon <= 0 || colon === o.value.length - 1) return fail('--hash needs a value like sha256:<digest>');
      if (!STRONG_HASHES.has(algo)) return fail(`--hash algorithm ${JSON.stringify(algo)} is not one of sha256, sha384, sha512`);
      hashes.push(o.value);
    }
    const parsed = parseRequirement(args);
    if (typeof parsed === 'string') return fail(parsed);
    out.requirements.push({ ...base, ...parsed, hashes });
    return;
  }

  // Like pip, an editable makes the whole line a requirement and its other options are ignored.
  const editable = options.find((o) => o.spec.long === '--editable');
  if (editable !== undefined) {
    const parsed = parseEditable(editable.value);
    if (typeof parsed === 'string') return fail(parsed);
    out.requirements.push({ ...base, ...parsed });
    return;
  }

  const perRequirement = options.find((o) => o.spec.perRequirement);
  if (perRequirement !== undefined) {
    return fail(`${perRequirement.spec.long} must follow a requirement on the same line (missing line continuation?)`);
  }
  for (const o of options) {
    if (o.spec.long === '--requirement' || o.spec.long === '--constraint') {
      if (o.value === '') return fail(`${o.spec.long} needs a file name`);
      const remote = /^(https?|file):/i.test(o.value);
      out.requirements.push({
        ...base,
        kind: o.spec.long === '--requirement' ? 'include' : 'constraint',
        target: o.value,
        url: remote ? o.value : null,
      });
    } else {
      out.requirements.push({ ...base, kind: 'option', target: o.spec.long, url: o.spec.url ? o.value : null });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Options

interface OptionSpec {
  long: string;
  aliases?: string[];
  short?: string;
  takesValue: boolean;
  /** Allowed after a requirement on its line (pip's SUPPORTED_OPTIONS_REQ). */
  perRequirement?: boolean;
  /** Its value is an index or link location, reported as the entry's url. */
  url?: boolean;
}

// The options pip accepts in requirements files (pip/_internal/req/req_file.py).
const OPTION_SPECS: OptionSpec[] = [
  { long: '--requirement', short: 'r', takesValue: true },
  { long: '--constraint', short: 'c', takesValue: true },
  { long: '--editable', short: 'e', takesValue: true },
  { long: '--index-url', aliases: ['--pypi-url'], short: 'i', takesValue: true, url: true },
  { long: '--extra-index-url', takesValue: true, url: true },
  { long: '--no-index', takesValue: false },
  { long: '--find-links', short: 'f', takesValue: true, url: true },
  { long: '--pre', takesValue: false },
  { long: '--trusted-host', takesValue: true },
  { long: '--prefer-binary', takesValue: false },
  { long: '--only-binary', takesValue: true },
  { long: '--no-binary', takesValue: true },
  { long: '--use-feature', takesValue: true },
  { long: '--require-hashes', takesValue: false },
  { long: '--hash', takesValue: true, perRequirement: true },
  { long: '--config-settings', short: 'C', takesValue: true, perRequirement: true },
  { long: '--global-option', takesValue: true, perRequirement: true },
];

const LONG_OPTIONS = new Map(OPTION_SPECS.flatMap((s) => [s.long, ...(s.aliases ?? [])].map((n) => [n, s] as const)));
const SHORT_OPTIONS = new Map(OPTION_SPECS.flatMap((s) => (s.short === undefined ? [] : [[s.short, s] as const])));
const STRONG_HASHES = new Set(['sha256', 'sha384', 'sha512']);

interface ParsedOption {
  spec: OptionSpec;
  value: string; // '' for flags
}

/** optparse's rules: `--name=value` or `--name value`, unique abbreviations, `-xVALUE`. */
function parseOptions(words: string[]): ParsedOption[] | string {
  const out: ParsedOption[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === '--') break; // the rest is positional
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const name = eq === -1 ? word : word.slice(0, eq);
      const spec = matchLongOption(name);
      if (typeof spec === 'string') return spec;
      if (!spec.takesValue) {
        if (eq !== -1) return `${spec.long} does not take a value`;
        out.push({ spec, value: '' });
        continue;
      }
      const value = eq === -1 ? words[++i] : word.slice(eq + 1);
      if (value === undefined) return `${spec.long} needs a value`;
      out.push({ spec, value });
    } else if (word.startsWith('-') && word.length > 1) {
      const spec = SHORT_OPTIONS.get(word[1]!);
      if (spec === undefined) return `unknown option -${word[1]!}`;
      // Every short option allowed here takes a value, attached or as the next word.
      const value = word.length > 2 ? word.slice(2) : words[++i];
      if (value === undefined) return `-${word[1]!} needs a value`;
      out.push({ spec, value });
    }
    // pip discards other positional words after the options.
  }
  return out;
}

function matchLongOption(name: string): OptionSpec | string {
  const exact = LONG_OPTIONS.get(name);
  if (exact !== undefined) return exact;
  const candidates = new Set([...LONG_OPTIONS].filter(([n]) => n.startsWith(name)).map(([, s]) => s));
  const [only, ...more] = candidates;
  if (only === undefined) return `unknown option ${name.slice(0, 40)}`;
  if (more.length > 0) return `ambiguous option ${name}`;
  return only;
}

/** POSIX shlex.split, which pip applies to the options part of a line. */
function shellSplit(s: string): string[] | string {
  const out: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (isSpace(c)) {
      if (inWord) out.push(word);
      word = '';
      inWord = false;
      i++;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end === -1) return 'no closing quotation';
      word += s.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      for (i++; ; i++) {
        const d = s[i];
        if (d === undefined) return 'no closing quotation';
        if (d === '"') break;
        const next = s[i + 1];
        if (d === '\\' && next !== undefined && '\\"$`\n'.includes(next)) word += s[++i];
        else word += d;
      }
      i++;
    } else if (c === '\\') {
      const next = s[i + 1];
      if (next === undefined) return 'no escaped character after a backslash';
      word += next;
      i += 2;
    } else {
      word += c;
      i++;
    }
  }
  if (inWord) out.push(word);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Requirements

type RequirementFields = Pick<Requirement, 'kind' | 'name' | 'extras' | 'specifier' | 'marker' | 'url' | 'pinned'>;

const noFields = (kind: Requirement['kind']): RequirementFields => ({
  kind,
  name: null,
  extras: [],
  specifier: null,
  marker: null,
  url: null,
  pinned: null,
});

// pip's vcs.all_schemes.
const VCS_SCHEMES = new Set([
  'git+http', 'git+https', 'git+ssh', 'git+git', 'git+file',
  'hg+file', 'hg+http', 'hg+https', 'hg+ssh', 'hg+static-http',
  'svn+ssh', 'svn+http', 'svn+https', 'svn+svn', 'svn+file',
  'bzr+http', 'bzr+https', 'bzr+ssh', 'bzr+sftp', 'bzr+ftp', 'bzr+lp', 'bzr+file',
]);
const URL_SCHEMES = new Set(['http', 'https', 'file', 'ftp', ...VCS_SCHEMES]);

const schemeOf = (s: string): string => s.slice(0, Math.max(0, s.indexOf(':'))).toLowerCase();
/** pip's is_url: only schemes pip can install from count, so `C:\x` and `name @ url` are not URLs. */
const isPipUrl = (s: string): boolean => URL_SCHEMES.has(schemeOf(s));
const linkKind = (url: string): 'url' | 'vcs' | 'path' => {
  const scheme = schemeOf(url);
  return VCS_SCHEMES.has(scheme) ? 'vcs' : scheme === 'file' ? 'path' : 'url';
};

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/;
const isName = (s: string): boolean => NAME.exec(s)?.[0] === s;
/** PEP 503 (and PEP 685 for extras). */
const normaliseName = (s: string): string => s.replace(/[-_.]+/g, '-').toLowerCase();

function parseRequirement(req: string): RequirementFields | string {
  const none = noFields('requirement');

  // pip splits markers off first: at "; " after a URL (URLs may hold ';'), else at ';'.
  const url = isPipUrl(req);
  const sep = req.indexOf(url ? '; ' : ';');
  const main = (sep === -1 ? req : req.slice(0, sep)).trim();
  const marker = sep === -1 ? null : req.slice(sep + 1).trim() || null;
  if (marker !== null) {
    const parsed = parseMarker(marker);
    if (typeof parsed === 'string') return parsed;
  }

  if (url) {
    if (/\s/.test(main)) return 'unexpected text after the URL';
    const kind = linkKind(main);
    return { ...none, kind, marker, url: main, name: kind === 'vcs' ? eggName(main) : nameFromLink(main) };
  }

  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(main);
  if (scheme !== null) return `pip cannot install from ${JSON.stringify(scheme[1]!.slice(0, 20))} URLs`;

  const { base, extras } = splitExtras(main);
  const at = main.indexOf('@');
  // pip takes a path-like word as a local path unless it reads as `name @ url`; it would also
  // check the folder exists, so words with spaces are left to fail as requirements instead.
  const pathLike = !/\s/.test(main) && (looksLikePath(main) || isArchive(base));
  if (pathLike && (at === -1 || looksLikePath(main.slice(0, at)))) {
    const checked = checkExtras(extras);
    if (typeof checked === 'string') return checked;
    return { ...none, kind: 'path', marker, url: base, extras: checked, name: nameFromFile(lastSegment(base)) };
  }

  const name = NAME.exec(main)?.[0];
  if (name === undefined) return 'expected a project name';
  let rest = main.slice(name.length).trimStart();
  let extraNames: string[] = [];
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close === -1) return 'unclosed [ in extras';
    const checked = checkExtras(rest.slice(1, close));
    if (typeof checked === 'string') return checked;
    extraNames = checked;
    rest = rest.slice(close + 1).trimStart();
  }
  const fields = { ...none, name: normaliseName(name), extras: extraNames, marker };
  if (rest === '') return fields;

  if (rest.startsWith('@')) {
    const link = rest.slice(1).trim();
    if (link === '') return "expected a URL after '@'";
    if (/\s/.test(link)) return 'unexpected text after the URL';
    if (!/^file:/i.test(link) && !/^[a-z][a-z0-9+.-]*:\/\/[^/?#]/i.test(link)) return "the URL after '@' must be absolute";
    return { ...fields, kind: linkKind(link), url: link };
  }

  if (rest.startsWith('(')) {
    if (!rest.endsWith(')')) return 'unclosed ( around the version specifier';
    rest = rest.slice(1, -1).trim();
    if (rest === '') return fields;
  }
  const spec = parseSpecifier(rest);
  return typeof spec === 'string' ? spec : { ...fields, ...spec };
}

/** pip's parse_editable: a local project folder or a VCS URL. */
function parseEditable(value: string): RequirementFields | string {
  const none = noFields('path');
  if (value === '') return '--editable needs a path or VCS URL';
  if (isPipUrl(value)) {
    const kind = linkKind(value);
    if (kind === 'url') return 'an editable requirement must be a local path or a VCS URL';
    return { ...none, kind, url: value, name: kind === 'vcs' ? eggName(value) : nameFromLink(value) };
  }
  const { base, extras } = splitExtras(value);
  const checked = checkExtras(extras);
  if (typeof checked === 'string') return checked;
  return { ...none, url: base, extras: checked };
}

const OPERATOR = /^(===|~=|==|!=|<=|>=|<|>)\s*(\S+)$/;

/** Clauses are checked one by one (so `>=1 2` is rejected), then as a whole by the PEP 440 library. */
function parseSpecifier(text: string): Pick<Requirement, 'specifier' | 'pinned'> | string {
  const clauses: { op: string; version: string }[] = [];
  for (const clause of text.split(',')) {
    const m = OPERATOR.exec(clause.trim());
    if (m === null) return `invalid version specifier ${JSON.stringify(text.slice(0, 60))}`;
    clauses.push({ op: m[1]!, version: m[2]! });
  }
  const specifier = clauses.map((c) => c.op + c.version).join(',');
  if (!validRange(specifier)) return `invalid version specifier ${JSON.stringify(specifier.slice(0, 60))}`;
  const only = clauses.length === 1 ? clauses[0]! : null;
  const pinned = only !== null && (only.op === '==' || only.op === '===') && !only.version.includes('*') ? only.version : null;
  return { specifier, pinned };
}

/** `[a, b]` at the very end, as pip's _strip_extras finds it. */
function splitExtras(s: string): { base: string; extras: string | null } {
  const open = s.lastIndexOf('[');
  if (!s.endsWith(']') || open <= 0 || s.indexOf(']', open) !== s.length - 1) return { base: s, extras: null };
  return { base: s.slice(0, open), extras: s.slice(open + 1, -1) };
}

function checkExtras(list: string | null): string[] | string {
  if (list === null || list.trim() === '') return [];
  const names = list.split(',').map((e) => e.trim());
  const bad = names.find((e) => !isName(e));
  return bad === undefined ? names.map(normaliseName) : `invalid extra name ${JSON.stringify(bad.slice(0, 40))}`;
}

// pip's ARCHIVE_EXTENSIONS.
const ARCHIVES = ['.whl', '.zip', '.tar.gz', '.tgz', '.tar', '.tar.bz2', '.tbz', '.tar.xz', '.txz', '.tlz', '.tar.lz', '.tar.lzma'];
const isArchive = (s: string): boolean => ARCHIVES.some((ext) => s.toLowerCase().endsWith(ext));
const looksLikePath = (s: string): boolean => s.includes('/') || s.includes('\\') || s.startsWith('.');
const lastSegment = (s: string): string => s.slice(Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\')) + 1);

/** The project named by `#egg=` (pip's _egg_fragment_re), when it is a valid name. */
function eggName(url: string): string | null {
  const fragment = url.indexOf('#');
  if (fragment === -1) return null;
  const egg = url
    .slice(fragment + 1)
    .split('&')
    .find((p) => p.startsWith('egg='))
    ?.slice(4);
  return egg !== undefined && isName(egg) ? normaliseName(egg) : null;
}

function nameFromLink(url: string): string | null {
  const path = url.replace(/[?#].*$/s, '');
  let file = lastSegment(path);
  try {
    file = decodeURIComponent(file);
  } catch {
    // a stray '%' in the name: keep it as written
  }
  const fromFile = nameFromFile(file);
  // A wheel names itself; pip only falls back to the egg fragment for other archives.
  return file.toLowerCase().endsWith('.whl') ? fromFile : (eggName(url) ?? fromFile);
}

// File names longer than this cannot exist on common file systems; it also bounds the work below.
const MAX_FILE_NAME = 255;

/** The project in `name-version-...whl` or `name-version.tar.gz` style file names. */
function nameFromFile(file: string): string | null {
  if (file.length > MAX_FILE_NAME) return null;
  const lower = file.toLowerCase();
  if (lower.endsWith('.whl')) {
    const parts = file.slice(0, -4).split('-');
    const [name, version] = parts;
    const ok = (parts.length === 5 || parts.length === 6) && name !== undefined && isName(name) && valid(version) !== null;
    return ok ? normaliseName(name) : null;
  }
  const ext = ARCHIVES.find((e) => lower.endsWith(e));
  if (ext === undefined) return null;
  const stem = file.slice(0, -ext.length);
  // Versions may hold '-' (1.0-1), names too: take the first split leaving a valid version.
  for (let dash = stem.indexOf('-'); dash !== -1; dash = stem.indexOf('-', dash + 1)) {
    const name = stem.slice(0, dash);
    if (isName(name) && valid(stem.slice(dash + 1)) !== null) return normaliseName(name);
  }
  return null;
}

/** A requirement line with every optional field empty; parsers and tests fill in the rest. */
export function requirementAt(file: string, line: number, text: string, fields: Partial<Requirement> = {}): Requirement {
  return { file, line, kind: 'requirement', text, name: null, extras: [], specifier: null, marker: null, url: null, hashes: [], target: null, pinned: null, ...fields };
}
