import type { FilterKind, FindingFilter, FindingItem, Severity } from '../ui/types.js';

// The findings list narrowed and walked: hundreds of findings are read a rule, a file or a
// severity at a time. Pure functions over the items the controller holds.

export const NO_FILTER: FindingFilter = { severity: null, family: null, rule: null, file: null };

const SEVERITY_CYCLE: (Severity | null)[] = [null, 'error', 'warning', 'info'];

/** "dags/a.py" from "dags/a.py:12": the file part of a finding's place. */
export const fileOf = (item: FindingItem): string => item.location.replace(/:\d+$/, '');

const keyOf: Record<Exclude<FilterKind, 'severity'>, (i: FindingItem) => string> = { family: (i) => i.family, rule: (i) => i.ruleId, file: fileOf };

export function applyFilter(items: FindingItem[], f: FindingFilter): FindingItem[] {
  return items.filter((i) => (!f.severity || i.severity === f.severity) && (!f.family || i.family === f.family) && (!f.rule || i.ruleId === f.rule) && (!f.file || fileOf(i) === f.file));
}

/** Severity cycles (any, error, warning, info); the others narrow to the selected finding's value, or widen again when set. */
export function toggleFilter(f: FindingFilter, kind: FilterKind | 'clear', selected: FindingItem | undefined): FindingFilter {
  if (kind === 'clear') return NO_FILTER;
  if (kind === 'severity') return { ...f, severity: SEVERITY_CYCLE[(SEVERITY_CYCLE.indexOf(f.severity) + 1) % SEVERITY_CYCLE.length]! };
  if (f[kind] !== null) return { ...f, [kind]: null };
  return selected ? { ...f, [kind]: keyOf[kind](selected) } : f;
}

/** The first finding of the next file in the list (delta 1), or of the file before the current one (-1); the cursor itself at either end. */
export function fileJump(items: FindingItem[], cursor: number, delta: number): number {
  const file = (i: number) => fileOf(items[i]!);
  const startOf = (i: number) => {
    while (i > 0 && file(i - 1) === file(i)) i--;
    return i;
  };
  if (delta > 0) {
    let i = cursor;
    while (i < items.length && file(i) === file(cursor)) i++;
    return i < items.length ? i : cursor;
  }
  const here = startOf(cursor);
  return here > 0 ? startOf(here - 1) : cursor;
}
