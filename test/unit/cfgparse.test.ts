import { describe, it, expect } from 'vitest';
import { interpolate, parseCfg, type CfgEntry } from '../../src/home/cfgparse.js';

const FILE = 'airflow.cfg';

function entry(section: string, key: string, raw: string, line: number): CfgEntry {
  return { section, sectionLower: section.toLowerCase(), key, raw, line };
}

function codes(text: string): [string, number | undefined][] {
  return parseCfg(text, FILE).problems.map((p) => [p.code, p.line]);
}

describe('parseCfg', () => {
  it('reads sections and options with both delimiters, trimming keys and values', () => {
    const text = [
      '[core]',
      'dags_folder = /opt/airflow/dags',
      'Executor:LocalExecutor',
      'parallelism \t =   32  ',
      '[webserver]',
      'base_url: http://localhost:8080',
    ].join('\n');
    expect(parseCfg(text, FILE)).toEqual({
      entries: [
        entry('core', 'dags_folder', '/opt/airflow/dags', 2),
        entry('core', 'executor', 'LocalExecutor', 3),
        entry('core', 'parallelism', '32', 4),
        entry('webserver', 'base_url', 'http://localhost:8080', 6),
      ],
      problems: [],
    });
  });

  it('splits at the first delimiter, whichever it is', () => {
    const { entries } = parseCfg('[s]\na :  b = c\nd = e : f\nurl = http://h:1/x', FILE);
    expect(entries.map((e) => [e.key, e.raw])).toEqual([
      ['a', 'b = c'],
      ['d', 'e : f'],
      ['url', 'http://h:1/x'],
    ]);
  });

  it('keeps an inline # or ; as part of the value', () => {
    const { entries, problems } = parseCfg('[database]\nsql_alchemy_conn = postgresql://u:p#x@h/db\nx = a ; b', FILE);
    expect(problems).toEqual([]);
    expect(entries).toEqual([
      entry('database', 'sql_alchemy_conn', 'postgresql://u:p#x@h/db', 2),
      entry('database', 'x', 'a ; b', 3),
    ]);
  });

  it('skips whole-line # and ; comments, also indented ones', () => {
    const text = '# top\n; top\n[core]\n  # indented\n\t; tab\nload_examples = False\n';
    expect(parseCfg(text, FILE)).toEqual({ entries: [entry('core', 'load_examples', 'False', 6)], problems: [] });
  });

  it('lower-cases option names but keeps section names as written', () => {
    const { entries } = parseCfg('[Core]\nDAGS_Folder = /d\n[core]\nx = 1', FILE);
    expect(entries).toEqual([entry('Core', 'dags_folder', '/d', 2), entry('core', 'x', '1', 4)]);
    expect(entries[0]?.sectionLower).toBe('core');
  });

  it('takes a section name up to the last ] and ignores the rest, unstripped', () => {
    const { entries, problems } = parseCfg('[core] ; note\na = 1\n[x] y]\nb = 2\n[ pad ]\nc = 3', FILE);
    expect(problems).toEqual([]);
    expect(entries.map((e) => e.section)).toEqual(['core', 'x] y', ' pad ']);
  });

  it('joins continuation lines, keeps inner empty lines and drops trailing ones', () => {
    const text = ['[s]', 'a = 1', '', '', '  b', '    c', '', '', '[t]', 'd =', '  x', '# comment', '  y', 'e = 2', '']
      .join('\n');
    expect(parseCfg(text, FILE).entries).toEqual([
      entry('s', 'a', '1\n\n\nb\nc', 2),
      entry('t', 'd', '\nx\ny', 10),
      entry('t', 'e', '2', 14),
    ]);
  });

  it('measures continuation against the indent of the option line', () => {
    const { entries } = parseCfg('[s]\n  a = 1\n  b = 2\n    more\nc = 3\n   c2', FILE);
    expect(entries).toEqual([entry('s', 'a', '1', 2), entry('s', 'b', '2\nmore', 3), entry('s', 'c', '3\nc2', 5)]);
  });

  it('does not treat an indented [header] inside a value as a section', () => {
    const { entries } = parseCfg('[s]\na = 1\n  [t]\nb = 2', FILE);
    expect(entries).toEqual([entry('s', 'a', '1\n[t]', 2), entry('s', 'b', '2', 4)]);
  });

  it('records [DEFAULT] options under DEFAULT and allows the header to repeat', () => {
    const text = '[DEFAULT]\nbase = /opt\n[core]\nx = 1\n[DEFAULT]\nother = 2';
    expect(parseCfg(text, FILE)).toEqual({
      entries: [entry('DEFAULT', 'base', '/opt', 2), entry('core', 'x', '1', 4), entry('DEFAULT', 'other', '2', 6)],
      problems: [],
    });
  });

  it('reports an option repeated across [DEFAULT] blocks', () => {
    expect(codes('[DEFAULT]\na = 1\n[DEFAULT]\na = 2')).toEqual([['cfg-duplicate-option', 4]]);
  });

  it('handles CRLF and lone CR line endings', () => {
    const { entries, problems } = parseCfg('[core]\r\na = 1\r\n  2\r\nb = x\r\r\nc = 3\r\n', FILE);
    expect(problems).toEqual([]);
    expect(entries).toEqual([entry('core', 'a', '1\n2', 2), entry('core', 'b', 'x', 4), entry('core', 'c', '3', 6)]);
  });

  it('reads past a UTF-8 BOM but reports it, as Airflow would reject the file', () => {
    const { entries, problems } = parseCfg('\uFEFF[core]\na = 1', FILE);
    expect(entries).toEqual([entry('core', 'a', '1', 2)]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'cfg-malformed', file: FILE, line: 1 });
    expect(problems[0]?.message).toContain('MissingSectionHeaderError');
  });

  it('reports lines before the first section once and ignores them', () => {
    const { entries, problems } = parseCfg('# fine\nx = 1\ny = 2\n[core]\na = 1', FILE);
    expect(entries).toEqual([entry('core', 'a', '1', 5)]);
    expect(problems).toEqual([expect.objectContaining({ code: 'cfg-malformed', file: FILE, line: 2 })]);
    expect(problems[0]?.message).toContain('MissingSectionHeaderError');
  });

  it('treats [] as no header', () => {
    expect(codes('[]\na = 1')).toEqual([['cfg-malformed', 1]]);
  });

  it('reports a duplicate section, merges it, and later values win', () => {
    const { entries, problems } = parseCfg('[a]\nx = 1\n[b]\ny = 2\n[a]\nx = 3\nz = 4', FILE);
    expect(entries).toEqual([entry('b', 'y', '2', 4), entry('a', 'x', '3', 6), entry('a', 'z', '4', 7)]);
    expect(problems).toEqual([expect.objectContaining({ code: 'cfg-duplicate-section', file: FILE, line: 5 })]);
    expect(problems[0]?.message).toMatch(/\[a\].*line 1.*fail.*later values win/);
  });

  it('reports a duplicate option (names compared lower-cased) and keeps the last', () => {
    const { entries, problems } = parseCfg('[core]\nParallelism = 16\nx = 1\nparallelism = 32', FILE);
    expect(entries).toEqual([entry('core', 'x', '1', 3), entry('core', 'parallelism', '32', 4)]);
    expect(problems).toEqual([expect.objectContaining({ code: 'cfg-duplicate-option', file: FILE, line: 4 })]);
    expect(problems[0]?.message).toMatch(/"parallelism".*\[core\].*line 2.*fail.*later value wins/);
  });

  it('reports an option without a value and keeps going', () => {
    const { entries, problems } = parseCfg('[core]\nload_examples\nb = 2', FILE);
    expect(entries).toEqual([entry('core', 'b', '2', 3)]);
    expect(problems).toEqual([expect.objectContaining({ code: 'cfg-malformed', file: FILE, line: 2 })]);
  });

  it('lets deeper lines after a bad line extend the previous option, as configparser does', () => {
    const { entries, problems } = parseCfg('[s]\na = 1\njunk\n  more', FILE);
    expect(entries).toEqual([entry('s', 'a', '1\nmore', 2)]);
    expect(problems.map((p) => [p.code, p.line])).toEqual([['cfg-malformed', 3]]);
  });

  it('reports an empty option name, and indented lines after it are not its continuation', () => {
    const { entries, problems } = parseCfg('[s]\n= v\n  cont\nb = 1', FILE);
    expect(entries).toEqual([entry('s', 'b', '1', 4)]);
    expect(problems.map((p) => [p.code, p.line])).toEqual([
      ['cfg-malformed', 2],
      ['cfg-malformed', 3],
    ]);
  });

  it('reports an unclosed header', () => {
    expect(codes('[s]\n[x\na = 1')).toEqual([['cfg-malformed', 2]]);
  });

  it('strips Python whitespace, not JavaScript whitespace', () => {
    const { entries } = parseCfg('[s]\na\x1c= b\x85\nc = \uFEFFd', FILE);
    expect(entries).toEqual([entry('s', 'a', 'b', 2), entry('s', 'c', '\uFEFFd', 3)]);
  });

  it('never throws on binary junk or NUL bytes', () => {
    const junk = '\x00\x01\uFFFD[\x00]\n\x00=\x00\n[s]\na=\x00b\nc\x00=d\n\uFFFD\uFFFD\x7f';
    const { entries, problems } = parseCfg(junk, FILE);
    expect(entries).toEqual([entry('s', 'a', '\x00b', 4), entry('s', 'c\x00', 'd', 5)]);
    expect(problems.map((p) => [p.code, p.line])).toEqual([
      ['cfg-malformed', 1],
      ['cfg-malformed', 6],
    ]);
  });

  it('returns nothing for an empty file', () => {
    expect(parseCfg('', FILE)).toEqual({ entries: [], problems: [] });
  });
});

describe('interpolate', () => {
  const cfg = [
    '[DEFAULT]',
    'base = /opt/airflow',
    '[logging]',
    'base_log_folder = %(base)s/logs',
    'child = %(BASE_LOG_FOLDER)s/child',
    'log_format = [%%(asctime)s] {%%(filename)s:%%(lineno)d} %%(levelname)s - %%(message)s',
    'pct = 100%%',
  ].join('\n');
  const { entries } = parseCfg(cfg, FILE);
  // configparser looks in the option's own section, then in DEFAULT.
  const raw = (section: string, key: string): string | undefined =>
    entries.find((e) => e.section === section && e.key === key)?.raw;
  const lookup = (name: string): string | undefined => raw('logging', name) ?? raw('DEFAULT', name);
  const get = (key: string): ReturnType<typeof interpolate> => interpolate(raw('logging', key) ?? '', lookup);

  it('turns %% into % in the default log_format', () => {
    expect(get('log_format')).toEqual({ value: '[%(asctime)s] {%(filename)s:%(lineno)d} %(levelname)s - %(message)s' });
    expect(get('pct')).toEqual({ value: '100%' });
  });

  it('substitutes references to DEFAULT and to other options, recursively and case-insensitively', () => {
    expect(get('base_log_folder')).toEqual({ value: '/opt/airflow/logs' });
    expect(get('child')).toEqual({ value: '/opt/airflow/logs/child' });
  });

  it('leaves values without % alone', () => {
    expect(interpolate('plain', () => undefined)).toEqual({ value: 'plain' });
    expect(interpolate('', () => undefined)).toEqual({ value: '' });
  });

  it("rejects a % not followed by % or ( without quoting the value", () => {
    for (const raw of ['p%40ss', '50%', 'a%%b%c']) {
      const result = interpolate(raw, () => undefined);
      expect(result).toEqual({ error: expect.stringContaining("'%' must be followed by '%' or '('") });
      expect('error' in result && result.error.includes(raw)).toBe(false);
    }
  });

  it('rejects a malformed reference', () => {
    const bad = { error: expect.stringContaining('bad interpolation variable reference') };
    expect(interpolate('%(x', () => 'v')).toEqual(bad);
    expect(interpolate('%(x)d', () => 'v')).toEqual(bad);
  });

  it('rejects a reference to a missing option', () => {
    const missing = { error: expect.stringContaining("'%(nope)s' is not a valid option name") };
    expect(interpolate('%(Nope)s', () => undefined)).toEqual(missing);
  });

  it('does not expand a referenced value that has no %', () => {
    expect(interpolate('%(a)s', () => 'x')).toEqual({ value: 'x' });
  });

  it('stops after 10 levels like MAX_INTERPOLATION_DEPTH', () => {
    // k0 = %(k1)s, ..., k11 = %(k12)s, k12 = %%end: configparser resolves k3 (ten levels) but not k2.
    const chain = (name: string): string | undefined => {
      const n = Number(name.slice(1));
      return n < 12 ? `%(k${n + 1})s` : '%%end';
    };
    expect(interpolate(chain('k3') ?? '', chain)).toEqual({ value: '%end' });
    expect(interpolate(chain('k2') ?? '', chain)).toEqual({ error: expect.stringContaining('recursion limit') });
    const loop = interpolate('%(self)s', () => '%(self)s');
    expect(loop).toEqual({ error: expect.stringContaining('recursion limit') });
  });
});
