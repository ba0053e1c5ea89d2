import { render } from 'ink';
import { useSyncExternalStore } from 'react';
import { EXIT_USAGE } from '../exit.js';
import { useColor } from '../report/style.js';
import { App } from '../ui/App.js';
import type { DoneView } from '../ui/types.js';
import { defaultCore, type Env, type GuideCore } from './core.js';
import { GuideController, type GuideOptions } from './controller.js';

// `mwaa-migrate guide [AIRFLOW_HOME]` (and no command on a terminal): the walkthrough on the
// terminal, full screen, leaving the outcome printed on the normal screen when it ends.

/** The flags `guide` takes (as the other commands take them), and the terminal to run on. */
export interface RunGuideOptions extends Partial<Pick<GuideOptions, 'home' | 'region' | 'profile' | 'endpointUrl' | 'mwaaEndpointUrl' | 'pollSeconds'>> {
  /** --no-cache: scan without the scan cache. */
  noCache?: boolean;
  env: Env;
  cwd?: string;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  /** The outside world; the real one by default (tests pass a fake). */
  core?: GuideCore;
  /** Ends the process when leaving while work is in flight (an upload, a poll): default process.exit. */
  exit?: (code: number) => void;
}

export const NO_TERMINAL =
  'mwaa-migrate: the guided walkthrough needs a terminal (stdin and stdout a TTY, CI not set).\n' +
  'Without one, check a home with:  mwaa-migrate report [AIRFLOW_HOME]\n' +
  'and move it with:                mwaa-migrate migrate [AIRFLOW_HOME] --name N --bucket B ... --yes\n';

/** The Done screen as plain text, left on the terminal after the full-screen walkthrough closes. */
export function doneText(d: DoneView): string {
  return [
    d.error ? `Environment ${d.name}: ${d.status}. ${d.error}` : `Environment ${d.name}: ${d.status}`,
    `Airflow UI: ${d.url}`,
    `Report:     ${d.reportPath}`,
    `Plan:       ${d.planPath}`,
    'Next time, in one command:',
    `  ${d.command}`,
    'Next steps:',
    ...d.nextSteps.map((s) => `  - ${s}`),
    '',
  ].join('\n');
}

function GuideApp({ controller }: { controller: GuideController }) {
  const view = useSyncExternalStore(controller.subscribe, controller.getView);
  return <App view={view} actions={controller.actions} />;
}

/** Runs the walkthrough; answers the exit code (0 done, 1 the environment failed, 2 no terminal, 130 left early). */
export async function runGuide(o: RunGuideOptions): Promise<number> {
  const stdin = o.stdin ?? process.stdin;
  const stdout = o.stdout ?? process.stdout;
  const stderr = o.stderr ?? process.stderr;
  if (!stdin.isTTY || !stdout.isTTY || o.env['CI']) {
    stderr.write(NO_TERMINAL);
    return EXIT_USAGE;
  }
  const cwd = o.cwd ?? process.cwd();
  const core = o.core ?? defaultCore({ env: o.env, cwd, cache: !o.noCache });
  const options: GuideOptions = {
    ...(o.home !== undefined ? { home: o.home } : {}),
    ...(o.region ? { region: o.region } : {}),
    ...(o.profile ? { profile: o.profile } : {}),
    ...(o.endpointUrl ? { endpointUrl: o.endpointUrl } : {}),
    ...(o.mwaaEndpointUrl ? { mwaaEndpointUrl: o.mwaaEndpointUrl } : {}),
    ...(o.pollSeconds ? { pollSeconds: o.pollSeconds } : {}),
    cwd,
    width: stdout.columns || 80,
    height: stdout.rows || 24,
    color: useColor({ isTTY: true, env: o.env }),
  };
  const controller = new GuideController(core, options);
  // Nothing here writes to the console, so Ink need not patch it (its patch fails under test runners).
  // Interactive is decided above from the env given (terminal, CI unset), not by Ink from this process's.
  const ink = render(<GuideApp controller={controller} />, { stdin, stdout, stderr, exitOnCtrlC: false, alternateScreen: true, patchConsole: false, interactive: true });
  const onResize = () => controller.resize(stdout.columns || 80, stdout.rows || 24);
  // Ctrl-C arrives as a key in raw mode; a signal (kill -INT) is handled the same way.
  const onSignal = () => controller.actions.quit();
  stdout.on('resize', onResize);
  process.on('SIGINT', onSignal);
  const ended = new Promise<void>((resolve) => (controller.onEnd = () => resolve()));
  controller.start();
  try {
    await ended;
  } finally {
    stdout.off('resize', onResize);
    process.off('SIGINT', onSignal);
    ink.unmount();
    await ink.waitUntilExit().catch(() => undefined);
  }
  const outcome = controller.outcome!;
  const view = controller.getView();
  stdout.write(view.step === 'done' ? doneText(view.done) : outcome.message);
  // Uploads and polls cannot be cancelled: end them with the process, as a kill would. The
  // journal makes that safe (see aws/journal.ts).
  if (outcome.busy) (o.exit ?? process.exit)(outcome.code);
  return outcome.code;
}
