import { describe, it, expect } from 'vitest';
import { parseDotenv } from '../../src/home/dotenv.js';

const FILE = '.env';

function values(text: string): Record<string, string> {
  return Object.fromEntries(parseDotenv(text, FILE).entries.map((e) => [e.name, e.value]));
}

describe('parseDotenv', () => {
  it('reads NAME=VALUE lines with their line numbers, skipping blanks and comments', () => {
    const text = '# Airflow\n\nAIRFLOW__CORE__EXECUTOR=LocalExecutor\n  # indented comment\nAIRFLOW_UID=50000\n';
    expect(parseDotenv(text, FILE)).toEqual({
      entries: [
        { name: 'AIRFLOW__CORE__EXECUTOR', value: 'LocalExecutor', line: 3 },
        { name: 'AIRFLOW_UID', value: '50000', line: 5 },
      ],
      problems: [],
    });
  });

  it('accepts an export prefix, and "export" as a name', () => {
    expect(values('export A=1\nexport\tB=2\nexport=3')).toEqual({ A: '1', B: '2', export: '3' });
  });

  it('trims unquoted values and the spaces around =', () => {
    expect(values('A =  two words  \n  B=x')).toEqual({ A: 'two words', B: 'x' });
  });

  it('strips an inline comment only after whitespace in unquoted values', () => {
    expect(values('A=value # note\nB=p#ss\nC=a\t#b #c')).toEqual({ A: 'value', B: 'p#ss', C: 'a' });
  });

  it('keeps a lone "#..." value as python-dotenv does', () => {
    expect(values('A= #z')).toEqual({ A: '#z' });
  });

  it('allows empty values', () => {
    expect(values("A=\nB=''\nC=\"\"\nD=  ")).toEqual({ A: '', B: '', C: '', D: '' });
  });

  it('takes single-quoted values literally', () => {
    expect(values("A='a\\nb #c \"d\" $E'  # comment\nB='x=y'")).toEqual({ A: 'a\\nb #c "d" $E', B: 'x=y' });
  });

  it('decodes escapes in double-quoted values and keeps unknown ones', () => {
    expect(values('A="a\\nb \\"q\\" \\\\ \\t \\d #x" # c')).toEqual({ A: 'a\nb "q" \\ \t \\d #x' });
  });

  it('reads a double-quoted value over several lines and continues after it', () => {
    const text = 'A="line one\n  line two\n"\nB=after\n';
    expect(parseDotenv(text, FILE)).toEqual({
      entries: [
        { name: 'A', value: 'line one\n  line two\n', line: 1 },
        { name: 'B', value: 'after', line: 4 },
      ],
      problems: [],
    });
  });

  it('handles CRLF line endings and a leading BOM', () => {
    const text = '\uFEFFA=1\r\nB="x\r\ny"\r\nC=3\r\n';
    expect(parseDotenv(text, FILE)).toEqual({
      entries: [
        { name: 'A', value: '1', line: 1 },
        { name: 'B', value: 'x\ny', line: 2 },
        { name: 'C', value: '3', line: 4 },
      ],
      problems: [],
    });
  });

  it('lets a later assignment win, listed where it was last set', () => {
    expect(parseDotenv('A=1\nB=2\nA=3', FILE).entries).toEqual([
      { name: 'B', value: '2', line: 2 },
      { name: 'A', value: '3', line: 3 },
    ]);
  });

  it('reports malformed lines with their line numbers and keeps going', () => {
    const text = ['OK=1', 'just-a-secret-token', 'bad name=x', '=nokey', "Q'=1", 'export', 'LAST=2'].join('\n');
    const { entries, problems } = parseDotenv(text, FILE);
    expect(entries).toEqual([
      { name: 'OK', value: '1', line: 1 },
      { name: 'LAST', value: '2', line: 7 },
    ]);
    expect(problems.map((p) => [p.code, p.file, p.line])).toEqual([
      ['env-malformed', FILE, 2],
      ['env-malformed', FILE, 3],
      ['env-malformed', FILE, 4],
      ['env-malformed', FILE, 5],
      ['env-malformed', FILE, 6],
    ]);
  });

  it('reports bad quoting and resumes on the next line', () => {
    // An open double quote runs on to the next '"', however far, so this one comes last.
    const text = ["A='unterminated", 'C=1', 'D="x" junk', 'E=2', 'B="unterminated', 'F=3'].join('\n');
    const { entries, problems } = parseDotenv(text, FILE);
    expect(entries).toEqual([
      { name: 'C', value: '1', line: 2 },
      { name: 'E', value: '2', line: 4 },
      { name: 'F', value: '3', line: 6 },
    ]);
    expect(problems.map((p) => [p.line, p.message])).toEqual([
      [1, 'A on line 1 has an unterminated single-quoted value'],
      [3, 'D on line 3 has text after its closing quote'],
      [5, 'B on line 5 has an unterminated double-quoted value'],
    ]);
  });

  it('never puts a value into a problem message', () => {
    const secrets = ['hunter2', 's3cr3t-token', 'pa ss'];
    const text = `hunter2\nPASSWORD='s3cr3t-token\nX="pa ss" tail\nthe pa ss=1`;
    const { problems } = parseDotenv(text, FILE);
    expect(problems).toHaveLength(4);
    for (const p of problems) for (const s of secrets) expect(p.message).not.toContain(s);
  });

  it('returns nothing for an empty file', () => {
    expect(parseDotenv('', FILE)).toEqual({ entries: [], problems: [] });
  });
});
