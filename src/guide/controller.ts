import type { GuideActions, GuideView } from '../ui/types.js';
import { guideActions } from './actions.js';
import { GuideContext, type GuideOptions, type Outcome } from './context.js';
import type { GuideCore } from './core.js';
import { chooseHome } from './home-step.js';

// The walkthrough's state machine, as the screens and the command see it: a store of one
// GuideView to subscribe to, the actions the keys call, and the outcome once it ends. The state
// lives in GuideContext; each step's logic is in its own module (home-step, findings-step,
// target-step, aws-step, connections-step, plan-step, apply-step, leaving), the keys in actions.
// Every outside effect goes through GuideCore.

export type { GuideOptions, Outcome } from './context.js';
export { EXIT_INTERRUPTED } from './leaving.js';
export { defaultName } from './home-step.js';
export { suggestBucket } from './aws-step.js';

export class GuideController {
  private readonly ctx: GuideContext;
  readonly actions: GuideActions;
  onEnd: (o: Outcome) => void = () => {};

  constructor(core: GuideCore, options: GuideOptions) {
    // Read at the end, not now: the caller sets onEnd after constructing.
    this.ctx = new GuideContext(core, options, (o) => this.onEnd(o));
    this.actions = guideActions(this.ctx);
  }

  // --- the store the screens subscribe to

  getView = (): GuideView => this.ctx.view;

  subscribe = (listener: () => void): (() => void) => this.ctx.subscribe(listener);

  resize(width: number, height: number): void {
    this.ctx.set({ width, height });
  }

  /** Begins: offers a saved run, or scans the home given, or asks for one. */
  start(): void {
    const probe = this.ctx.view.home.probe;
    if (this.ctx.options.home !== undefined && probe?.status !== 'missing' && probe?.status !== 'not-a-folder') chooseHome(this.ctx);
  }

  get outcome(): Outcome | null {
    return this.ctx.ended;
  }
}
