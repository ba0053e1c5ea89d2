import { Box, Text, useInput } from 'ink';
import { CountsText, elapsed, Hints, Screen, SEVERITY_COLOUR, tint, type StepProps } from '../parts.js';
import type { Counts } from '../types.js';

// Step 2: the scan, live (files read, DAGs found), then what was found on one screen.

function Histogram({ rows, width, color }: { rows: ({ family: string } & Counts)[]; width: number; color: boolean }) {
  const most = Math.max(1, ...rows.map((r) => r.total));
  const room = Math.max(10, Math.min(40, width - 22));
  const bar = (n: number) => Math.round((n / most) * room);
  return (
    <Box flexDirection="column">
      {rows.map((r) => (
        <Text key={r.family}>
          {r.family.padEnd(6)} {String(r.total).padStart(4)}{' '}
          <Text color={tint(color, SEVERITY_COLOUR.error)}>{'█'.repeat(bar(r.error))}</Text>
          <Text color={tint(color, SEVERITY_COLOUR.warning)}>{(color ? '█' : '▒').repeat(bar(r.warning))}</Text>
          <Text color={tint(color, SEVERITY_COLOUR.info)}>{(color ? '█' : '░').repeat(bar(r.info))}</Text>
        </Text>
      ))}
      <Text color={tint(color, 'gray')}>{color ? 'red: errors, yellow: warnings, blue: info' : '█ errors  ▒ warnings  ░ info'}</Text>
    </Box>
  );
}

export function ScanStep({ view, actions }: StepProps) {
  const { scan, color } = view;
  useInput((input, key) => {
    if (key.return) actions.next();
    else if (key.escape) actions.back();
    else if (input === 'r') actions.retry();
  });
  if (scan.status === 'error') {
    return (
      <Screen hints={<Box marginTop={1}><Hints color={color} hints={[['r', 'scan again'], ['Esc', 'choose another home'], ['Ctrl-C', 'quit']]} /></Box>}>
        <Text color={tint(color, 'red')}>✗ The scan failed: {scan.error}</Text>
      </Screen>
    );
  }
  const s = scan.summary;
  if (scan.status === 'running' || !s) {
    return (
      <Screen hints={<Box marginTop={1}><Hints color={color} hints={[['Esc', 'back'], ['Ctrl-C', 'quit']]} /></Box>}>
        <Text>Scanning ({scan.phase})… {elapsed(scan.elapsedMs)}</Text>
        <Text>
          files read: {scan.filesRead}/{scan.filesFound}   DAGs found: {scan.dags}
        </Text>
      </Screen>
    );
  }
  return (
    <Screen hints={<Box marginTop={1}><Hints color={color} hints={[['Enter', 'review the findings'], ['Esc', 'back'], ['Ctrl-C', 'quit']]} /></Box>}>
      <Text>
        <Text bold>{s.home}</Text> scanned in {elapsed(scan.elapsedMs)}
        {s.envFile ? <Text color={tint(color, 'gray')}> (with {s.envFile})</Text> : null}
      </Text>
      <Text>
        Version: <Text bold>{s.version}</Text> <Text color={tint(color, 'gray')}>from {s.why}</Text>
      </Text>
      <Text wrap="wrap">{s.counts.map(([label, n]) => `${n} ${label}`).join(' · ')}</Text>
      <Box marginTop={1} flexDirection="column">
        <Text>
          Findings for MWAA Airflow {s.target}: <CountsText c={s.findings} color={color} />
          {s.suppressed ? ` (${s.suppressed} suppressed)` : ''}
        </Text>
        {s.histogram.length ? <Histogram rows={s.histogram} width={view.width} color={color} /> : <Text color={tint(color, 'green')}>Nothing to fix.</Text>}
      </Box>
      {s.problems.length ? (
        <Box marginTop={1} flexDirection="column">
          <Text color={tint(color, 'yellow')}>Could not read everything:</Text>
          {s.problems.map((p) => (
            <Text key={p} wrap="truncate-end">  {p}</Text>
          ))}
        </Box>
      ) : null}
    </Screen>
  );
}
