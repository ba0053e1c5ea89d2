import { Box, Text, useInput } from 'ink';
import type { ReactNode } from 'react';
import { tint, type StepProps } from './parts.js';
import { ApplyStep } from './steps/ApplyStep.js';
import { AwsStep } from './steps/AwsStep.js';
import { ConnectionsStep } from './steps/ConnectionsStep.js';
import { DoneStep } from './steps/DoneStep.js';
import { FindingsStep } from './steps/FindingsStep.js';
import { HomeStep } from './steps/HomeStep.js';
import { PlanStep } from './steps/PlanStep.js';
import { ResumeStep } from './steps/ResumeStep.js';
import { ScanStep } from './steps/ScanStep.js';
import { SizingStep } from './steps/SizingStep.js';
import { TargetStep } from './steps/TargetStep.js';
import { STEPS, type GuideView } from './types.js';

// The whole walkthrough screen: the step indicator, then the current step, which draws its own
// body and key hints, all within the terminal's rows. Ctrl-C is caught here, once, so every step leaves the same careful way.

/** "Home › Scan › [Findings] › ...", or just the position when the terminal is narrow. */
export function StepIndicator({ view }: { view: GuideView }) {
  const at = STEPS.findIndex((s) => s.id === view.step);
  const title = view.step === 'resume' ? 'Continue' : STEPS[at]!.title;
  const position = view.step === 'resume' ? 'a saved run' : `step ${at + 1} of ${STEPS.length}`;
  // The brackets round the current step add two characters.
  const full = STEPS.map((s) => s.title).join(' › ').length + 2 < view.width;
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>mwaa-migrate guide</Text>
        <Text color={tint(view.color, 'gray')}>
          {' '}· {position}: {title}
        </Text>
      </Text>
      {full ? (
        <Text>
          {STEPS.map((s, i) => {
            const sep = i > 0 ? ' › ' : '';
            if (i === at) return <Text key={s.id}>{sep}<Text bold color={tint(view.color, 'cyan')}>{`[${s.title}]`}</Text></Text>;
            return <Text key={s.id} color={tint(view.color, i < at ? 'green' : 'gray')}>{sep}{s.title}</Text>;
          })}
        </Text>
      ) : (
        <Text color={tint(view.color, 'gray')}>{STEPS.map((_, i) => (i < at ? '●' : i === at ? '◉' : '○')).join('')}</Text>
      )}
    </Box>
  );
}

const BODY: Record<GuideView['step'], (p: StepProps) => ReactNode> = {
  resume: ResumeStep,
  home: HomeStep,
  scan: ScanStep,
  findings: FindingsStep,
  target: TargetStep,
  sizing: SizingStep,
  aws: AwsStep,
  connections: ConnectionsStep,
  plan: PlanStep,
  apply: ApplyStep,
  done: DoneStep,
};

export function App({ view, actions }: StepProps) {
  useInput((input, key) => {
    if (key.ctrl && input === 'c') actions.quit();
  });
  const Body = BODY[view.step];
  // Never taller than the terminal, the header never shrinks: a long step is cut at its bottom
  // (each step keeps its key hints) instead of pushing the title and the step bar off the top.
  return (
    <Box flexDirection="column" width={view.width} maxHeight={view.height}>
      <Box flexDirection="column" flexShrink={0}>
        <StepIndicator view={view} />
        <Text color={tint(view.color, 'gray')}>{'─'.repeat(Math.max(10, view.width - 1))}</Text>
      </Box>
      <Box flexDirection="column" flexShrink={1} overflowY="hidden">
        <Body view={view} actions={actions} />
      </Box>
    </Box>
  );
}
