import { Box, Text } from 'ink';
import { bodyRows, fit, Hints, LineInput, lineEdit, Screen, tint, useKeys, windowAround, type StepProps } from '../parts.js';
import type { AwsField, CheckLine } from '../types.js';

// Step 6: the AWS account and where the environment goes. Lists come from the account when the
// credentials work; otherwise the same fields are typed. Preflight results show as they arrive.

const MARK: Record<CheckLine['status'], string> = { ok: '✓', warn: '!', fail: '✗', skip: '-' };
const CHECK_COLOUR = { ok: 'green', warn: 'yellow', fail: 'red', skip: 'gray' } as const;

function shown(f: AwsField): string {
  if (f.kind === 'text') return f.value;
  if (f.kind === 'choice') return f.options.find((o) => o.value === f.value)?.label ?? f.value;
  const chosen = f.value.split(',').filter(Boolean);
  return chosen.length ? chosen.join(', ') : '(none chosen)';
}

function Options({ field, rows, color, width }: { field: AwsField; rows: number; color: boolean; width: number }) {
  const chosen = new Set(field.value.split(','));
  const { start, end } = windowAround(field.highlight, field.options.length, rows);
  if (field.options.length === 0) return <Text color={tint(color, 'gray')}>  (nothing to choose from here)</Text>;
  return (
    <Box flexDirection="column" marginLeft={2}>
      {start > 0 ? <Text color={tint(color, 'gray')}>  ↑ {start} more</Text> : null}
      {field.options.slice(start, end).map((o, i) => {
        const at = start + i;
        const mark = field.kind === 'multi' ? (chosen.has(o.value) ? '[x] ' : '[ ] ') : o.value === field.value ? '(•) ' : '( ) ';
        return (
          <Text key={o.value} inverse={color && at === field.highlight} wrap="truncate-end">
            {at === field.highlight ? '› ' : '  '}
            {mark}
            {fit(o.label, width - 10)}
          </Text>
        );
      })}
      {end < field.options.length ? <Text color={tint(color, 'gray')}>  ↓ {field.options.length - end} more</Text> : null}
    </Box>
  );
}

export function AwsStep({ view, actions }: StepProps) {
  const { aws, color, width } = view;
  const focused = aws.fields[aws.focus];
  // The field a key goes to is the controller's focus when the key arrives, not the one drawn
  // last: each action below ignores fields of the other kinds.
  useKeys((input, key) => {
    if (key.return) return actions.next();
    if (key.escape) return actions.back();
    if (key.ctrl && input === 'r') return actions.retry();
    if ((key.tab && key.shift) || key.upArrow) return actions.focusField(-1);
    if (key.tab || key.downArrow) return actions.focusField(1);
    if (key.leftArrow) return actions.cycleOption(-1);
    if (key.rightArrow) return actions.cycleOption(1);
    if (input === ' ') actions.toggleOption();
    const edit = lineEdit(input, key);
    if (edit) actions.editField(edit);
  });
  const labelWidth = Math.max(...aws.fields.map((f) => f.label.length));
  const narrow = width < 90;
  const pre = aws.preflight;
  // The options list takes what the fields and the account line leave, between two and six rows.
  const optionRows = Math.max(2, Math.min(6, bodyRows(view) - aws.fields.length - 6));
  const help =
    focused?.kind === 'text'
      ? ['type', 'edit']
      : focused?.kind === 'multi'
        ? ['←→ Space', 'move, pick']
        : ['←→', 'change'];
  return (
    <Screen
      hints={
        <>
          {aws.notice ? <Text color={tint(color, 'red')}>{aws.notice}</Text> : null}
          <Hints color={color} hints={[['↑↓ Tab', 'field'], [help[0]!, help[1]!], ['Ctrl-R', 're-read the account'], ['Enter', 'continue'], ['Esc', 'back']]} />
        </>
      }
    >
      <Text wrap="truncate-end">
        Account: <Text color={tint(color, aws.account.startsWith('credentials') || aws.account.startsWith('could') ? 'red' : 'green')}>{aws.loading ? 'reading the account…' : aws.account || 'unknown'}</Text>
      </Text>
      <Box flexDirection="column" marginY={1}>
        {aws.fields.map((f, i) => {
          const note = f.error ? <Text color={tint(color, 'red')}>✗ {f.error}</Text> : f.hint ? <Text color={tint(color, 'gray')}>{f.hint}</Text> : null;
          return (
            <Box key={f.key} flexDirection="column">
              <Text wrap="truncate-end">
                {i === aws.focus ? '› ' : '  '}
                <Text bold={i === aws.focus}>{f.label.padEnd(labelWidth)}</Text>{' '}
                {f.kind === 'text' ? <LineInput value={f.value} focus={i === aws.focus} color={color} /> : <Text color={tint(color, 'cyan')}>{shown(f)}</Text>}
                {!narrow && note ? <Text>  {note}</Text> : null}
              </Text>
              {narrow && note ? <Text wrap="truncate-end">{' '.repeat(labelWidth + 3)}{note}</Text> : null}
            </Box>
          );
        })}
      </Box>
      {focused && focused.kind !== 'text' ? <Options field={focused} rows={optionRows} color={color} width={width} /> : null}
      <Box flexDirection="column" marginTop={1}>
        <Text bold>Preflight</Text>
        {pre.status === 'absent' ? <Text color={tint(color, 'gray')}>  not checked</Text> : null}
        {pre.status === 'waiting' ? <Text color={tint(color, 'gray')}>  runs once every field is valid</Text> : null}
        {pre.status === 'running' && pre.checks.length === 0 ? <Text color={tint(color, 'cyan')}>  checking…</Text> : null}
        {pre.checks.map((c) => (
          <Text key={c.name} wrap="truncate-end">
            {'  '}
            <Text color={tint(color, CHECK_COLOUR[c.status])}>{MARK[c.status]}</Text> {c.name}: {c.detail}
          </Text>
        ))}
      </Box>
    </Screen>
  );
}
