import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { isAgentApiFailure, type AgentApi } from './agent-api.js';
import type { McpToolOptions } from './session-tools.js';
import { transcriptText } from './transcript.js';

/** The MCP error for a missing resource (the spec's -32002). */
const RESOURCE_NOT_FOUND = -32002;
/** Sessions and agents a resource list shows: the newest, one page. */
const LIST_LIMIT = 100;

/** A failed read as the protocol error a client expects (a resource is data, not a tool result). */
function readFailure(error: unknown, options: McpToolOptions): McpError {
  if (isAgentApiFailure(error)) return new McpError(error.kind === 'not_found' ? RESOURCE_NOT_FOUND : ErrorCode.InvalidParams, error.message);
  options.onInternalError(error);
  return new McpError(ErrorCode.InternalError, 'internal error; the server logged the details');
}

function variable(value: string | string[] | undefined): string {
  return decodeURIComponent(Array.isArray(value) ? (value[0] ?? '') : (value ?? ''));
}

/** Sessions (`lightspeed://sessions/<id>`, the transcript) and agents (`lightspeed://agents[/<id>]`). */
export function registerResources(server: McpServer, api: AgentApi, options: McpToolOptions): void {
  server.registerResource(
    'session',
    new ResourceTemplate('lightspeed://sessions/{sessionId}', {
      list: async (extra) => {
        const { sessions } = await api.call('session/list', { limit: LIST_LIMIT }, extra.signal);
        return {
          resources: (sessions ?? []).map((session) => ({
            uri: `lightspeed://sessions/${encodeURIComponent(session.id)}`,
            name: session.displayName ?? session.id,
            description: `session ${session.id} (${session.lifecycleStatus})`,
            mimeType: 'text/plain',
          })),
        };
      },
    }),
    { title: 'Session transcript', description: "A session's conversation, run by run: messages, tool calls and their results.", mimeType: 'text/plain' },
    async (uri, variables, extra) => {
      try {
        const { session } = await api.call('session/read', { sessionId: variable(variables.sessionId) }, extra.signal);
        return { contents: [{ uri: uri.href, mimeType: 'text/plain', text: transcriptText(session) }] };
      } catch (error) {
        throw readFailure(error, options);
      }
    },
  );

  server.registerResource(
    'agents',
    'lightspeed://agents',
    { title: 'Agents', description: 'The agent profiles this server stores (start a session from one with sessions_start { agent }).', mimeType: 'application/json' },
    async (uri, extra) => {
      try {
        const { profiles } = await api.call('profiles/list', { limit: LIST_LIMIT }, extra.signal);
        return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify({ agents: profiles ?? [] }, null, 2) }] };
      } catch (error) {
        throw readFailure(error, options);
      }
    },
  );

  server.registerResource(
    'agent',
    new ResourceTemplate('lightspeed://agents/{profileId}', { list: undefined }),
    { title: 'Agent profile', description: 'One agent profile: its config, instructions and revision.', mimeType: 'application/json' },
    async (uri, variables, extra) => {
      try {
        const { profile } = await api.call('profiles/read', { profileId: variable(variables.profileId) }, extra.signal);
        return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(profile, null, 2) }] };
      } catch (error) {
        throw readFailure(error, options);
      }
    },
  );
}
