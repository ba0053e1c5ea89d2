import type { Matcher, RuleDef } from '../types.js';
import { argumentsMatchers } from './arguments.js';
import { catchupMatchers } from './catchup.js';
import { codeMatchers } from './code.js';
import { configMatchers } from './config.js';
import { dynamicArgument } from './dynamic-argument.js';
import { environmentMatchers } from './environment.js';
import { importMatchers } from './imports.js';
import { pathLiteral } from './path-literal.js';
import { pythonTargetMatchers } from './python-target.js';
import { requirementsMatchers } from './requirements.js';

// Every match kind a rule may name. One module per family (config also serves MWAA and SEC,
// requirements also serves PLG).
export const MATCHERS: Record<string, Matcher> = {
  ...argumentsMatchers,
  ...catchupMatchers,
  ...codeMatchers,
  ...configMatchers,
  ...environmentMatchers,
  ...importMatchers,
  'path-literal': pathLiteral,
  'dynamic-argument': dynamicArgument,
  ...pythonTargetMatchers,
  ...requirementsMatchers,
};

/**
 * The kinds whose hits in a file come from that file's analysis alone, with the home's config,
 * requirements, folders and detected version: the check takes them a group of files at a time as
 * the scan's answers come in (see ../as-scanned.ts). The others read facts that only the finished
 * scan has (the plugins' registers, the host environment, problems, every file at once).
 */
const FILE_KINDS = new Set([
  'import-table',
  'import-name',
  'argument-table',
  'context-table',
  'signature-table',
  'operator-class',
  'argument-default-changed',
  'dag-default-schedule',
  'dag-chain',
  'operator-metaclass',
  'removed-method',
  'metadata-db',
  'operator-use',
  'bash-command',
  'parse-time-call',
  'parse-time-load',
  'file-size',
  'catchup-backfill',
  'path-literal',
  'dynamic-argument',
  'positional-dict',
]);

/** Whether a rule's match is file by file; import-table's plugin rows read the plugins' registers. */
export const fileScoped = (match: RuleDef['match']): boolean => FILE_KINDS.has(match.kind) && match['pluginAttributes'] === undefined;
