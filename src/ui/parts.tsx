import { Box, Text, useInput, type Key } from 'ink';
import type { ReactNode } from 'react';
import type { Counts, GuideActions, GuideView, LineEdit, Severity } from './types.js';

// Small pieces every screen uses. Colour is passed down as a flag (NO_COLOR, pipes), never
// decided here.

export interface StepProps {
  view: GuideView;
  actions: GuideActions;
}

/** Lines a step's body may use: the screen less the indicator, the rule and the hints. */
export const bodyRows = (view: GuideView): number => Math.max(6, view.height - 6);

export type Colour = 'red' | 'yellow' | 'green' | 'cyan' | 'gray' | 'blue' | 'magenta';

/** A colour when colour is on, else none. */
export const tint = (color: boolean, c: Colour): Colour | undefined => (color ? c : undefined);

export const SEVERITY_COLOUR: Record<Severity, Colour> = { error: 'red', warning: 'yellow', info: 'blue' };
export const SEVERITY_MARK: Record<Severity, string> = { error: 'E', warning: 'W', info: 'i' };

/**
 * A one-line text input whose cursor stays at the end: enough for paths, names and ids, and it
 * never disagrees with a value the controller changes (Tab completion).
 */
export function LineInput({ value, focus, color, placeholder }: { value: string; focus: boolean; color: boolean; placeholder?: string }) {
  return (
    <Text>
      {value === '' && placeholder ? <Text color={tint(color, 'gray')}>{placeholder}</Text> : <Text>{value}</Text>}
      {focus ? <Text inverse={color}>{color ? ' ' : '_'}</Text> : null}
    </Text>
  );
}

/** The edit a key makes to a line: typed text, Backspace, Ctrl-U to clear; null when the key is not an edit. */
export function lineEdit(input: string, key: Key): LineEdit | null {
  if (key.backspace || key.delete) return { kind: 'backspace' };
  if (key.ctrl && input === 'u') return { kind: 'clear' };
  if (key.ctrl || key.meta || key.return || key.tab || key.escape || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown) return null;
  // Pasted text arrives whole; control characters are dropped.
  const text = input.replace(/[\u0000-\u001f\u007f]/g, '');
  return text ? { kind: 'type', text } : null;
}

/**
 * useInput, with Tab, Enter and Ctrl-U inside a burst of text taken as the keys they are: Ink hands
 * text typed faster than it reads (a paste, tmux send-keys) over as one string, those keys in it.
 */
export function useKeys(handler: (input: string, key: Key) => void): void {
  useInput((input, key) => {
    if (input.length < 2 || !/[\t\r\x15]/.test(input)) return handler(input, key);
    for (const part of input.split(/([\t\r\x15])/)) {
      if (part === '\t') handler('', { ...key, tab: true });
      else if (part === '\r') handler('', { ...key, return: true });
      else if (part === '\x15') handler('u', { ...key, ctrl: true });
      else if (part) handler(part, key);
    }
  });
}

/**
 * A step's screen: its content, cut at the bottom when the terminal is too short, above its key
 * hints, which always show. The content's own box does not shrink: shrunk lines would overlap.
 */
export function Screen({ children, hints }: { children: ReactNode; hints: ReactNode }) {
  return (
    <Box flexDirection="column" flexShrink={1} overflowY="hidden">
      <Box flexDirection="column" flexShrink={1} overflowY="hidden">
        <Box flexDirection="column" flexShrink={0}>
          {children}
        </Box>
      </Box>
      <Box flexDirection="column" flexShrink={0}>
        {hints}
      </Box>
    </Box>
  );
}

/** The key hints at the bottom, as one line that wraps at word boundaries. */
export function Hints({ hints, color }: { hints: [key: string, what: string][]; color: boolean }) {
  return (
    <Box flexWrap="wrap" columnGap={2}>
      {hints.map(([k, what]) => (
        <Text key={k}>
          <Text bold={color}>{k}</Text> <Text color={tint(color, 'gray')}>{what}</Text>
        </Text>
      ))}
    </Box>
  );
}

/** "3 errors, 1 warning, 0 info" with the counts tinted. */
export function CountsText({ c, color }: { c: Counts; color: boolean }) {
  return (
    <Text>
      <Text color={tint(color, 'red')}>{c.error} error{c.error === 1 ? '' : 's'}</Text>, <Text color={tint(color, 'yellow')}>{c.warning} warning{c.warning === 1 ? '' : 's'}</Text>, {c.info} info
    </Text>
  );
}

/** The slice of a list to show so that the cursor stays in view. */
export function windowAround(cursor: number, total: number, size: number): { start: number; end: number } {
  const rows = Math.max(1, size);
  if (total <= rows) return { start: 0, end: total };
  const start = Math.max(0, Math.min(total - rows, cursor - Math.floor(rows / 2)));
  return { start, end: start + rows };
}

/** Shortens a line to a width, marking the cut. */
export const fit = (s: string, width: number): string => (s.length <= width ? s : `${s.slice(0, Math.max(0, width - 1))}…`);

export const elapsed = (ms: number): string => {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
};

/** A bordered window of `rows` lines from `scroll` (kept so the last page stays full), and where in them it is. */
export function ScrolledLines({ lines, scroll, rows, color, line }: { lines: string[]; scroll: number; rows: number; color: boolean; line: (text: string, index: number) => ReactNode }) {
  const top = Math.min(scroll, Math.max(0, lines.length - rows));
  const shown = lines.slice(top, top + rows);
  return (
    <Box flexDirection="column" borderStyle="single" borderColor={tint(color, 'gray')} paddingX={1}>
      {shown.map((l, i) => line(l, top + i))}
      <Text color={tint(color, 'gray')}>
        lines {top + 1}-{top + shown.length} of {lines.length}
        {top + shown.length < lines.length ? ' (↓ for more)' : ''}
      </Text>
    </Box>
  );
}
