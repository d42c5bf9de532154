import { findRun, type RunSource, type SessionState } from '@lightspeed/engine';
import { internalRunMissing } from './run-lookup.js';
import { rejected } from '../rpc/api-error.js';
import type { MethodHandlers } from '../rpc/dispatcher.js';
import { toRunConfig } from '../views/config-mapping.js';
import { refuseUnsupportedConfig } from '../views/unsupported-config.js';
import { runView } from '../views/run-view.js';
import { toInputRefs } from './input-items.js';
import type { SessionAccess } from './session-access.js';

function viewOfRun(state: SessionState, runId: string) {
  const run = findRun(state, runId);
  if (!run) throw internalRunMissing(runId);
  return runView(run, state);
}

/** session/runs/start, cancel, steer. Start answers once the run is admitted, not when it ends. */
export function runMethods(access: SessionAccess): MethodHandlers {
  const host = access.host;
  return {
    'session/runs/start': async ({ sessionId, source, config, submissionId, notifyOnTerminal }, { universe }) => {
      if (notifyOnTerminal != null) throw rejected('notifyOnTerminal needs a managed session; this server does not offer managed sessions');
      const ref = { universe, sessionId };
      const current = await access.read(ref);
      const engineSource: RunSource =
        source.type === 'input' ? { type: 'input', items: await toInputRefs(host.blobs(universe), source.items, 'source.items') } : { type: 'context', keys: [...source.keys] };
      refuseUnsupportedConfig(config);
      const runConfig = toRunConfig(config, current.config);
      const { state, result } = await access.submit(ref, {
        type: 'run.start',
        source: engineSource,
        ...(submissionId != null ? { submissionId } : {}),
        ...(runConfig ? { config: runConfig } : {}),
      });
      return { result: { run: viewOfRun(state, result.runId!) } };
    },

    'session/runs/cancel': async ({ sessionId, runId }, { universe }) => {
      const ref = { universe, sessionId };
      await access.read(ref);
      const { state } = await access.submit(ref, { type: 'run.cancel', runId });
      return { result: { run: viewOfRun(state, runId) } };
    },

    'session/runs/steer': async ({ sessionId, runId, items }, { universe }) => {
      const ref = { universe, sessionId };
      await access.read(ref);
      const input = await toInputRefs(host.blobs(universe), items, 'items');
      const { state, result } = await access.submit(ref, { type: 'run.steer', runId, input });
      return { result: { steeringId: result.steeringId!, run: viewOfRun(state, runId) } };
    },
  };
}
