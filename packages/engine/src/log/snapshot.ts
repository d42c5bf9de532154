import { canonicalJson } from '../values/canonical-json.js';
import { invariant } from './invariant.js';
import { initialState, type SessionState } from '../core/state.js';

/** Hosts snapshot every SNAPSHOT_INTERVAL events so rehydration replays a short tail. */
export const SNAPSHOT_INTERVAL = 500;

/** Deterministic: equal states serialise to the same string (canonical JSON). */
export function serializeState(state: SessionState): string {
  return canonicalJson(state);
}

export function deserializeState(json: string): SessionState {
  const state = JSON.parse(json) as SessionState;
  invariant(typeof state === 'object' && state !== null && state.format === 1, 'snapshot: unsupported state format', { format: (state as { format?: unknown } | null)?.format });
  invariant(typeof state.sessionId === 'string' && Number.isInteger(state.head), 'snapshot: not a session state');
  // Re-create the canonical object shape (JSON drops undefined members).
  const restored = { ...initialState(state.sessionId), ...state };
  // Snapshots from before toolsets recorded their config revision: a set toolset counts as set up
  // for the current config (what hosts assumed then), an unset one still needs its setup.
  if (restored.tools.configRevision === undefined && restored.tools.revision > 0) restored.tools = { ...restored.tools, configRevision: restored.configRevision };
  return restored;
}
