import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fastParse, lastError } from '../../src/python/fast/index.js';
import { loadTreeSitter, parseWithTreeSitter } from '../../src/python/parser.js';
import { requires } from '../support/requires.js';
import type { PyNode } from '../../src/python/tree.js';

// Differential test: wherever the fast parser accepts a file, its tree must be exactly the one
// tree-sitter + copyTree gives (type, field, isNamed, span, missing, children, parent links).

beforeAll(loadTreeSitter);

function diff(a: PyNode, b: PyNode, path: string): string | null {
  for (const k of ['type', 'field', 'isNamed', 'start', 'end', 'missing'] as const) {
    if (a[k] !== b[k]) return `${path}/${b.type}: ${k} ${JSON.stringify(a[k])} (fast) vs ${JSON.stringify(b[k])} (tree-sitter)`;
  }
  if ((a.parent?.type ?? null) !== (b.parent?.type ?? null)) return `${path}/${b.type}: parent`;
  if (a.children.length !== b.children.length) {
    return `${path}/${b.type}: children ${a.children.map((c) => c.type).join(',')} (fast) vs ${b.children.map((c) => c.type).join(',')}`;
  }
  for (let i = 0; i < a.children.length; i++) {
    if (a.children[i]!.parent !== a) return `${path}/${b.type}: parent link of child ${i}`;
    const d = diff(a.children[i]!, b.children[i]!, `${path}/${b.type}[${i}]`);
    if (d) return d;
  }
  return null;
}

/** null when fastParse falls back; otherwise the first difference from tree-sitter, or '' when equal. */
function compare(text: string): string | null {
  const fast = fastParse(text);
  if (lastError) return `internal error: ${String(lastError)}`;
  if (!fast) return null;
  const ts = parseWithTreeSitter(text);
  if (ts.hasError) return 'tree-sitter reports an error but the fast parser accepted';
  return diff(fast.root, ts.root, '') ?? '';
}

function pyFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) pyFiles(p, out);
    else if (e.name.endsWith('.py')) out.push(p);
  }
  return out;
}

const root = join(import.meta.dirname, '..', '..');

/** How many of the files fastParse accepts, and every accepted one whose tree differs. */
function compareFiles(files: string[]): { accepted: number; mismatches: string[] } {
  const mismatches: string[] = [];
  let accepted = 0;
  for (const f of files) {
    const d = compare(readFileSync(f, 'utf8'));
    if (d === null) continue;
    accepted++;
    if (d) mismatches.push(`${f}: ${d}`);
  }
  return { accepted, mismatches };
}

describe('fastParse on the repository fixtures', () => {
  it('gives tree-sitter’s tree for every file it accepts', () => {
    const files = [join(root, 'fixtures'), join(root, 'rules', 'fixtures'), join(root, 'test')].flatMap((d) => pyFiles(d));
    expect(files.length).toBeGreaterThan(100);
    const { accepted, mismatches } = compareFiles(files);
    expect(mismatches).toEqual([]);
    expect(accepted / files.length).toBeGreaterThan(0.9);
  });
});

// Code no one here wrote: Python's own standard library, as the machine's python3 has it.
describe.skipIf(!requires(import.meta.url, 'python3'))('fastParse on the Python standard library', () => {
  it('gives tree-sitter’s tree for every module it accepts, and accepts nearly all', () => {
    const stdlib = spawnSync('python3', ['-c', 'import sysconfig; print(sysconfig.get_paths()["stdlib"])'], { encoding: 'utf8' }).stdout.trim();
    const files = pyFiles(stdlib).filter((f) => !/[/\\](site-packages|test|tests|lib2to3)[/\\]/.test(f) && statSync(f).size < 300_000);
    expect(files.length).toBeGreaterThan(500);
    const { accepted, mismatches } = compareFiles(files);
    expect(mismatches).toEqual([]);
    expect(accepted / files.length).toBeGreaterThan(0.95);
  }, 120_000);
});

const py = (...lines: string[]): string => lines.join('\n') + '\n';

// Each snippet must be accepted and match tree-sitter exactly.
const accepted: Record<string, string> = {
  empty: '',
  blank: '\n\n',
  'comment only': '# only\n',
  'leading blank lines': py('', '', '# lead', 'x = 1  # c', '', '# tail', ''),
  'no final newline': 'x = 1',
  imports: py('import os, json', 'import a.b.c as d', 'from a.b import c as d, e', 'from . import x', 'from ..a import (b,', '    c,', ')', 'from .a.b import *', 'from __future__ import annotations, division'),
  assignments: py('a = 1', 'a = b = c', 'a, b = 1, 2', 'x, = y', '(a, b) = c', '[a, *b] = c', 'a.b[1] = 2', 'x: int = 1', 'self.x: Optional[str] = None', 'y: List[int]', 'a += 1', 'a //= 2', 'a = yield', 'a = b, c'),
  calls: py('f()', 'f(a, b=1, *c, **d)', 'f(x for x in y)', 'f(a)(b)[c].d', 'print(x, end="")', 'g(*a.b(), c)', 'f(1,)'),
  literals: py('x = [1, 2.5, 1e3, 0x1F, 0o7, 0b1, 1_000, 1j, .5, 1.]', 'y = {"a": 1, **b}', 'z = {1, 2}', 't = (1,)', 'e = ()', 'n = None, True, False, ...', 'd = {}'),
  strings: py('a = "x" \'y\' """z"""', "b = r'\\d' b'x' u'y' rb'z' Rb'q'", 's = """', 'multi', '"""', 'c = "a\\"b"'),
  'f-strings': py('a = f"x{y}z"', 'b = f"{y!r:>{w}} {{c}}\\n\\t\\x41\\u1234\\N{DASH}"', "c = rf'{x}\\d'", 'd = f"""', '{x}', ' {y:%Y-%m-%d}"""', 'e = f"{x=}"', 'g = f"{a[\'k\']}" f"{b}"', 'h = f"{x:}"', 'i = F"{x!s}"'),
  operators: py('x = a + b * c - d / e // f % g @ h', 'x = a ** -b ** c', 'x = -a ** 2', 'x = ~a | b & c ^ d << e >> f', 'x = not a and b or c', 'x = a < b <= c == d != e > f >= g', 'x = a in b not in c is d is not e', 'x = a if b else c if d else e', 'x = (y := 3)', 'x = lambda: 1', 'x = lambda a, b=1, *c, d, **e: a', 'x = await y', 'x = a >> b >> c'),
  subscripts: py('a[1]', 'a[1:2]', 'a[::3]', 'a[1:]', 'a[:, 1]', 'a[b, c]', 'a[1:2:3, ...]'),
  comprehensions: py('[x for x in y]', '[x for x, y in z if x if y for w in v]', '{k: v for k, v in d.items()}', '{x for x in y}', '(x for x in y)', '[x async for x in y]'),
  statements: py('pass', 'del a, b', 'del a[1]', 'global a, b', 'nonlocal c', 'assert a, "m"', 'raise', 'raise E', 'raise E from e', 'return', 'return a, b', 'return a,', 'break; continue;', 'x = 1; y = 2'),
  'compound statements': py(
    'if a:', '    pass', 'elif b:', '    pass', 'else:', '    pass',
    'for x in y:', '    break', 'else:', '    pass',
    'async for a, b in c: pass',
    'while x:', '    continue', 'else:', '    pass',
    'try:', '    pass', 'except (A, B) as e:', '    raise X from e', 'except C:', '    pass', 'except:', '    pass', 'else:', '    pass', 'finally:', '    pass',
    'try:', '    pass', 'finally:', '    pass',
    'with open(x) as f, g as (a, b), h:', '    pass',
    'async with a as b: pass',
    'if x: y = 1; z = 2',
  ),
  definitions: py(
    '@decorator', '@d.e(1)', 'def f(a, b: int = 1, *args, c=2, d: str, **kw) -> Dict[str, int]:', '    """Doc."""', '    return a',
    'async def g(a, /, b, *, c): await a',
    'class A(B, metaclass=M):', '    x: int = 1', '    def m(self): pass',
    'class C: pass',
    'class D():', '    pass',
    'def h(a: List[int] | None, b: "X", c: a.B, d: Callable[[int], str], e: Tuple[int, ...]): pass',
  ),
  'nested blocks': py('def f():', '    if a:', '        if b:', '            c', '    d', 'e'),
  comments: py(
    '# head', 'import os  # trailing', '', 'def f(a,  # in params', '      b):  # after colon', '    # first in block', '    x = [', '        1,  # one',
    '        2,', '        # own line in list', '    ]', '    # end of block', '# dedented', 'if x:', '    pass', '    # in block', '# between', 'else:  # else', '    y',
    '    # trailing deeper', '        # deeper still', '# outer', '@d  # deco', '# between deco', 'def g(): pass  # same line',
    'd = {  # open', '    "a": 1,  # pair', '}', 'f(  # call', '    x,', ')  # close',
  ),
  'comments at lower indentation inside a block': py('def f():', '    a = 1', '# c', '    b = 2', '  # d', '    c = 3'),
  'comments before an indented block': py('if x:', '# c', '    # d', '    y'),
  'comments at end of file in blocks': py('def f():', '    if x:', '        y', '        # a', '    # b', '# c'),
  'line continuations': py('x = 1 + \\', '    2', 'y = "a" \\', '    "b"', 'if a and \\', '   b:', '    pass'),
  'soft keywords as names': py('match = 1', 'type = 2', 'print(type(x), match.group(1))', 'type, v = x', 'type(x)', 'x = print', 'print.x = 1', 'f(print=1, type=2, match=3)'),
  'non-ASCII text in strings and comments': py('x = "héllo 😀 wörld"  # cömment 😀', 'y = f"{a}😀{b}"'),
  'CRLF line endings': 'import os  # c\r\n\r\nif x:\r\n    # d\r\n    y = """a\r\nb"""\r\n# e\r\nz = 1 + \\\r\n  2\r\n',
  'tab indentation': py('def f():', '\tif x:', '\t\t# c', '\t\ty = 1', '\t# d', '\treturn y'),
  'form feed': py('x = 1', '\f', 'def f():', '    pass'),
  'parenthesized with items': py('with (a as b):', '    pass', 'with (a):', '    pass', 'with (a, b as c):', '    pass', 'with (', '    a as b,', '    c as d,', '):', '    pass', 'with (a) as b, c:', '    pass'),
  splats: py('x = [*a, *b.c, *d()]', 'y = {**a, "b": 1}', 'z = (*a.b, c)', 'w = *a, b', 'f(*a.b(), **c.d())'),
  lambdas: py('f = lambda *args, **kw: 0', 'g = lambda x=lambda: 1: x', 'h = lambda: a if b else c', '[x for x in y if (lambda: 1)]', 'x = a if b else lambda: c'),
  'walrus and comprehension conditions': py('[y for x in z if (y := f(x))]', '{k: (v if v else w) for k, v in d}', 'x = [i for i in r if i % 2 if i > 3]', 'y = [(a, b) for a in x for b in y]', 'z = {a for a in (b for b in c)}'),
  'more f-strings': py(
    `x = f"{x!r}" f'{y:{w}.{p}f}' f"{{}}" f"" f"{a}{b}" f"{{{a}}}"`, `y = f"{'a' if b else 'c'}"`, `z = f"{x:>10}" rf"a\\{x}" fr'\\n{y}' rf'\\d{x}\\'+'`,
    'w = f"a\\{b}"', 'v = f"{x=!r:>5}"', 'u = f"""{', '    a', '}"""', 't = f"{(lambda: 1)()}"', 's = f"{a:%Y-%m-%d %H:%M}"', 'r = f"{a:{b}{c}}"', `q = f"{'{'}"`,
  ),
  'async and generators': py('async def f():', '    async with a as b:', '        pass', '    async for x in y:', '        await z', '    return [await q async for q in r]', 'def g():', '    yield', '    yield a, b', '    yield from c', '    x = yield', '    x = (yield)'),
  targets: py('for *a, b in c: pass', 'for x, in y: pass', 'for (a, b) in c: pass', 'for [a, b] in c: pass', 'for a.b in c: pass', 'del (a), [b]', '[a, (b, c)] = x', 'a.b, c[1] = 1, 2'),
  annotations: py('def f() -> None: pass', 'def g() -> "X": pass', 'def h() -> Optional[List[int]]: pass', 'x: dict[str, list[int]] = {}', 'y: int | None = None', 'z: List[int] | None = None', 'w: Callable[..., Any]', 'v: Annotated[int, Field(gt=0)]', 'u: typing.List[int]', 'def p(a, *, b): pass', 'def q(a, /): pass'),
  'comment placement': py(
    'class A:', '    x = 1', '', '    # comment', '', '    def f(self):', '        pass', '    # end', 'if a:', '    pass', '  # half indented', 'else:', '    pass',
    'if a:', '        pass', '    # between levels', 'x = 1', 'if x:  # c1', '    pass  # c2', 'elif y:  # c3', '    pass', '# c4', 'else:  # c5', '    pass  # c6',
    'try:  # a', '    pass  # b', '# c', 'except E:  # d', '    pass', '# e', 'finally:  # f', '    pass', '@decorator  # comment', '# between', '@other', 'def f(): pass',
    'x = (  # open', '    a', '    + b  # plus', ')', 'x = a[  # c', '    1', ']', 'from a import (  # c', '    b,  # d', '    c,', ')',
  ),
  numbers: py('x = 1_000_000 + 0xFF_FF + 1e-5 + 1E+5j + 0.0 + 00 + 0_0', 'y = .5j + 5.j + 5.5e10J + 0b1010 + 0o17 + 0X1f'),
  'comments inside concatenated strings and brackets': py('x = (', '    "a"  # c', '    # own', '    "b"', ')', 'y = {', '    "k":  # after colon', '        1,', '}', 'z = f(a)(  # c', '    b)'),
  'union types': py('a: str | List[int]', 'b: str | None | Literal[False]', 'c: A[x] | B[y]', 'd: A[x] | B | C', 'e: A | B[x] | C', 'f: A[x] | B[y] | C', 'g: A[x] | B | C[y]', 'h: (A[x] | B)', 'def m(a: (Optional[List[str]]) = None) -> Callable[[Type[T]], Type[T]]: pass'),
  'relative imports': py('from . import (a)', 'from .... import a', 'from ...a import b', 'from . a import b', 'import a . b'),
};


// Invalid, Python 2 or unsupported code must fall back (return null).
const rejected: Record<string, string> = {
  'syntax error': py('x = (1'),
  'unclosed string': py('x = "abc'),
  'bad indentation': py('if x:', '    a', '  b'),
  'unexpected indent': py('  x = 1'),
  'missing block': py('if x:', 'y'),
  'python 2 print': py('print "hello"'),
  'python 2 print chevron': py('print >>f, x'),
  'python 2 except': py('try:', '    pass', 'except E, e:', '    pass'),
  'python 2 backticks': py('x = `y`'),
  'python 2 long': py('x = 10L'),
  'python 2 octal': py('x = 0777'),
  'python 2 exec': py('exec "code"'),
  'python 2 ur prefix': py('x = ur"abc"'),
  'not-equal diamond': py('x = a <> b'),
  'match statement': py('match x:', '    case 1:', '        pass'),
  'type alias': py('type X = int'),
  'keyword as name': py('class = 1'),
  'as outside with': py('x = a as b'),
  'lone star': py('*a'),
  'try without handler': py('try:', '    pass', 'x = 1'),
  'mixed tab and space indentation': py('if x:', '\ty = 1', 'if z:', '        w = 2'),
  'lone carriage return': 'x = 1\ry = 2\n',
  'continuation line left of the block (tree-sitter errs)': py('def f():', '    x = (a +', '  b)'),
  'comment left of the block after a decorator (tree-sitter errs)': py('def f():', '    @task', '# own', '    def g(): pass'),
  'python 2 print with parentheses and a tuple': py('print ("a"), b'),
  'type parameters': py('def f[T](x: T) -> T: pass'),
  'f-string with a lambda': py('x = f"{lambda: 1}"'),
  'raw f-string with only escapes before a brace (tree-sitter makes odd tokens)': py(`x = rf'\\\\{x}'`, `y = rf'{x}\\''`),
  'conditional expression before as (tree-sitter binds as to the else branch)': py('with a if b else c as d:', '    pass'),
  'lone starred attribute in a list (read as a call on *a by tree-sitter)': py('x = [*a.b()]'),
  'starred attribute in print (competes with the print statement)': py('print(a, *b.c())'),
  'deep nesting': 'x = ' + '('.repeat(20000) + '1' + ')'.repeat(20000) + '\n',
};


describe('fastParse on snippets', () => {
  for (const [name, text] of Object.entries(accepted)) {
    it(`accepts and matches tree-sitter: ${name}`, () => {
      expect(compare(text)).toBe('');
    });
  }
  for (const [name, text] of Object.entries(rejected)) {
    it(`falls back: ${name}`, () => {
      expect(fastParse(text)).toBeNull();
      expect(lastError).toBeNull();
    });
  }
});
