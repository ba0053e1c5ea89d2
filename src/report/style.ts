// Colour only for a person at a terminal: never when piped, never with NO_COLOR (no-color.org).
export function useColor(io: { isTTY: boolean; env: Record<string, string | undefined> }): boolean {
  if (io.env['NO_COLOR'] !== undefined && io.env['NO_COLOR'] !== '') return false;
  if (io.env['FORCE_COLOR'] !== undefined && io.env['FORCE_COLOR'] !== '0') return true;
  return io.isTTY && io.env['TERM'] !== 'dumb';
}

export interface Style {
  bold: (s: string) => string;
  dim: (s: string) => string;
  red: (s: string) => string;
  yellow: (s: string) => string;
  green: (s: string) => string;
  cyan: (s: string) => string;
}

const wrap = (open: number, close: number) => (s: string) => `\x1b[${open}m${s}\x1b[${close}m`;
const plain = (s: string) => s;

export function style(color: boolean): Style {
  return color
    ? { bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), yellow: wrap(33, 39), green: wrap(32, 39), cyan: wrap(36, 39) }
    : { bold: plain, dim: plain, red: plain, yellow: plain, green: plain, cyan: plain };
}
