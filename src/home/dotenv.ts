// Reads a .env file as python-dotenv does, with the line of each variable; single-quoted values
// are taken literally, as docker compose takes them. Values may be secrets, so problems name
// only the line and the key.
import type { Problem } from './inventory.js';

export interface EnvEntry {
  name: string;
  value: string;
  /** 1-based line of the name. */
  line: number;
}

// python-dotenv's unquoted key, without quotes: those would start its quoted-key form, which
// this parser does not take, so such a line is reported rather than misread.
const NAME = /^[^\s=#'"]+$/;
// What may follow a closing quote: spaces and an optional comment.
const AFTER_QUOTE = /^\s*(#.*)?$/s;
const ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

export function parseDotenv(text: string, file: string): { entries: EnvEntry[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const report = (line: number, message: string): void => {
    problems.push({ code: 'env-malformed', file, line, message });
  };
  // Later assignments win; re-inserting moves a name to where it was last set.
  const entries = new Map<string, EnvEntry>();
  // A byte order mark would otherwise become part of the first name.
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);

  for (let index = 0; index < lines.length; index++) {
    const lineNo = index + 1;
    const line = (lines[index] ?? '').trimStart();
    if (line === '' || line.startsWith('#')) continue;

    const statement = line.replace(/^export[ \t]+/, '');
    const equals = statement.indexOf('=');
    if (equals === -1) {
      report(lineNo, `line ${lineNo} is not NAME=VALUE`);
      continue;
    }
    const name = statement.slice(0, equals).trimEnd();
    if (!NAME.test(name)) {
      report(lineNo, `line ${lineNo} has an invalid variable name`);
      continue;
    }
    const parsed = readValue(lines, index, statement.slice(equals + 1).trimStart());
    if (typeof parsed === 'string') {
      // Parsing resumes on the next line, as python-dotenv does after a bad statement.
      report(lineNo, `${name} on line ${lineNo} ${parsed}`);
      continue;
    }
    const { value, lastLine } = parsed;
    index = lastLine;
    entries.delete(name);
    entries.set(name, { name, value, line: lineNo });
  }
  return { entries: [...entries.values()], problems };
}

type Value = { value: string; lastLine: number } | string; // a string says what is wrong

/** Reads the value starting with `rest` on line `start`; a double-quoted one may span lines. */
function readValue(lines: string[], start: number, rest: string): Value {
  if (rest.startsWith("'")) {
    const close = rest.indexOf("'", 1);
    if (close === -1) return 'has an unterminated single-quoted value';
    return closed(rest.slice(1, close), rest.slice(close + 1), start);
  }
  if (rest.startsWith('"')) return readDoubleQuoted(lines, start, rest.slice(1));
  return { value: rest.replace(/\s+#.*$/s, '').trimEnd(), lastLine: start };
}

function closed(value: string, after: string, lastLine: number): Value {
  return AFTER_QUOTE.test(after) ? { value, lastLine } : 'has text after its closing quote';
}

function readDoubleQuoted(lines: string[], start: number, first: string): Value {
  let value = '';
  let text = first;
  for (let lineIndex = start; ; ) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charAt(i);
      if (c === '"') return closed(value, text.slice(i + 1), lineIndex);
      const escaped = c === '\\' ? ESCAPES[text.charAt(i + 1)] : undefined;
      if (escaped !== undefined) {
        value += escaped;
        i++;
      } else value += c;
    }
    lineIndex++;
    if (lineIndex >= lines.length) return 'has an unterminated double-quoted value';
    value += '\n';
    text = lines[lineIndex] ?? '';
  }
}
