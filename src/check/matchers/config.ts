import type { Matcher } from '../types.js';
import { carryExecutionDate, carryForeignBackend, carryInfrastructure, carryUnresolved, mwaaDefaultOverridden, mwaaFormat } from './config/carry.js';
import { configChange, unknownOption } from './config/change-rule.js';
import { configIndirect, configSecret, envDefined } from './config/secrets.js';
import { configValue, mwaaDefault } from './config/value.js';

// Match kinds for the Airflow configuration (CFG), what MWAA owns in it (MWAA) and the secrets it
// holds (SEC), split by concern under config/: tables.ts (the generated tables and shared helpers),
// changes.ts (names and changes between versions, MWAA ownership), carry.ts (what the plan sends),
// change-rule.ts (CFG), value.ts (MWAA option values and defaults), secrets.ts (SEC).
//
// One option gets one finding. Who reports it, first match wins: a setting for a service MWAA
// replaces (MWAA rules), a removal in the target (CFG), an option MWAA sets itself (MWAA), then
// the other CFG and SEC rules.

export { carryDecisions, carryOverOptions, sentDecisions, usableBackend, type CarryDecision, type CarryOver } from './config/carry.js';
export { changeRows, mwaaOptions, type ChangeRow, type MwaaOptions } from './config/tables.js';

export const configMatchers: Record<string, Matcher> = {
  'config-change': configChange,
  'config-value': configValue,
  'config-secret': configSecret,
  'config-indirect': configIndirect,
  'env-defined': envDefined,
  'mwaa-default': mwaaDefault,
  'mwaa-default-overridden': mwaaDefaultOverridden,
  'mwaa-format': mwaaFormat,
  'carry-unresolved': carryUnresolved,
  'carry-execution-date': carryExecutionDate,
  'carry-infrastructure': carryInfrastructure,
  'carry-foreign-backend': carryForeignBackend,
  'unknown-option': unknownOption,
};
