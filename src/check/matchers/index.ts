import type { Matcher } from '../types.js';
import { argumentsMatchers } from './arguments.js';
import { catchupMatchers } from './catchup.js';
import { codeMatchers } from './code.js';
import { configMatchers } from './config.js';
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
  ...pythonTargetMatchers,
  ...requirementsMatchers,
};
