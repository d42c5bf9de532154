import { plan, type Action } from '../core/plan.js';
import { stage, type Staged } from './staged.js';

/** What a host acts on once the planner has nothing more to append. */
export type NextAction = Exclude<Action, { type: 'append' }>;

/**
 * The one bound on planner follow-up appends in a step. The planner settles in a handful (a tool
 * result, the batch completing, the next turn and its request; a close terminating queued runs);
 * reaching this many means a planner bug that would otherwise spin a host forever.
 */
export const MAX_SETTLE_APPENDS = 1_000;

/** The planner kept asking to append: a bug in the engine, never a user mistake. */
export class PlannerLoopError extends Error {
  readonly code = 'internal' as const;

  constructor(
    readonly sessionId: string,
    readonly appends: number,
  ) {
    super(`session ${sessionId}: the planner asked for more than ${appends} appends in one step`);
    this.name = 'PlannerLoopError';
  }
}

export interface Settled {
  staged: Staged;
  action: NextAction;
}

/**
 * Stages the planner's appends on top of `current` until the next action is not an append, and
 * returns that action with everything staged (committed by the host in one append). `planner` is
 * the engine's `plan`; tests pass a broken one to see the bound hold.
 */
export function settle(current: Staged, at: number, planner: (state: Staged['state']) => Action = plan): Settled {
  let next = current;
  for (let appends = 0; ; appends++) {
    const action = planner(next.state);
    if (action.type !== 'append') return { staged: next, action };
    if (appends >= MAX_SETTLE_APPENDS) throw new PlannerLoopError(next.state.sessionId, MAX_SETTLE_APPENDS);
    next = stage(next, action.events, action.blobs, at);
  }
}
