import { Box, Text, useInput } from 'ink';
import { Hints, Screen, tint, type StepProps } from '../parts.js';

// Before step 1: this home has a plan whose apply began (its journal exists); continue it, or
// start over (the journal stays: it records what exists in AWS).

export function ResumeStep({ view, actions }: StepProps) {
  const { resume: r, color } = view;
  useInput((input, key) => {
    if (key.return) actions.next();
    else if (key.upArrow || input === 'k') actions.move(-1);
    else if (key.downArrow || input === 'j') actions.move(1);
  });
  if (!r) return null;
  const choices = [`Continue: apply the saved plan (done steps are skipped) and wait for ${r.name}`, 'Start over: scan the home again and make a new plan'];
  return (
    <Screen hints={<Hints color={color} hints={[['↑↓', 'choose'], ['Enter', 'go'], ['Ctrl-C', 'quit']]} />}>
      <Text wrap="wrap">
        A migration was started here: environment <Text bold>{r.name}</Text> in {r.region}, bucket {r.bucket}.
      </Text>
      <Text color={tint(color, 'gray')} wrap="wrap">
        {r.planFile}: {r.stepsDone} step{r.stepsDone === 1 ? '' : 's'} done
      </Text>
      <Box flexDirection="column" marginY={1}>
        {choices.map((c, i) => (
          <Text key={c} inverse={color && i === r.cursor} wrap="wrap">
            {i === r.cursor ? '› ' : '  '}
            {c}
          </Text>
        ))}
      </Box>
    </Screen>
  );
}
