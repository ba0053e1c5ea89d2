import { createInterface } from 'node:readline/promises';

// Where the commands print and what they may ask: the process's own streams, or a test's.

export interface CliIO {
  stdout: (s: string) => void;
  /** Resolves once stdout has taken in what was written (see streamOut); absent: at once. */
  drained?: () => Promise<void>;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
  isTTY: boolean;
  /** The terminal's width, when stdout is one. */
  columns?: number;
  /** Asks a question and answers the line typed; absent when nobody can answer (stdin is no terminal). */
  readLine?: (question: string) => Promise<string>;
}

async function askLine(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    // End of input (Ctrl-D) is an empty answer, which declines.
    return await new Promise<string>((resolve) => {
      rl.once('close', () => resolve(''));
      rl.question(question).then(resolve, () => resolve(''));
    });
  } finally {
    rl.close();
  }
}

// A reader that stops early (`| head`) closes the pipe: later output is dropped quietly, as other
// command-line tools do, and the command still ends with its own exit code.
let stdoutClosed = false;
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  stdoutClosed = true;
});

/** Until `out` has taken in what was written (a pipe's reader may be slower), or is gone. */
export function drainedOf(out: NodeJS.WritableStream & { writableNeedDrain: boolean }, closed = () => false): Promise<void> {
  if (closed() || !out.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      for (const event of ['drain', 'close', 'error']) out.off(event, done);
      resolve();
    };
    for (const event of ['drain', 'close', 'error']) out.on(event, done);
  });
}

/**
 * Writes a long output piece by piece. A pipe takes in about 64 KiB at a time and Node queues the
 * rest in memory, so a report written at once to `| jq` or a CI log reader was held whole: the
 * 10,000-file home's JSON report peaked at 780 MB piped, 450 MB written to a file.
 */
export async function streamOut(io: CliIO, pieces: Iterable<string>): Promise<void> {
  for (const piece of pieces) {
    io.stdout(piece);
    await io.drained?.();
  }
}

export const processIO: CliIO = {
  stdout: (s) => void (stdoutClosed || process.stdout.write(s)),
  drained: () => drainedOf(process.stdout, () => stdoutClosed),
  stderr: (s) => void process.stderr.write(s),
  env: process.env,
  isTTY: Boolean(process.stdout.isTTY),
  columns: process.stdout.columns,
  ...(process.stdin.isTTY ? { readLine: askLine } : {}),
};

/** Whether someone can confirm a change: a terminal to ask on, and not in CI. */
export const canAsk = (io: CliIO): boolean => io.readLine !== undefined && !io.env['CI'];
