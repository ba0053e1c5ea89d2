import { Box, Text, useInput } from 'ink';
import { Hints, Screen, tint, type StepProps } from '../parts.js';

// Step 10: where the environment is, what was saved, and the one command that does it all again.

export function DoneStep({ view, actions }: StepProps) {
  const { done: d, color } = view;
  useInput((input, key) => {
    if (key.return || input === 'q') actions.next();
  });
  return (
    <Screen hints={<Hints color={color} hints={[['Enter', 'finish']]} />}>
      {d.error ? (
        <Text color={tint(color, 'red')} wrap="wrap">
          ✗ Environment {d.name}: {d.status}. {d.error}
        </Text>
      ) : (
        <Text color={tint(color, 'green')}>
          ✓ Environment {d.name}: {d.status}
        </Text>
      )}
      <Box flexDirection="column" marginY={1}>
        <Text>Airflow UI: {d.url}</Text>
        <Text>Report:     {d.reportPath}</Text>
        <Text>Plan:       {d.planPath}</Text>
      </Box>
      <Text>Next time, in one command:</Text>
      <Box paddingLeft={2}>
        <Text wrap="wrap" color={tint(color, 'cyan')}>
          {d.command}
        </Text>
      </Box>
      <Box flexDirection="column" marginY={1}>
        <Text>Next steps:</Text>
        {d.nextSteps.map((s) => (
          <Box key={s} paddingLeft={2}>
            <Text wrap="wrap">- {s}</Text>
          </Box>
        ))}
      </Box>
    </Screen>
  );
}
