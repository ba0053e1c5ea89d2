import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { valid } from '@renovatebot/pep440';
import leven from 'leven';
import { UsageError } from '../exit.js';
import { defaultTarget, targetVersions } from '../refdata/mwaa.js';
import type { CliIO } from './io.js';

// Reading argv, and the flags several commands take, each checked for shape.

export type Options = NonNullable<ParseArgsConfig['options']>;

// What scan and report both take to read a home.
export const HOME_OPTIONS = {
  'env-file': { type: 'string' },
  'airflow-version': { type: 'string' },
  'no-cache': { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies Options;

/**
 * --dotenv FILE is --env-file FILE under a name Node does not claim: `npx mwaa-migrate ... --env-file F`
 * hands the flag to the Node process npx starts, before this tool sees it.
 */
const dotenvAlias = (args: string[]) => args.map((a) => (a === '--dotenv' ? '--env-file' : a.startsWith('--dotenv=') ? `--env-file=${a.slice('--dotenv='.length)}` : a));

export function parse<T extends Options>(args: string[], options: T, command?: string) {
  try {
    return parseArgs({ args: 'env-file' in options ? dotenvAlias(args) : args, options, allowPositionals: true, strict: true });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const help = `see mwaa-migrate ${command ? `${command} ` : ''}--help`;
    const unknown = err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'(-{1,2}[^']+)'/.exec(err.message)?.[1] : undefined;
    if (unknown) throw new UsageError(`unknown option ${unknown}${closest(unknown, Object.keys(options))} (${help})`);
    // Node's messages are one line already; drop its "To specify a positional..." hints' newline.
    throw new UsageError(`${err.message.split('\n')[0]!} (${help})`);
  }
}

/** "; did you mean --json?" for a flag a typo away from one the command takes. */
function closest(given: string, names: string[]): string {
  const bare = given.replace(/^-+/, '').split('=')[0]!;
  let best: { name: string; d: number } | null = null;
  for (const name of names) {
    const d = leven(bare, name);
    if (!best || d < best.d) best = { name, d };
  }
  return best && best.d <= Math.max(1, Math.floor(best.name.length / 3)) ? `; did you mean --${best.name}?` : '';
}

/** The flag values parse() gives for these options. */
export type Values<T extends Options> = ReturnType<typeof parse<T>>['values'];

/** The home to read, and how to name it: as given, so that reports do not depend on the machine. */
export function homeArg(command: string, positionals: string[], env: CliIO['env']): { path: string; given: string } {
  const given = homePositional(command, positionals) ?? env['AIRFLOW_HOME'];
  return given ? { path: given, given } : { path: join(homedir(), 'airflow'), given: '~/airflow' };
}

/** The one AIRFLOW_HOME a command takes, if given. */
export function homePositional(command: string, positionals: string[]): string | undefined {
  if (positionals.length > 1) throw new UsageError(`${command} takes one AIRFLOW_HOME, got ${positionals.length}: ${positionals.join(' ')}`);
  return positionals[0];
}

export function airflowVersionFlag(version: string | undefined): string | undefined {
  if (version !== undefined && (!valid(version) || !/^[123]\.\d+/.test(version))) {
    throw new UsageError(`--airflow-version ${version}: not an Airflow version (expected e.g. 2.7.2)`);
  }
  return version;
}

/** --target-version: one MWAA offers, else the default. */
export function targetVersionFlag(version: string | undefined): string {
  const offered = targetVersions().map((v) => v.version);
  const target = version ?? defaultTarget();
  if (!offered.includes(target)) throw new UsageError(`--target-version ${target}: MWAA does not offer it; choose one of ${offered.join(', ')}`);
  return target;
}

/** An AWS region's name, e.g. eu-west-1 (only this shape may go into a URL). */
export const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** --poll-seconds as given: a positive number. */
export function pollSecondsFlag(value: string): number {
  const seconds = Number(value);
  if (!(seconds > 0)) throw new UsageError(`--poll-seconds ${value}: a positive number of seconds`);
  return seconds;
}
