import type { AgentTaskConfig, TaskSessionOpener } from '@lightspeed/ops';
import { LightspeedError } from '@lightspeed/ports';
import type { ProfileCatalog } from '../profiles/profile-catalog.js';
import type { ProfileBody } from '../profiles/profile-checks.js';
import { ApiError } from '../rpc/api-error.js';
import type { MethodHandlers } from '../rpc/dispatcher.js';

/** The port's error for an API error: unknown agents stay `not_found`, refusals are `invalid`. */
function portError(error: ApiError, agent: string): LightspeedError {
  if (error.kind === 'not_found') return new LightspeedError('not_found', `agent ${agent}: ${error.message}`, { agent });
  if (error.kind === 'internal') return new LightspeedError('unavailable', `agent ${agent}: ${error.message}`, { agent });
  return new LightspeedError('invalid', `agent ${agent}: ${error.message}`, { agent, kind: error.kind });
}

/**
 * The dispatcher's way to open an attempt's session: the API's own `session/start` with a named
 * profile (the same checks, defaults, MCP link checks and pinned origin as any client's start), and
 * the agent's `task` section from the stored profile.
 */
export function taskSessionOpener(handlers: MethodHandlers, catalog: ProfileCatalog): TaskSessionOpener {
  const start = handlers['session/start'];
  if (!start) throw new Error('taskSessionOpener needs the session/start handler');
  return {
    async open(universe, sessionId, agent) {
      try {
        const record = await catalog.read(universe, agent);
        const section = (record.document as ProfileBody).task;
        const task: AgentTaskConfig = {
          ...(section?.template != null ? { template: section.template } : {}),
          ...(section?.requiredArtifacts != null ? { requiredArtifacts: section.requiredArtifacts } : {}),
          ...(section?.executor != null ? { executor: section.executor } : {}),
        };
        // A script executor runs no agent: no session is opened for its attempts.
        if (task.executor) return { task, revision: record.revision };
        await start({ sessionId, profile: { kind: 'named', profileId: agent } }, { universe, signal: new AbortController().signal, actor: 'task dispatcher' });
        return { task };
      } catch (error) {
        if (error instanceof ApiError) throw portError(error, agent);
        throw error;
      }
    },
  };
}
