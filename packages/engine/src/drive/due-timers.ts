import type { Command } from '../core/command.js';
import type { SessionState } from '../core/state.js';

/** `timer.fired` for every pending promise whose deadline is at or before `now`, in promise order. */
export function dueTimers(state: SessionState, now: number): Command[] {
  const due: Command[] = [];
  for (const promise of Object.values(state.promises)) {
    if (promise.status === 'pending' && promise.deadline !== undefined && promise.deadline <= now) {
      due.push({ type: 'timer.fired', promiseId: promise.promiseId });
    }
  }
  return due;
}
