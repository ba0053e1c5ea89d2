import { Box, Text } from 'ink';
import { bodyRows, Hints, LineInput, lineEdit, Screen, ScrolledLines, tint, useKeys, type StepProps } from '../parts.js';

// Step 8: the plan, the same text `mwaa-migrate plan` prints, scrolled in place; typing the
// environment name is the confirmation.

export function PlanStep({ view, actions }: StepProps) {
  const { plan: p, color } = view;
  useKeys((input, key) => {
    if (key.return) return actions.next();
    if (key.escape) return actions.back();
    if (key.upArrow) return actions.scroll(-1);
    if (key.downArrow) return actions.scroll(1);
    if (key.pageUp) return actions.scroll(-10);
    if (key.pageDown) return actions.scroll(10);
    if (key.ctrl && input === 'r') return actions.retry();
    if (p.status !== 'ready') return;
    const edit = lineEdit(input, key);
    if (edit) actions.editConfirm(edit);
  });
  if (p.status === 'making') return <Text>Making the plan (scanning again and reading s3://{p.bucket})…</Text>;
  if (p.status === 'error' && p.lines.length === 0) {
    return (
      <Screen hints={<Box marginTop={1}><Hints color={color} hints={[['Ctrl-R', 'try again'], ['Esc', 'back'], ['Ctrl-C', 'quit']]} /></Box>}>
        <Text color={tint(color, 'red')} wrap="wrap">✗ {p.error}</Text>
      </Screen>
    );
  }
  const warning = p.overrides.length ? `! Confirming goes on despite ${p.overrides.join('; ')}: those DAGs may fail on MWAA.` : '';
  // The plan's box gives up the rows a long warning wraps onto, so the confirmation stays in view.
  const rows = Math.max(4, bodyRows(view) - 6 - Math.max(1, Math.ceil(warning.length / view.width)));
  return (
    <Screen hints={<Hints color={color} hints={[['↑↓ PgUp PgDn', 'scroll'], ['Enter', 'apply'], ['Esc', 'back'], ['Ctrl-C', 'quit']]} />}>
      <ScrolledLines
        lines={p.lines}
        scroll={p.scroll}
        rows={rows}
        color={color}
        line={(l, i) => (
          <Text key={i} wrap="truncate-end" color={tint(color, l.startsWith('+') ? 'green' : l.startsWith('~') ? 'yellow' : l.startsWith('-') ? 'red' : 'gray') ?? undefined}>
            {l || ' '}
          </Text>
        )}
      />
      {warning ? <Text color={tint(color, 'yellow')} wrap="wrap">{warning}</Text> : null}
      <Text wrap="wrap">
        This writes to s3://{p.bucket} and creates environment {p.name} in account {p.account}.
      </Text>
      <Text>
        Type <Text bold>{p.name}</Text> to confirm: <LineInput value={p.confirm} focus color={color} />
      </Text>
      {p.error ? <Text color={tint(color, 'red')}>{p.error}</Text> : null}
    </Screen>
  );
}
