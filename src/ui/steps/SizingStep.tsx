import { Box, Text, useInput } from 'ink';
import { Hints, Screen, tint, type StepProps } from '../parts.js';

// Step 5: the recommended environment size with its reasons, and the alternatives' monthly cost
// side by side; the highlighted row is the choice.

export function SizingStep({ view, actions }: StepProps) {
  const { sizing: s, color } = view;
  useInput((input, key) => {
    if (key.return) actions.next();
    else if (key.escape) actions.back();
    else if (key.upArrow || input === 'k') actions.move(-1);
    else if (key.downArrow || input === 'j') actions.move(1);
  });
  const head = ['class', '', 'workers', 'floor', 'expected', 'ceiling'];
  const cells = s.rows.map((r) => [r.environmentClass, r.role, r.workers, r.floor, r.expected, r.ceiling]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => (i >= 3 ? x.padStart(widths[i]!) : x.padEnd(widths[i]!))).join('  ');
  return (
    <Screen hints={<Box marginTop={1}><Hints color={color} hints={[['↑↓', 'choose a size'], ['Enter', 'use it'], ['Esc', 'back']]} /></Box>}>
      <Text wrap="wrap">
        <Text bold>Recommended: </Text>
        {s.headline}.
      </Text>
      {s.reasons.slice(0, 4).map((r) => (
        <Text key={r} wrap="wrap">
          {'• '}
          {r}
        </Text>
      ))}
      <Text wrap="wrap" color={tint(color, 'gray')}>
        {s.from}
      </Text>
      <Box flexDirection="column" marginTop={1}>
        <Text bold>{s.title}</Text>
        <Text color={tint(color, 'gray')}>{`  ${line(head)}`}</Text>
        {cells.map((c, i) => (
          <Text key={c[0]} inverse={color && i === s.cursor}>
            {i === s.cursor ? '› ' : '  '}
            {line(c)}
            {c[0] === s.chosen ? ' ✓' : ''}
          </Text>
        ))}
        {s.notes.slice(0, 2).map((n) => (
          <Text key={n} wrap="wrap" color={tint(color, 'gray')}>
            {n}
          </Text>
        ))}
      </Box>
    </Screen>
  );
}
