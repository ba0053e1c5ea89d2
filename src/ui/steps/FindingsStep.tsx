import { Box, Text, useInput } from 'ink';
import { bodyRows, fit, Hints, Screen, SEVERITY_COLOUR, SEVERITY_MARK, tint, windowAround, type StepProps } from '../parts.js';
import type { FindingFilter, FindingItem, FindingsView } from '../types.js';
import { FixPane } from './FixPane.js';

// Step 3: the findings grouped by severity and family, one selected at a time with its code,
// why it matters, how to fix it and the docs. Accepting or ignoring writes the project file.
// Hundreds of findings are narrowed with one key each (severity, or the selected one's rule,
// file or family) and walked file by file. x shows the safe fixes' diff (FixPane): taking it
// goes on with the fixed copy, whose findings the list then shows.

type Row = { kind: 'group'; label: string } | { kind: 'item'; index: number; item: FindingItem };

const SEVERITY_NAME = { error: 'Errors', warning: 'Warnings', info: 'Info' } as const;

function rowsOf(items: FindingItem[]): Row[] {
  const rows: Row[] = [];
  items.forEach((item, index) => {
    const prev = items[index - 1];
    if (!prev || prev.severity !== item.severity || prev.family !== item.family) rows.push({ kind: 'group', label: `${SEVERITY_NAME[item.severity]} · ${item.family}` });
    rows.push({ kind: 'item', index, item });
  });
  return rows;
}

function Detail({ item, width, color, maxWhy }: { item: FindingItem; width: number; color: boolean; maxWhy: number }) {
  const gutter = Math.max(...(item.excerpt ?? []).map((l) => String(l.line).length), 1);
  const why = item.why && item.why.length > maxWhy ? `${item.why.slice(0, maxWhy - 1)}…` : item.why;
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={tint(color, 'gray')} paddingX={1} width={width}>
      <Text wrap="truncate-end">
        <Text bold color={tint(color, SEVERITY_COLOUR[item.severity])}>{item.ruleId}</Text> {item.title}
      </Text>
      <Text color={tint(color, 'gray')} wrap="truncate-end">{item.location}</Text>
      {item.excerpt?.map((l) => (
        <Text key={l.line} wrap="truncate-end" color={tint(color, l.hit ? 'cyan' : 'gray')}>
          {l.hit ? '›' : ' '} {String(l.line).padStart(gutter)} │ {l.text}
        </Text>
      ))}
      <Text wrap="wrap">{item.message}</Text>
      {why ? (
        <Text wrap="wrap">
          <Text bold>Why: </Text>
          {why}
        </Text>
      ) : null}
      <Text wrap="wrap">
        <Text bold>Fix: </Text>
        {item.fix}
      </Text>
      <Text wrap="truncate-end" color={tint(color, 'blue')}>{item.docs}</Text>
    </Box>
  );
}

const hints = (f: FindingsView): [string, string][] => [
  ['↑↓', 'move'],
  ['n N', 'next/previous file'],
  ['s', 'severity'],
  ['u f g', 'only this rule/file/family'],
  ['c', 'clear the filter'],
  ['a', 'accept this one'],
  ['i', 'ignore the rule'],
  ['r', 're-check after editing'],
  ['x', f.fixed ? 'the fixes, or back to the original files' : 'apply the safe fixes'],
  ['Enter', 'continue'],
  ['Esc', 'back'],
];

/** "errors · rule IMP001 · file dags/a.py", or '' without a filter. */
function filterText({ severity, family, rule, file }: FindingFilter): string {
  return [severity && SEVERITY_NAME[severity].toLowerCase(), family && `family ${family}`, rule && `rule ${rule}`, file && `file ${file}`].filter(Boolean).join(' · ');
}

export function FindingsStep({ view, actions }: StepProps) {
  const { findings: f, color, width } = view;
  useInput((input, key) => {
    if (f.fixPane) {
      if (key.return) actions.next();
      else if (key.escape) actions.back();
      else if (key.upArrow || input === 'k') actions.scroll(-1);
      else if (key.downArrow || input === 'j') actions.scroll(1);
      else if (key.pageUp) actions.scroll(-10);
      else if (key.pageDown) actions.scroll(10);
      return;
    }
    if (key.return) actions.next();
    else if (key.escape) actions.back();
    else if (key.upArrow || input === 'k') actions.move(-1);
    else if (key.downArrow || input === 'j') actions.move(1);
    else if (key.pageUp) actions.move(-10);
    else if (key.pageDown) actions.move(10);
    else if (input === 'n' || input === 'N') actions.jumpFile(input === 'n' ? 1 : -1);
    else if (input === 's') actions.filterFindings('severity');
    else if (input === 'u') actions.filterFindings('rule');
    else if (input === 'f') actions.filterFindings('file');
    else if (input === 'g') actions.filterFindings('family');
    else if (input === 'c') actions.filterFindings('clear');
    else if (input === 'a') actions.acceptFinding();
    else if (input === 'i') actions.ignoreRule();
    else if (input === 'r') actions.recheck();
    else if (input === 'x') actions.fixes();
  });
  if (f.fixPane) return <FixPane view={view} pane={f.fixPane} />;
  const status = f.rechecking ? <Text color={tint(color, 'cyan')}>Re-checking…</Text> : f.notice ? <Text color={tint(color, 'green')}>{f.notice}</Text> : null;
  const filter = filterText(f.filter);
  const fixed = f.fixed ? `on the fixed copy (${f.fixed.fixes} safe fix${f.fixed.fixes === 1 ? '' : 'es'}; places are in the fixed files)` : '';
  const footer = (
    <>
      {status}
      <Hints color={color} hints={hints(f)} />
    </>
  );
  if (f.items.length === 0) {
    return (
      <Screen hints={<Box marginTop={1} flexDirection="column">{footer}</Box>}>
        {filter ? (
          <Text>No findings match the filter ({filter}) of the {f.total}: c clears it.</Text>
        ) : (
          <Text color={tint(color, 'green')}>No findings to review{f.suppressed ? ` (${f.suppressed} accepted or ignored in ${f.projectFile})` : ''}.</Text>
        )}
        {fixed ? <Text color={tint(color, 'cyan')}>{fixed}</Text> : null}
      </Screen>
    );
  }
  const rows = rowsOf(f.items);
  const at = rows.findIndex((r) => r.kind === 'item' && r.index === f.cursor);
  const listRows = Math.max(4, Math.floor(bodyRows(view) / 3));
  const { start, end } = windowAround(at, rows.length, listRows);
  const item = f.items[f.cursor]!;
  // One column for the places of the rows shown, at most under half the width.
  const placeWidth = Math.min(Math.floor(width * 0.45), Math.max(...rows.slice(start, end).map((r) => (r.kind === 'item' ? r.item.location.length : 0))));
  return (
    <Screen hints={footer}>
      <Text wrap="truncate-end">
        Finding {f.cursor + 1} of {f.items.length}
        {filter ? <Text color={tint(color, 'cyan')}> ({filter}; {f.total} in all)</Text> : null}
        {fixed ? <Text color={tint(color, 'cyan')}> · {fixed}</Text> : null}
        {f.suppressed ? <Text color={tint(color, 'gray')}> · {f.suppressed} accepted or ignored in {f.projectFile}</Text> : null}
      </Text>
      {rows.slice(start, end).map((r, i) =>
        r.kind === 'group' ? (
          <Text key={`g${start + i}`} bold color={tint(color, 'gray')}>
            {r.label}
          </Text>
        ) : (
          <Text key={`i${r.index}`} inverse={color && r.index === f.cursor} wrap="truncate-end">
            {r.index === f.cursor ? '›' : ' '} <Text color={tint(color, SEVERITY_COLOUR[r.item.severity])}>{SEVERITY_MARK[r.item.severity]}</Text>{' '}
            {r.item.ruleId.padEnd(7)} {fit(r.item.location, placeWidth).padEnd(placeWidth)} {r.item.title}
          </Text>
        ),
      )}
      <Detail item={item} width={Math.min(width, 100)} color={color} maxWhy={width * 3} />
    </Screen>
  );
}
