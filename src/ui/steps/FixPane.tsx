import { Text } from 'ink';
import { bodyRows, Hints, Screen, ScrolledLines, tint, type Colour } from '../parts.js';
import type { FixPaneView, GuideView } from '../types.js';

// The findings step's "apply the safe fixes": the diff `mwaa-migrate fix` prints, scrolled in
// place like the plan, over the list until Enter takes it or Esc leaves things as they were.

/** How line i of a unified diff is drawn: file headers bold, added lines green, removed red, hunk heads cyan. */
export function diffStyle(lines: string[], i: number): { color?: Colour; bold?: boolean } {
  const line = lines[i]!;
  // A header is a ---/+++ pair; a removed line can start with "--" too.
  const header = (line.startsWith('--- ') && lines[i + 1]?.startsWith('+++ ')) || (line.startsWith('+++ ') && lines[i - 1]?.startsWith('--- ') && lines[i + 1]?.startsWith('@@'));
  if (header) return { bold: true };
  if (line.startsWith('@@')) return { color: 'cyan' };
  if (line.startsWith('+')) return { color: 'green' };
  if (line.startsWith('-')) return { color: 'red' };
  return line.startsWith('\\') ? { color: 'gray' } : {};
}

const HINTS: Record<FixPaneView['kind'], [string, string][]> = {
  take: [['↑↓ PgUp PgDn', 'scroll'], ['Enter', 'go on with the fixed copy'], ['Esc', 'back to the list, nothing changed']],
  undo: [['↑↓ PgUp PgDn', 'scroll'], ['Enter', 'go back to the original files'], ['Esc', 'keep the fixed copy']],
};

export function FixPane({ view, pane }: { view: GuideView; pane: FixPaneView }) {
  const { color, width } = view;
  const title = pane.kind === 'take' ? 'Apply the safe fixes: ' : 'On the fixed copy. ';
  // The diff's box gives up the rows the summary wraps onto, so the summary and the hints stay in view.
  const rows = Math.max(4, bodyRows(view) - 5 - Math.ceil((title.length + pane.summary.length) / width));
  return (
    <Screen hints={<Hints color={color} hints={HINTS[pane.kind]} />}>
      <Text wrap="wrap">
        <Text bold>{title}</Text>
        {pane.summary}
      </Text>
      <ScrolledLines
        lines={pane.lines}
        scroll={pane.scroll}
        rows={rows}
        color={color}
        line={(l, i) => {
          const style = diffStyle(pane.lines, i);
          return (
            <Text key={i} wrap="truncate-end" bold={color && style.bold} color={style.color && tint(color, style.color)}>
              {l || ' '}
            </Text>
          );
        }}
      />
    </Screen>
  );
}
