import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

// Drives a program in a real pseudo-terminal: a tmux session on its own server (socket), typed
// at with send-keys and read with capture-pane, as a person at a 100x40 terminal would see it.

export interface Frame {
  label: string;
  screen: string;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export class Terminal {
  /** Screens captured with snap(), in order: the recording. */
  readonly frames: Frame[] = [];
  private readonly socket: string;

  constructor(name: string, argv: string[], env: Record<string, string>, { cwd, width = 100, height = 40 }: { cwd: string; width?: number; height?: number }) {
    this.socket = `mwaa-guide-${name}-${process.pid}`;
    // env -i: the program sees exactly `env`, not the tmux server's or the test runner's.
    const vars = Object.entries(env).map(([k, v]) => quote(`${k}=${v}`));
    const command = `cd ${quote(cwd)} && env -i ${vars.join(' ')} ${argv.map(quote).join(' ')}; echo "[exit $?]"; sleep 600`;
    this.tmux('new-session', '-d', '-x', String(width), '-y', String(height), command);
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  screen(): string {
    // -J: lines the terminal wrapped come back whole.
    return this.tmux('capture-pane', '-p', '-J')
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n')
      .trimEnd();
  }

  /** send-keys: key names (Enter, Down, C-c) or literal text with literal(). */
  keys(...keys: string[]): void {
    this.tmux('send-keys', ...keys);
  }

  type(text: string): void {
    this.tmux('send-keys', '-l', text);
  }

  /** Waits until the screen matches, answering it; fails with the last screen. */
  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    let last = '';
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(50)) {
      last = this.screen();
      if (pattern.test(last)) return last;
    }
    throw new Error(`the screen never showed ${pattern} within ${timeoutMs} ms; it shows:\n${last}`);
  }

  /** Waits for the pattern, then keeps the screen for the recording. */
  async snap(label: string, pattern: RegExp, timeoutMs?: number): Promise<string> {
    const screen = await this.waitFor(pattern, timeoutMs);
    this.frames.push({ label, screen });
    return screen;
  }

  close(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
  }
}
