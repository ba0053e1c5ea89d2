import { Box, Text, useInput } from 'ink';
import { elapsed, Hints, Screen, tint, type StepProps } from '../parts.js';

// Step 9: apply, live: the uploads, then MWAA's status while the environment is created.
// Leaving is always possible and always said to be safe, with how to come back.

export function ApplyStep({ view, actions }: StepProps) {
  const { apply: a, color, width } = view;
  useInput((input, key) => {
    if (input === 'q') actions.quit();
    else if (input === 'r') actions.retry();
  });
  const room = Math.max(10, Math.min(40, width - 30));
  const filled = a.objects.total ? Math.round((a.objects.done / a.objects.total) * room) : 0;
  return (
    <Screen hints={<Hints color={color} hints={a.status === 'error' ? [['r', 'try again (resumes)'], ['q', 'leave']] : [['q', 'leave (safe)']]} />}>
      <Text>
        Objects:{' '}
        <Text color={tint(color, 'green')}>{'█'.repeat(filled)}</Text>
        <Text color={tint(color, 'gray')}>{'░'.repeat(room - filled)}</Text> {a.objects.done}/{a.objects.total}
      </Text>
      <Text>
        Environment {a.environment}: <Text bold color={tint(color, a.envStatus === 'AVAILABLE' ? 'green' : a.status === 'failed' ? 'red' : 'cyan')}>{a.envStatus ?? 'not created yet'}</Text> · {elapsed(a.elapsedMs)}
      </Text>
      {a.status === 'waiting' ? <Text color={tint(color, 'gray')}>MWAA usually takes 20 to 30 minutes to create an environment.</Text> : null}
      <Box flexDirection="column" marginY={1}>
        {a.lines.map((l, i) => (
          <Text key={i} color={tint(color, 'gray')} wrap="truncate-end">
            {l}
          </Text>
        ))}
      </Box>
      {a.error ? (
        <Text color={tint(color, 'red')} wrap="wrap">
          ✗ {a.error}
        </Text>
      ) : null}
      <Text wrap="wrap">{a.resumeHint}</Text>
    </Screen>
  );
}
