// Reads airflow.cfg the way Python's configparser.ConfigParser (as Airflow configures it) does,
// but records every error configparser would raise as a Problem and keeps going, so one scan
// can report all of them. Problem messages name sections and options, never values.
import type { Problem, ProblemCode } from './inventory.js';

export interface CfgEntry {
  /** As written in the header: configparser keeps section names' case. */
  section: string;
  /** Lower-cased, to match Airflow's upper-cased AIRFLOW__SECTION__KEY overrides. */
  sectionLower: string;
  /** Lower-cased, as configparser's optionxform does. */
  key: string;
  /** The value before interpolation. */
  raw: string;
  /** 1-based line of the key. */
  line: number;
}

const DEFAULT_SECTION = 'DEFAULT';
const MAX_INTERPOLATION_DEPTH = 10;

// Python's whitespace (str.isspace, re's \s), which configparser strips and measures indents
// by. JS's trim() differs: it strips U+FEFF but not U+001C..U+001F or U+0085.
const SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const LEADING_SPACE = new RegExp(`^[${SPACE}]+`);
const TRAILING_SPACE = new RegExp(`[${SPACE}]+$`);
const NON_SPACE = new RegExp(`[^${SPACE}]`);
const rstrip = (s: string): string => s.replace(TRAILING_SPACE, '');
const strip = (s: string): string => rstrip(s.replace(LEADING_SPACE, ''));

// configparser's SECTCRE, applied with match(): the last ']' closes the name and anything
// after it is ignored, so "[core] junk" is section "core".
const SECTION_HEADER = /^\[(.+)\]/s;
// BasicInterpolation's _KEYCRE.
const REFERENCE = /%\(([^)]+)\)s/y;

interface Option {
  section: string;
  key: string;
  lines: string[];
  line: number;
}

export function parseCfg(text: string, file: string): { entries: CfgEntry[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const report = (code: ProblemCode, line: number, message: string): void => {
    problems.push({ code, file, line, message });
  };

  let body = text;
  if (body.startsWith('\uFEFF')) {
    body = body.slice(1);
    report(
      'cfg-malformed',
      1,
      'file starts with a UTF-8 byte order mark: Airflow reads airflow.cfg as plain UTF-8 and fails with ' +
        'MissingSectionHeaderError; remove the mark (the rest is read here as if it were absent)',
    );
  }

  // Keyed by [section, key]; re-inserting moves an option to where it was last set.
  const effective = new Map<string, Option>();
  // configparser's strict checks. A repeated DEFAULT header is allowed, so its options are
  // checked across all its blocks; other sections' across one block.
  const sectionLines = new Map<string, number>();
  const defaultKeys = new Map<string, number>();
  let keys = defaultKeys;
  let section: string | null = null;
  let current: Option | null = null; // the option continuation lines extend
  let indentLevel = 0;
  let reportedNoSection = false;

  // Universal newlines, as Python's open() reads the file.
  for (const [index, line] of body.split(/\r\n|\r|\n/).entries()) {
    const lineNo = index + 1;
    const value = strip(line);
    // An empty line may belong to a multi-line value; whole-line comments never do, and
    // neither ends one.
    if (value === '') {
      current?.lines.push('');
      continue;
    }
    if (value.startsWith('#') || value.startsWith(';')) continue;

    const indent = line.search(NON_SPACE);
    if (current !== null && indent > indentLevel) {
      current.lines.push(value);
      continue;
    }
    indentLevel = indent;

    const header = SECTION_HEADER.exec(value);
    if (header !== null) {
      section = header[1] ?? '';
      current = null;
      keys = section === DEFAULT_SECTION ? defaultKeys : new Map();
      if (section === DEFAULT_SECTION) continue;
      const first = sectionLines.get(section);
      if (first === undefined) sectionLines.set(section, lineNo);
      else {
        report(
          'cfg-duplicate-section',
          lineNo,
          `section [${section}] is repeated (first on line ${first}): configparser raises ` +
            'DuplicateSectionError, so Airflow would fail to start; here both are merged and later values win',
        );
      }
      continue;
    }

    if (section === null) {
      if (!reportedNoSection) {
        report(
          'cfg-malformed',
          lineNo,
          `line ${lineNo} comes before any [section] header: configparser raises MissingSectionHeaderError; ` +
            'lines before the first section are ignored',
        );
        reportedNoSection = true;
      }
      continue;
    }

    const delimiter = value.search(/[=:]/);
    if (delimiter === -1) {
      // configparser leaves the previous option current here, so deeper-indented lines that
      // follow still extend it.
      report(
        'cfg-malformed',
        lineNo,
        `line ${lineNo} in section [${section}] is neither a [section] header nor an option ` +
          '("key = value" or "key: value"; an option without a value is not allowed)',
      );
      continue;
    }
    if (delimiter === 0) {
      report('cfg-malformed', lineNo, `line ${lineNo} in section [${section}] has an option with an empty name`);
      current = null;
      continue;
    }

    const key = rstrip(value.slice(0, delimiter)).toLowerCase();
    const first = keys.get(key);
    if (first === undefined) keys.set(key, lineNo);
    else {
      report(
        'cfg-duplicate-option',
        lineNo,
        `option "${key}" in section [${section}] is repeated (first on line ${first}): configparser raises ` +
          'DuplicateOptionError, so Airflow would fail to start; here the later value wins',
      );
    }

    current = { section, key, lines: [strip(value.slice(delimiter + 1))], line: lineNo };
    const id = JSON.stringify([section, key]);
    effective.delete(id);
    effective.set(id, current);
  }

  const entries = [...effective.values()].map((o) => ({
    section: o.section,
    sectionLower: o.section.toLowerCase(),
    key: o.key,
    // Joined as configparser does, which drops trailing empty lines.
    raw: rstrip(o.lines.join('\n')),
    line: o.line,
  }));
  return { entries, problems };
}

/**
 * Expands a raw value as configparser's BasicInterpolation does. `lookup` gets lower-cased
 * option names and returns raw values (the section's own, then DEFAULT's, as configparser looks).
 * Errors never quote the value, which may be a secret.
 */
export function interpolate(
  raw: string,
  lookup: (name: string) => string | undefined,
): { value: string } | { error: string } {
  const out: string[] = [];
  const error = expand(raw, lookup, out, 1);
  return error === undefined ? { value: out.join('') } : { error };
}

function expand(
  rest: string,
  lookup: (name: string) => string | undefined,
  out: string[],
  depth: number,
): string | undefined {
  if (depth > MAX_INTERPOLATION_DEPTH) {
    return (
      'recursion limit exceeded in value substitution: ' +
      `a reference cannot be substituted in ${MAX_INTERPOLATION_DEPTH} steps`
    );
  }
  let at = 0;
  while (at < rest.length) {
    const percent = rest.indexOf('%', at);
    if (percent === -1) {
      out.push(rest.slice(at));
      break;
    }
    out.push(rest.slice(at, percent));
    const next = rest[percent + 1];
    if (next === '%') {
      out.push('%');
      at = percent + 2;
    } else if (next === '(') {
      REFERENCE.lastIndex = percent;
      const match = REFERENCE.exec(rest);
      if (match === null) return `bad interpolation variable reference: '%(' must be followed by 'name)s'`;
      const name = (match[1] ?? '').toLowerCase();
      const value = lookup(name);
      if (value === undefined) return `bad value substitution: '%(${name})s' is not a valid option name`;
      // Like configparser, a referenced value is expanded only when it holds a '%'.
      if (value.includes('%')) {
        const error = expand(value, lookup, out, depth + 1);
        if (error !== undefined) return error;
      } else out.push(value);
      at = percent + match[0].length;
    } else {
      return `'%' must be followed by '%' or '(' (write a literal '%' as '%%')`;
    }
  }
  return undefined;
}
