import { describe, it, expect } from 'vitest';
import type { Requirement } from '../../src/home/inventory.js';
import { collectRequirements, parseRequirements, requirementAt } from '../../src/home/requirements.js';

const FILE = 'requirements.txt';

function entry(line: number, text: string, fields: Partial<Requirement>): Requirement {
  return requirementAt(FILE, line, text, fields);
}

/** Parses one line and expects exactly one entry and no problem. */
function one(line: string): Requirement {
  const { requirements, problems } = parseRequirements(line, FILE);
  expect(problems).toEqual([]);
  expect(requirements).toHaveLength(1);
  return requirements[0]!;
}

/** Parses one line and expects it to be rejected. */
function malformed(line: string): string {
  const { requirements, problems } = parseRequirements(line, FILE);
  expect(requirements).toEqual([]);
  expect(problems).toHaveLength(1);
  expect(problems[0]).toMatchObject({ code: 'requirements-malformed', file: FILE, line: 1 });
  return problems[0]!.message;
}

describe('parseRequirements: PEP 508 requirements', () => {
  it('parses name, extras, an exact pin and a marker', () => {
    const text = 'apache-airflow[celery,postgres]==2.7.2 ; python_version >= "3.8"';
    expect(one(text)).toEqual(
      entry(1, text, {
        name: 'apache-airflow',
        extras: ['celery', 'postgres'],
        specifier: '==2.7.2',
        marker: 'python_version >= "3.8"',
        pinned: '2.7.2',
      }),
    );
  });

  it('normalises names per PEP 503 and keeps ranges unpinned', () => {
    const text = 'Apache_Airflow.Providers-Amazon>=8.0,<9';
    expect(one(text)).toEqual(entry(1, text, { name: 'apache-airflow-providers-amazon', specifier: '>=8.0,<9' }));
  });

  it('removes spaces from specifiers, with or without parentheses', () => {
    expect(one('requests >= 2.0 , < 3')).toMatchObject({ name: 'requests', specifier: '>=2.0,<3', pinned: null });
    expect(one('requests (>=2.0, <3)')).toMatchObject({ name: 'requests', specifier: '>=2.0,<3', pinned: null });
    expect(one('Flask [Async] ~= 2.3')).toMatchObject({ name: 'flask', extras: ['async'], specifier: '~=2.3', pinned: null });
  });

  it('pins only a single == or === without wildcard', () => {
    expect(one('requests==2.*')).toMatchObject({ specifier: '==2.*', pinned: null });
    expect(one('foo===1.0')).toMatchObject({ name: 'foo', specifier: '===1.0', pinned: '1.0' });
    expect(one('foo == 1.0.post1')).toMatchObject({ specifier: '==1.0.post1', pinned: '1.0.post1' });
    expect(one('foo==1.0,!=1.1')).toMatchObject({ pinned: null });
    expect(one('foo!=1.0')).toMatchObject({ pinned: null });
  });

  it('accepts a bare name, an empty marker and combined markers', () => {
    expect(one('six')).toEqual(entry(1, 'six', { name: 'six' }));
    expect(one('six;')).toMatchObject({ name: 'six', marker: null });
    expect(one("pywin32 ; sys_platform == 'win32' and (python_version < '3.12' or extra not in 'x')")).toMatchObject({
      name: 'pywin32',
      marker: "sys_platform == 'win32' and (python_version < '3.12' or extra not in 'x')",
    });
  });

  it('parses name @ url direct references', () => {
    expect(one('pkg @ https://x/pkg.whl')).toEqual(
      entry(1, 'pkg @ https://x/pkg.whl', { kind: 'url', name: 'pkg', url: 'https://x/pkg.whl' }),
    );
    expect(one('Pkg[extra] @ git+https://github.com/org/pkg.git@v1 ; os_name == "posix"')).toMatchObject({
      kind: 'vcs',
      name: 'pkg',
      extras: ['extra'],
      url: 'git+https://github.com/org/pkg.git@v1',
      marker: 'os_name == "posix"',
    });
    expect(one('pkg @ file:///opt/pkg')).toMatchObject({ kind: 'path', name: 'pkg', url: 'file:///opt/pkg' });
  });
});

describe('parseRequirements: URLs and paths', () => {
  it('takes the name of a VCS URL from egg=', () => {
    const text = 'git+https://github.com/org/repo.git@v1.2#egg=my_pkg';
    expect(one(text)).toEqual(
      entry(1, text, { kind: 'vcs', name: 'my-pkg', url: text }),
    );
    expect(one('git+https://github.com/org/repo.git')).toMatchObject({ kind: 'vcs', name: null });
  });

  it('notes an editable VCS URL or path', () => {
    const text = '-e git+ssh://git@github.com/org/repo.git#egg=x';
    expect(one(text)).toEqual(entry(1, text, { kind: 'vcs', name: 'x', url: 'git+ssh://git@github.com/org/repo.git#egg=x' }));
    expect(one('--editable ./plugins/pkg[dev]')).toEqual(
      entry(1, '--editable ./plugins/pkg[dev]', { kind: 'path', url: './plugins/pkg', extras: ['dev'] }),
    );
    expect(one('-e .')).toMatchObject({ kind: 'path', url: '.' });
  });

  it('names archive URLs from their file names', () => {
    expect(one('https://files.example.com/p/requests-2.31.0.tar.gz')).toEqual(
      entry(1, 'https://files.example.com/p/requests-2.31.0.tar.gz', {
        kind: 'url',
        name: 'requests',
        url: 'https://files.example.com/p/requests-2.31.0.tar.gz',
      }),
    );
    expect(one('https://x/apache_airflow-2.7.2-py3-none-any.whl')).toMatchObject({ kind: 'url', name: 'apache-airflow' });
    expect(one('https://x/archive.zip#egg=Thing')).toMatchObject({ kind: 'url', name: 'thing', url: 'https://x/archive.zip#egg=Thing' });
    expect(one('https://x/download?id=3')).toMatchObject({ kind: 'url', name: null });
    expect(one('https://x/pkg-1.0.tar.gz; python_version < "3.12"')).toMatchObject({
      name: 'pkg',
      url: 'https://x/pkg-1.0.tar.gz',
      marker: 'python_version < "3.12"',
    });
  });

  it('recognises local paths and file: URLs', () => {
    expect(one('./local/pkg')).toEqual(entry(1, './local/pkg', { kind: 'path', url: './local/pkg' }));
    expect(one('/abs/pkg.whl')).toMatchObject({ kind: 'path', url: '/abs/pkg.whl', name: null });
    expect(one('/abs/apache_airflow-2.7.2-py3-none-any.whl')).toMatchObject({ kind: 'path', name: 'apache-airflow' });
    expect(one('wheels/my_lib-0.3.1.tar.gz')).toMatchObject({ kind: 'path', name: 'my-lib' });
    expect(one('file:///opt/pkgs/foo-1.0.tar.gz')).toMatchObject({ kind: 'path', name: 'foo', url: 'file:///opt/pkgs/foo-1.0.tar.gz' });
    expect(one('../shared[extra] ; python_version >= "3.8"')).toMatchObject({
      kind: 'path',
      url: '../shared',
      extras: ['extra'],
      marker: 'python_version >= "3.8"',
    });
  });
});

describe('parseRequirements: includes, constraints and options', () => {
  it('records -r and -c targets, unquoted', () => {
    const quoted = '--constraint "https://raw.githubusercontent.com/apache/airflow/constraints-2.7.2/constraints-3.11.txt"';
    const url = 'https://raw.githubusercontent.com/apache/airflow/constraints-2.7.2/constraints-3.11.txt';
    expect(one(quoted)).toEqual(entry(1, quoted, { kind: 'constraint', target: url, url }));
    expect(one('-c https://example.com/c.txt')).toEqual(
      entry(1, '-c https://example.com/c.txt', { kind: 'constraint', target: 'https://example.com/c.txt', url: 'https://example.com/c.txt' }),
    );
    expect(one("-c 'constraints dir/c.txt'")).toMatchObject({ kind: 'constraint', target: 'constraints dir/c.txt', url: null });
    expect(one('-r base.txt')).toEqual(entry(1, '-r base.txt', { kind: 'include', target: 'base.txt' }));
    expect(one('--requirement=sub/dev.txt')).toMatchObject({ kind: 'include', target: 'sub/dev.txt' });
    expect(one('-rother.txt')).toMatchObject({ kind: 'include', target: 'other.txt' });
  });

  it('records options under their long names', () => {
    const cases: [string, string, string | null][] = [
      ['-i https://pypi.org/simple', '--index-url', 'https://pypi.org/simple'],
      ['--extra-index-url=https://mirror.example.com/simple', '--extra-index-url', 'https://mirror.example.com/simple'],
      ['--extra-index https://mirror.example.com/simple', '--extra-index-url', 'https://mirror.example.com/simple'],
      ['-f ./wheels', '--find-links', './wheels'],
      ['--no-index', '--no-index', null],
      ['--pre', '--pre', null],
      ['--trusted-host pypi.example.com', '--trusted-host', null],
      ['--prefer-binary', '--prefer-binary', null],
      ['--only-binary :all:', '--only-binary', null],
      ['--no-binary=psycopg2', '--no-binary', null],
      ['--use-feature truststore', '--use-feature', null],
      ['--require-hashes', '--require-hashes', null],
    ];
    for (const [text, target, url] of cases) expect(one(text)).toEqual(entry(1, text, { kind: 'option', target, url }));
  });

  it('gives every option on a line its own entry', () => {
    const { requirements } = parseRequirements('--pre --no-index', FILE);
    expect(requirements.map((r) => r.target)).toEqual(['--pre', '--no-index']);
  });
});

describe('parseRequirements: lines, comments and hashes', () => {
  it('skips blank lines and comments, keeping URL fragments', () => {
    const { requirements, problems } = parseRequirements(
      ['# header', '', '   ', 'foo==1.0  # pinned for reasons', '\t# indented comment', 'https://x/a.tar.gz#egg=a'].join('\n'),
      FILE,
    );
    expect(problems).toEqual([]);
    expect(requirements).toEqual([
      entry(4, 'foo==1.0', { name: 'foo', specifier: '==1.0', pinned: '1.0' }),
      entry(6, 'https://x/a.tar.gz#egg=a', { kind: 'url', name: 'a', url: 'https://x/a.tar.gz#egg=a' }),
    ]);
  });

  it('collects hashes over continuation lines, at the first line', () => {
    const text = ['# hashes', 'foo==1.0 \\', '    --hash=sha256:aaa \\', '    --hash sha512:bbb', 'bar==2.0'].join('\r\n');
    const { requirements, problems } = parseRequirements(text, FILE);
    expect(problems).toEqual([]);
    expect(requirements).toEqual([
      entry(2, 'foo==1.0     --hash=sha256:aaa     --hash sha512:bbb', {
        name: 'foo',
        specifier: '==1.0',
        pinned: '1.0',
        hashes: ['sha256:aaa', 'sha512:bbb'],
      }),
      entry(5, 'bar==2.0', { name: 'bar', specifier: '==2.0', pinned: '2.0' }),
    ]);
  });

  it('joins continuations without a separator, as pip does', () => {
    expect(parseRequirements('apache-airflow==2.\\\n7.2', FILE).requirements).toEqual([
      entry(1, 'apache-airflow==2.7.2', { name: 'apache-airflow', specifier: '==2.7.2', pinned: '2.7.2' }),
    ]);
    // A comment line ends a continuation.
    expect(parseRequirements('foo \\\n# note\nbar', FILE).requirements.map((r) => [r.line, r.name])).toEqual([
      [1, 'foo'],
      [3, 'bar'],
    ]);
    // A backslash on the last line joins nothing.
    expect(parseRequirements('foo \\', FILE).requirements.map((r) => r.text)).toEqual(['foo']);
  });

  it('ignores build options after a requirement', () => {
    expect(one('foo==1.0 --config-settings editable_mode=compat --global-option=--quiet')).toMatchObject({
      name: 'foo',
      hashes: [],
      pinned: '1.0',
    });
  });
});

describe('parseRequirements: credentials', () => {
  it('redacts passwords everywhere', () => {
    const result = parseRequirements(
      [
        '--index-url https://user:CANARY_PW@pypi.example.com/simple',
        '-c "https://u:CANARY_PW@example.com/c.txt"',
        'pkg @ https://u:CANARY_PW@example.com/pkg.whl',
        'git+https://oauth2:CANARY_PW@gitlab.example.com/g/r.git#egg=r',
        'bad requirement https://u:CANARY_PW@example.com/x',
      ].join('\n'),
      FILE,
    );
    expect(JSON.stringify(result)).not.toContain('CANARY_PW');
    expect(result.requirements[0]).toEqual(
      entry(1, '--index-url https://user:<redacted>@pypi.example.com/simple', {
        kind: 'option',
        target: '--index-url',
        url: 'https://user:<redacted>@pypi.example.com/simple',
      }),
    );
    expect(result.requirements[1]).toMatchObject({ kind: 'constraint', target: 'https://u:<redacted>@example.com/c.txt' });
    expect(result.requirements[2]).toMatchObject({ kind: 'url', url: 'https://u:<redacted>@example.com/pkg.whl' });
    expect(result.requirements[3]).toMatchObject({ kind: 'vcs', name: 'r' });
    expect(result.problems).toHaveLength(1);
  });

  it('redacts a user name given without a password, except for ssh', () => {
    expect(one('git+https://ghp_CANARY@github.com/org/repo.git#egg=x').url).toBe(
      'git+https://<redacted>@github.com/org/repo.git#egg=x',
    );
    expect(one('-e git+ssh://git@github.com/org/repo.git#egg=x').url).toBe('git+ssh://git@github.com/org/repo.git#egg=x');
  });
});

describe('parseRequirements: malformed lines', () => {
  it('reports unparseable requirements with their line', () => {
    expect(malformed('==1.0')).toBe('expected a project name: "==1.0"');
    expect(malformed('foo bar baz')).toBe('invalid version specifier "bar baz": "foo bar baz"');
    expect(malformed('foo==1.0,')).toMatch(/^invalid version specifier/);
    expect(malformed('foo~=1')).toMatch(/^invalid version specifier/);
    expect(malformed('foo[bar')).toMatch(/^unclosed \[/);
    expect(malformed('foo[b@d]')).toMatch(/^invalid extra name/);
    expect(malformed('foo==1.0; python_version >= 3.8')).toMatch(/in the marker/);
    expect(malformed('foo==1.0; python_version >= "3.8" and')).toMatch(/^invalid environment marker/);
    expect(malformed('foo==1.0; color == "red"')).toMatch(/^unknown marker variable "color"/);
    expect(malformed('pkg @ ./relative')).toMatch(/must be absolute/);
    expect(malformed('https://x/pkg.whl trailing')).toMatch(/^unexpected text after the URL/);
    expect(malformed('s3://bucket/pkg.whl')).toBe('pip cannot install from "s3" URLs: "s3://bucket/pkg.whl"');
  });

  it('reports bad options', () => {
    expect(malformed('--bogus')).toBe('unknown option --bogus: "--bogus"');
    expect(malformed('--pr')).toMatch(/^ambiguous option --pr/);
    expect(malformed('-r')).toMatch(/^-r needs a value/);
    expect(malformed('--index-url')).toMatch(/^--index-url needs a value/);
    expect(malformed('--pre=yes')).toMatch(/^--pre does not take a value/);
    expect(malformed('-c "unterminated')).toMatch(/^no closing quotation/);
    expect(malformed('-e https://x/pkg.tar.gz')).toMatch(/local path or a VCS URL/);
    expect(malformed('foo==1.0 --hash=md5:abc')).toMatch(/^--hash algorithm "md5"/);
    expect(malformed('foo==1.0 --hash=abc')).toMatch(/^--hash needs a value/);
  });

  it('flags a hash left on its own line', () => {
    const { requirements, problems } = parseRequirements('foo==1.0\n    --hash=sha256:aaa', FILE);
    expect(requirements.map((r) => r.name)).toEqual(['foo']);
    expect(problems).toEqual([
      {
        code: 'requirements-malformed',
        file: FILE,
        line: 2,
        message: '--hash must follow a requirement on the same line (missing line continuation?): "--hash=sha256:aaa"',
      },
    ]);
  });

  it('never throws, whatever the input', () => {
    const junk = Array.from({ length: 4096 }, (_, i) => String.fromCharCode((i * 7919) % 65536)).join('');
    const inputs = [
      junk,
      '\u0000\u0001\uFFFD\n\\\\\n"\'',
      'a'.repeat(1_000_000),
      'a'.repeat(500_000) + '://' + 'b'.repeat(500_000),
      'https://' + 'a:'.repeat(200_000) + '@x',
      'foo==' + '1.'.repeat(200_000),
      'foo; ' + '('.repeat(100_000) + ')'.repeat(100_000),
      'x-'.repeat(100_000) + '1.0.tar.gz',
      '[' + ','.repeat(100_000),
      '-e ' + '['.repeat(100_000) + ']',
    ];
    const started = Date.now();
    for (const input of inputs) {
      const result = parseRequirements(input, FILE);
      expect(result.requirements.length + result.problems.length).toBeGreaterThanOrEqual(0);
    }
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('collectRequirements', () => {
  const reader = (files: Record<string, string>) => {
    const reads: string[] = [];
    const read = (path: string): string | null => {
      reads.push(path);
      return files[path] ?? null;
    };
    return { read, reads };
  };

  it('follows -r includes depth first, relative to the including file', () => {
    const { read } = reader({
      'requirements.txt': 'apache-airflow==2.7.2\n-r reqs/base.txt\n-c constraints.txt\nboto3',
      'reqs/base.txt': 'pandas>=2\n-r ../common/extra.txt',
      'common/extra.txt': 'numpy',
    });
    const result = collectRequirements('requirements.txt', read);
    expect(result.files).toEqual(['requirements.txt', 'reqs/base.txt', 'common/extra.txt']);
    expect(result.requirements.map((r) => [r.file, r.line, r.kind, r.name ?? r.target])).toEqual([
      ['requirements.txt', 1, 'requirement', 'apache-airflow'],
      ['requirements.txt', 2, 'include', 'reqs/base.txt'],
      ['reqs/base.txt', 1, 'requirement', 'pandas'],
      ['reqs/base.txt', 2, 'include', '../common/extra.txt'],
      ['common/extra.txt', 1, 'requirement', 'numpy'],
      ['requirements.txt', 3, 'constraint', 'constraints.txt'],
      ['requirements.txt', 4, 'requirement', 'boto3'],
    ]);
    expect(result.problems).toEqual([]);
  });

  it('reads each file once when includes form a cycle', () => {
    const { read, reads } = reader({ 'a.txt': 'foo\n-r b.txt', 'b.txt': '-r ./a.txt\nbar' });
    const result = collectRequirements('a.txt', read);
    expect(reads).toEqual(['a.txt', 'b.txt']);
    expect(result.files).toEqual(['a.txt', 'b.txt']);
    expect(result.requirements.map((r) => r.name ?? r.target)).toEqual(['foo', 'b.txt', './a.txt', 'bar']);
    expect(result.problems).toEqual([]);
  });

  it('reports a missing include at the including line', () => {
    const { read } = reader({ 'requirements.txt': 'foo\n\n-r missing.txt\nbar' });
    const result = collectRequirements('requirements.txt', read);
    expect(result.files).toEqual(['requirements.txt']);
    expect(result.requirements.map((r) => r.name ?? r.target)).toEqual(['foo', 'missing.txt', 'bar']);
    expect(result.problems).toEqual([
      {
        code: 'requirements-include-missing',
        file: 'requirements.txt',
        line: 3,
        message: 'included requirements file missing.txt is missing or unreadable',
      },
    ]);
  });

  it('does not follow remote includes or constraint files', () => {
    const { read, reads } = reader({ 'requirements.txt': '-r https://example.com/r.txt\n-c c.txt', 'c.txt': 'foo' });
    const result = collectRequirements('requirements.txt', read);
    expect(reads).toEqual(['requirements.txt']);
    expect(result.requirements.map((r) => [r.kind, r.target, r.url])).toEqual([
      ['include', 'https://example.com/r.txt', 'https://example.com/r.txt'],
      ['constraint', 'c.txt', null],
    ]);
  });

  it('reports problems of included files under their own name', () => {
    const { read } = reader({ 'requirements.txt': '-r sub/x.txt', 'sub/x.txt': 'ok\n==1.0' });
    const result = collectRequirements('requirements.txt', read);
    expect(result.problems).toMatchObject([{ code: 'requirements-malformed', file: 'sub/x.txt', line: 2 }]);
  });

  it('reports an unreadable root and treats a throwing reader as unreadable', () => {
    expect(collectRequirements('./requirements.txt', () => null)).toEqual({
      files: [],
      requirements: [],
      problems: [{ code: 'unreadable', file: 'requirements.txt', message: 'the requirements file could not be read' }],
    });
    const result = collectRequirements('requirements.txt', (p) => {
      if (p === 'requirements.txt') return '-r boom.txt';
      throw new Error('EACCES');
    });
    expect(result.problems).toMatchObject([{ code: 'requirements-include-missing', line: 1 }]);
  });
});
