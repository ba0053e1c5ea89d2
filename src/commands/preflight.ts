import { EXIT_FINDINGS, EXIT_OK } from '../exit.js';
import { renderPreflightText } from '../aws/preflight-text.js';
import { parse } from './args.js';
import { PLAN_OPTIONS, planRequest } from './aws-flags.js';
import { printUsage } from './help.js';
import type { CliIO } from './io.js';

// preflight: plan's read-only checks in AWS (bucket, role, network, the request itself) alone,
// with plan's flags: what would stop an environment before twenty minutes of CREATING tell it.

const { out: _out, 'no-preflight': _skip, delete: _delete, ...planFlags } = PLAN_OPTIONS;
export const PREFLIGHT_OPTIONS = { ...planFlags, json: { type: 'boolean' } } as const;

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, PREFLIGHT_OPTIONS, 'preflight');
  if (values.help) return printUsage(io, 'preflight');
  const request = { ...planRequest('preflight', values, positionals, io.env), preflight: true };
  const { makePlan } = await import('../migration/plan.js');
  const { preflight } = await makePlan(request);
  io.stdout(values.json ? `${JSON.stringify(preflight, null, 2)}\n` : renderPreflightText(preflight));
  return preflight.some((c) => c.status === 'fail') ? EXIT_FINDINGS : EXIT_OK;
}
