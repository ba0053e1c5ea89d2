import { Box, Text } from 'ink';
import { Hints, LineInput, lineEdit, Screen, tint, useKeys, type StepProps } from '../parts.js';

// Step 1: where is the Airflow home? Detected candidates, a typed path with Tab completion, and
// what is there, checked as the person types.

export function HomeStep({ view, actions }: StepProps) {
  const { home, color } = view;
  useKeys((input, key) => {
    if (key.return) return actions.next();
    if (key.tab) return actions.completeHome();
    if (key.upArrow) return actions.cycleHome(-1);
    if (key.downArrow) return actions.cycleHome(1);
    const edit = lineEdit(input, key);
    if (edit) actions.editHome(edit);
  });
  const probe = home.probe;
  const ok = probe?.status === 'airflow' || probe?.status === 'folder';
  return (
    <Screen hints={<Box marginTop={1}><Hints color={color} hints={[['Enter', 'scan this home'], ['Tab', 'complete'], ['↑↓', 'found homes'], ['Ctrl-C', 'quit']]} /></Box>}>
      <Text>Where is the Airflow installation to move? (the folder with airflow.cfg and dags/)</Text>
      <Box flexDirection="column" marginY={1}>
        {home.candidates.length === 0 ? (
          <Text color={tint(color, 'gray')}>No Airflow home found in $AIRFLOW_HOME, ~/airflow or here: type its path.</Text>
        ) : (
          <>
            <Text>Found:</Text>
            {home.candidates.map((c) => (
              <Text key={c.path}>
                {c.path === home.input ? '› ' : '  '}
                {c.path} <Text color={tint(color, 'gray')}>({c.why}: {c.probe.detail})</Text>
              </Text>
            ))}
          </>
        )}
      </Box>
      <Text>
        Airflow home: <LineInput value={home.input} focus color={color} placeholder="path to the Airflow home" />
      </Text>
      {probe ? (
        <Text color={tint(color, ok ? (probe.status === 'airflow' ? 'green' : 'yellow') : 'red')}>
          {ok ? (probe.status === 'airflow' ? '✓ ' : '! ') : '✗ '}
          {probe.detail}
        </Text>
      ) : null}
      {home.completions.length > 0 ? (
        <Box flexDirection="column" marginTop={1}>
          <Text color={tint(color, 'gray')}>Tab completes to one of:</Text>
          {home.completions.slice(0, 8).map((c) => (
            <Text key={c}>  {c}</Text>
          ))}
          {home.completions.length > 8 ? <Text color={tint(color, 'gray')}>  … and {home.completions.length - 8} more</Text> : null}
        </Box>
      ) : null}
    </Screen>
  );
}
