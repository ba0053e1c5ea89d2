import { journalPath } from '../aws/journal.js';
import type { GuideContext } from './context.js';
import { tildify } from './core.js';

// Leaving the walkthrough: the exit code of an interruption and what to say about the state
// things are left in (nothing written, a saved plan, an apply to resume, an environment still
// being created).

export const EXIT_INTERRUPTED = 130;

/** Ctrl-C or q: the done step ends with the apply's result; any other step is an interruption. */
export function quit(ctx: GuideContext): void {
  if (ctx.view.step === 'done') return ctx.end(ctx.view.apply.status === 'failed' ? 1 : 0, '');
  ctx.end(EXIT_INTERRUPTED, farewell(ctx));
}

/** What state things are in, said on the way out. */
function farewell(ctx: GuideContext): string {
  const step = ctx.view.step;
  const home = tildify(ctx.plan?.inputs.home ?? ctx.inventory?.home ?? ctx.homePath);
  const kept = ctx.suppressions ? ` Your accept/ignore choices are saved in ${ctx.view.findings.projectFile}.` : '';
  if (step === 'apply' && (ctx.view.apply.status === 'running' || ctx.view.apply.status === 'waiting')) {
    const name = ctx.view.apply.environment;
    if (ctx.envCreated) {
      return `Left while environment ${name} is ${ctx.view.apply.envStatus ?? 'being created'}: creation goes on in AWS.\nCheck on it later with: mwaa-migrate guide ${home} (it offers to continue the wait)\n  or: aws mwaa get-environment --name ${name} --region ${ctx.plan!.inputs.region}\n`;
    }
    return `Stopped while applying. Every step finished so far is recorded in ${tildify(journalPath(ctx.planFile))}; an upload is whole or absent, never half-written.\nResume with: mwaa-migrate guide ${home} (it offers to continue), or: mwaa-migrate apply ${tildify(ctx.planFile)}\n`;
  }
  if (ctx.plan && ctx.planFile) return `Stopped before anything was written to AWS. The plan is saved in ${tildify(ctx.planFile)}.${kept}\n`;
  return `Stopped: nothing was written to AWS.${kept}\n`;
}
