import { listStatus, type SessionState } from '@lightspeed/engine';
import type { SessionStatus, SessionSummaryView, SessionView } from '../schemas/session-view.js';
import { configDocument } from './config-mapping.js';
import { contextEntryView } from './context-entry-view.js';
import { allRuns, runView } from './run-view.js';
import { usageView } from './usage-view.js';

export function sessionStatusView(state: SessionState): SessionStatus {
  if (state.status === 'closed') return 'closed';
  if (state.status === 'new') return 'notLoaded';
  return listStatus(state) === 'active' ? 'active' : 'idle';
}

export function sessionView(state: SessionState): SessionView {
  const view: SessionView = {
    id: state.sessionId,
    status: sessionStatusView(state),
    managed: false,
    configRevision: state.configRevision,
    createdAtMs: state.createdAt ?? 0,
    updatedAtMs: state.updatedAt ?? state.createdAt ?? 0,
    activeContext: { revision: state.context.revision, entries: state.context.entries.map(contextEntryView) },
    activeTools: {
      revision: state.tools.revision,
      tools: state.tools.tools.map((tool) => ({ toolId: tool.name, kind: { type: 'function', inputSchemaRef: tool.definitionRef }, parallelism: tool.parallelism })),
    },
    runs: allRuns(state).map((run) => runView(run, state)),
    usage: usageView(state.usage, state),
  };
  if (state.displayName) view.displayName = state.displayName;
  const config = configDocument(state.config);
  if (config) view.config = config;
  const origin = state.config?.origin;
  if (origin) view.profile = { profileId: origin.profileId, revision: origin.revision };
  const parent = state.config?.parent;
  if (parent) view.parent = { ...parent };
  return view;
}

export function sessionSummaryView(state: SessionState): SessionSummaryView {
  const summary: SessionSummaryView = {
    id: state.sessionId,
    lifecycleStatus: state.status,
    managed: false,
    createdAtMs: state.createdAt ?? 0,
    updatedAtMs: state.updatedAt ?? state.createdAt ?? 0,
  };
  if (state.displayName) summary.displayName = state.displayName;
  const parent = state.config?.parent;
  if (parent) summary.parent = { ...parent };
  return summary;
}
