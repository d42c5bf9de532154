import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { AgentApi } from './agent-api.js';
import { registerResources } from './resources.js';
import { registerSessionTools } from './session-tools.js';
import { registerWaitTools } from './wait-tools.js';

export interface LightspeedMcpServerOptions {
  serverInfo?: { name: string; version: string };
  /** Receives unexpected failures; the client sees an opaque internal error. */
  onInternalError?: (error: unknown) => void;
}

/**
 * The platform as an MCP server: session, transcript and wait tools and the session and agent
 * resources, all over `api` (the agent API v1), so stdio and streamable HTTP serve the same thing.
 * Connect it to one transport; it is not shared between MCP sessions.
 */
export function createLightspeedMcpServer(api: AgentApi, options: LightspeedMcpServerOptions = {}): McpServer {
  const server = new McpServer(options.serverInfo ?? { name: 'lightspeed', version: '0.1.0' }, {
    instructions:
      'Lightspeed agent sessions. Start one with sessions_start (optionally from an agent listed in lightspeed://agents), talk to it with sessions_send, read it with sessions_read; answer the questions and approvals it waits on with waits_list and waits_answer.',
  });
  const tools = { onInternalError: options.onInternalError ?? (() => undefined) };
  registerSessionTools(server, api, tools);
  registerWaitTools(server, api, tools);
  registerResources(server, api, tools);
  return server;
}
