import type { Matcher } from '../types.js';
import { importMatchers } from './imports.js';

// Every match kind a rule may name. One module per family.
export const MATCHERS: Record<string, Matcher> = {
  ...importMatchers,
};
