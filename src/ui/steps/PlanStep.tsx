import { Box, Text, useInput } from 'ink';
import { bodyRows, editLine, Hints, LineInput, tint, type StepProps } from '../parts.js';

// Step 8: the plan, the same text `mwaa-migrate plan` prints, scrolled in place; typing the
// environment name is the confirmation.

export function PlanStep({ view, actions }: StepProps) {
  const { plan: p, color } = view;
  useInput((input, key) => {
    if (key.return) return actions.next();
    if (key.escape) return actions.back();
    if (key.upArrow) return actions.scroll(-1);
    if (key.downArrow) return actions.scroll(1);
    if (key.pageUp) return actions.scroll(-10);
    if (key.pageDown) return actions.scroll(10);
    if (key.ctrl && input === 'r') return actions.retry();
    if (p.status !== 'ready') return;
    const edited = editLine(p.confirm, input, key);
    if (edited !== null) actions.setConfirm(edited);
  });
  if (p.status === 'making') return <Text>Making the plan (scanning again and reading s3://{p.bucket})…</Text>;
  if (p.status === 'error' && p.lines.length === 0) {
    return (
      <Box flexDirection="column">
        <Text color={tint(color, 'red')} wrap="wrap">✗ {p.error}</Text>
        <Box marginTop={1}>
          <Hints color={color} hints={[['Ctrl-R', 'try again'], ['Esc', 'back'], ['Ctrl-C', 'quit']]} />
        </Box>
      </Box>
    );
  }
  const rows = Math.max(4, bodyRows(view) - 7);
  const top = Math.min(p.scroll, Math.max(0, p.lines.length - rows));
  const shown = p.lines.slice(top, top + rows);
  return (
    <Box flexDirection="column">
      <Box flexDirection="column" borderStyle="single" borderColor={tint(color, 'gray')} paddingX={1}>
        {shown.map((l, i) => (
          <Text key={top + i} wrap="truncate-end" color={tint(color, l.startsWith('+') ? 'green' : l.startsWith('~') ? 'yellow' : l.startsWith('-') ? 'red' : 'gray') ?? undefined}>
            {l || ' '}
          </Text>
        ))}
        <Text color={tint(color, 'gray')}>
          lines {top + 1}-{top + shown.length} of {p.lines.length}
          {top + shown.length < p.lines.length ? ' (↓ for more)' : ''}
        </Text>
      </Box>
      {p.blocking ? <Text color={tint(color, 'yellow')} wrap="wrap">! {p.blocking} error finding(s) remain: those DAGs may fail on MWAA.</Text> : null}
      <Text wrap="wrap">
        This writes to s3://{p.bucket} and creates environment {p.name} in account {p.account}.
      </Text>
      <Text>
        Type <Text bold>{p.name}</Text> to confirm: <LineInput value={p.confirm} focus color={color} />
      </Text>
      {p.error ? <Text color={tint(color, 'red')}>{p.error}</Text> : null}
      <Hints color={color} hints={[['↑↓ PgUp PgDn', 'scroll'], ['Enter', 'apply'], ['Esc', 'back'], ['Ctrl-C', 'quit']]} />
    </Box>
  );
}
