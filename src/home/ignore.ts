import ignore, { type Ignore } from 'ignore';

// .airflowignore, as Airflow's file walker applies it (airflow/utils/file.py, 2.x and 3.x).
// regexp: every line of every .airflowignore seen so far is searched (not anchored) in the path
//   relative to the top DAG folder.
// glob: gitignore rules per file, relative to that file's folder, the last matching rule wins.

export type IgnoreSyntax = 'regexp' | 'glob';

export interface IgnoreRuleSet {
  syntax: IgnoreSyntax;
  regexps: RegExp[];
  globs: { base: string; ig: Ignore }[];
}

export interface PatternProblem {
  line: number;
  message: string;
}

export const emptyRules = (syntax: IgnoreSyntax): IgnoreRuleSet => ({ syntax, regexps: [], globs: [] });

/** Lines as Airflow reads them: `#` and what follows are removed from every line. */
function patternLines(text: string): { line: number; pattern: string }[] {
  return text
    .split(/\r\n|\r|\n/)
    .map((raw, i) => ({ line: i + 1, pattern: raw.replace(/\s*#.*/, '').trim() }))
    .filter((l) => l.pattern !== '');
}

/** Python `re` syntax that JavaScript spells differently. */
function pythonRegexp(pattern: string): RegExp {
  let flags = '';
  let p = pattern;
  const inline = /^\(\?([aiLmsux]+)\)/.exec(p);
  if (inline) {
    if (inline[1]!.includes('i')) flags += 'i';
    if (inline[1]!.includes('s')) flags += 's';
    if (inline[1]!.includes('m')) flags += 'm';
    p = p.slice(inline[0].length);
  }
  p = p.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>').replace(/\\A/g, '^').replace(/\\Z/g, '$');
  return new RegExp(p, flags);
}

/** Adds the rules of one .airflowignore found in `dir` (relative to the DAG folder, '' for its top). */
export function addIgnoreFile(rules: IgnoreRuleSet, dir: string, text: string): { rules: IgnoreRuleSet; problems: PatternProblem[] } {
  const problems: PatternProblem[] = [];
  const lines = patternLines(text);
  if (rules.syntax === 'regexp') {
    const regexps = [...rules.regexps];
    for (const { line, pattern } of lines) {
      try {
        regexps.push(pythonRegexp(pattern));
      } catch (e) {
        problems.push({ line, message: `invalid regular expression '${pattern}' is skipped, as Airflow does: ${(e as Error).message}` });
      }
    }
    return { rules: { ...rules, regexps }, problems };
  }
  const ig = ignore({ allowRelativePaths: true });
  for (const { line, pattern } of lines) {
    if (pattern === '/') {
      problems.push({ line, message: "pattern '/' is ignored by Airflow" });
      continue;
    }
    ig.add(pattern);
  }
  return { rules: { ...rules, globs: [...rules.globs, { base: dir, ig }] }, problems };
}

/** Whether a path (relative to the DAG folder, '/'-separated) is ignored. */
export function isIgnored(rules: IgnoreRuleSet, relPath: string, isDir: boolean): boolean {
  if (rules.syntax === 'regexp') return rules.regexps.some((re) => re.test(relPath));
  let matched = false;
  for (const { base, ig } of rules.globs) {
    if (base !== '' && !relPath.startsWith(base + '/')) continue;
    const rel = (base === '' ? relPath : relPath.slice(base.length + 1)) + (isDir ? '/' : '');
    const r = ig.test(rel);
    if (r.ignored) matched = true;
    else if (r.unignored) matched = false;
  }
  return matched;
}
