import { Box, Text, useInput } from 'ink';
import { Hints, Screen, tint, type StepProps } from '../parts.js';

// Step 4: which MWAA Airflow version to move to, each with the findings it would give.

export function TargetStep({ view, actions }: StepProps) {
  const { target: t, color, width } = view;
  useInput((input, key) => {
    if (key.return) actions.next();
    else if (key.escape) actions.back();
    else if (key.upArrow || input === 'k') actions.move(-1);
    else if (key.downArrow || input === 'j') actions.move(1);
  });
  const statusWidth = Math.max(10, width - 40);
  return (
    <Screen hints={<Hints color={color} hints={[['↑↓', 'choose'], ['Enter', 'use this version'], ['Esc', 'back']]} />}>
      <Text>Which Airflow version should the MWAA environment run?</Text>
      <Box flexDirection="column" marginY={1}>
        <Text color={tint(color, 'gray')}>
          {'  version  python  errors  warnings  info  '}status
        </Text>
        {t.rows.map((r, i) => (
          <Text key={r.version} inverse={color && i === t.cursor} wrap="truncate-end">
            {i === t.cursor ? '›' : ' '} {r.version.padEnd(7)}  {r.python.padEnd(6)}  <Text color={tint(color, r.findings.error ? 'red' : 'green')}>{String(r.findings.error).padStart(6)}</Text>  {String(r.findings.warning).padStart(8)}  {String(r.findings.info).padStart(4)}  <Text color={tint(color, r.supported ? 'green' : 'yellow')}>{(r.supported ? 'offered' : 'not in the API yet').slice(0, statusWidth)}</Text>
            {r.isDefault ? ' (default)' : ''}
            {r.version === t.chosen ? ' ✓' : ''}
          </Text>
        ))}
      </Box>
      {t.rows[t.cursor] ? <Text color={tint(color, 'gray')} wrap="wrap">{t.rows[t.cursor]!.version}: {t.rows[t.cursor]!.status}</Text> : null}
    </Screen>
  );
}
