import { Box, Text, useInput } from 'ink';
import { Hints, Screen, tint, type StepProps } from '../parts.js';

// Step 7: connections and variables: where they are defined, how many, which clash. Names only:
// a value never reaches the screen.

export function ConnectionsStep({ view, actions }: StepProps) {
  const { connections: c, color } = view;
  useInput((_input, key) => {
    if (key.return) actions.next();
    else if (key.escape) actions.back();
  });
  const none = c.connections.length === 0 && c.variables.length === 0;
  return (
    <Screen hints={<Box marginTop={1}><Hints color={color} hints={[['Enter', 'make the plan'], ['Esc', 'back']]} /></Box>}>
      <Text>Connections and variables MWAA must get from a secrets backend (values are never shown):</Text>
      <Box flexDirection="column" marginY={1}>
        {none ? <Text color={tint(color, 'gray')}>None found in airflow.cfg, the env file or the environment.</Text> : null}
        {c.sources.map((s) => (
          <Text key={s.label}>
            {s.label}: {s.connections} connection{s.connections === 1 ? '' : 's'}, {s.variables} variable{s.variables === 1 ? '' : 's'}
          </Text>
        ))}
      </Box>
      {c.connections.length ? (
        <Text wrap="wrap">
          <Text bold>Connections: </Text>
          {c.connections.map((x) => `${x.id} (${x.type}${x.secret ? ', secret' : ''})`).join(', ')}
        </Text>
      ) : null}
      {c.variables.length ? (
        <Text wrap="wrap">
          <Text bold>Variables: </Text>
          {c.variables.map((x) => `${x.key}${x.secret ? ' (secret)' : ''}`).join(', ')}
        </Text>
      ) : null}
      <Box flexDirection="column" marginTop={1}>
        <Text bold>Conflicts</Text>
        {c.conflicts.length ? c.conflicts.map((x) => <Text key={x} color={tint(color, 'yellow')}>  ! {x}</Text>) : <Text color={tint(color, 'gray')}>  none found</Text>}
      </Box>
      <Box flexDirection="column" marginTop={1}>
        <Text bold>Secrets Manager</Text>
        {c.secrets.status === 'absent' ? (
          <Box paddingLeft={2}>
            <Text color={tint(color, 'gray')}>not copied by this run: recreate them in the secrets backend after the move</Text>
          </Box>
        ) : null}
        {c.secrets.status === 'loading' ? <Text color={tint(color, 'cyan')}>  reading…</Text> : null}
        {c.secrets.lines.map((l) => (
          <Box key={l} paddingLeft={2}>
            <Text color={tint(color, c.secrets.status === 'error' ? 'red' : 'gray')} wrap="wrap">
              {l}
            </Text>
          </Box>
        ))}
      </Box>
    </Screen>
  );
}
