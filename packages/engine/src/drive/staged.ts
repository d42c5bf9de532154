import type { Admission, SynthesizedBlob } from '../core/admission.js';
import { admit } from '../core/admit.js';
import { applyAll } from '../core/apply.js';
import type { Command } from '../core/command.js';
import { stamp, type EventDraft, type LogEntry } from '../log/log.js';
import type { SessionState } from '../core/state.js';

/**
 * Events admitted or planned but not yet committed: the state they lead to, the stamped entries to
 * append after `base.head`, and the synthesized texts that must reach CAS before that append. Hosts
 * stage a whole step (an admission and the planner's follow-ups) and commit it in one append.
 */
export interface Staged {
  readonly base: SessionState;
  readonly state: SessionState;
  readonly entries: readonly LogEntry[];
  readonly blobs: readonly SynthesizedBlob[];
}

/** Nothing staged yet on top of `state`. */
export function staged(state: SessionState): Staged {
  return { base: state, state, entries: [], blobs: [] };
}

/** Stamps `drafts` at `at` on top of what is staged and applies them. */
export function stage(current: Staged, drafts: readonly EventDraft[], blobs: readonly SynthesizedBlob[] | undefined, at: number): Staged {
  if (drafts.length === 0) return current;
  const entries = stamp(current.state, [...drafts], at);
  return {
    base: current.base,
    state: applyAll(current.state, entries),
    entries: [...current.entries, ...entries],
    blobs: blobs && blobs.length > 0 ? [...current.blobs, ...blobs] : current.blobs,
  };
}

/** Admits `command` against the staged state; an accepted command's events are staged. */
export function admitStaged(current: Staged, command: Command, at: number): { staged: Staged; admission: Admission } {
  const admission = admit(current.state, command, at);
  if (!admission.ok) return { staged: current, admission };
  return { staged: stage(current, admission.events, admission.blobs, at), admission };
}

/** Whether anything is staged (an empty step needs no append). */
export function hasStaged(current: Staged): boolean {
  return current.entries.length > 0;
}
