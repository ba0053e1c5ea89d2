import type { Matcher } from '../types.js';
import { argumentTable } from './arguments/argument-table.js';
import { contextTable } from './arguments/context.js';
import { metadataDb } from './arguments/metadata-db.js';
import { removedMethod } from './arguments/methods.js';
import { positionalDict } from './arguments/positional-dict.js';
import { argumentDefaultChanged, dagChain, dagDefaultSchedule, operatorClass, operatorMetaclass, signatureTable } from './arguments/signature.js';

// The ARG family's matchers (and the metadata-database one CODE020 uses), one concern per file
// under ./arguments/: renamed and removed arguments, argument values, method signatures,
// task-context variables and methods, driven by rules/data/arguments.json and removed-methods.json.

export { argumentRows, type ArgumentRow, type ArgumentScope } from './arguments/table.js';
export { removedMethodRows, type MethodRow } from './arguments/methods.js';

export const argumentsMatchers: Record<string, Matcher> = {
  'dag-chain': dagChain,
  'operator-metaclass': operatorMetaclass,
  'argument-table': argumentTable,
  'context-table': contextTable,
  'signature-table': signatureTable,
  'operator-class': operatorClass,
  'argument-default-changed': argumentDefaultChanged,
  'dag-default-schedule': dagDefaultSchedule,
  'removed-method': removedMethod,
  'metadata-db': metadataDb,
  'positional-dict': positionalDict,
};
