import type { ModelSelection } from '@lightspeed/engine';
import type { RpcClient } from '../client/rpc-client.js';
import { CliError } from '../cli-error.js';
import type { CliIo } from '../cli-io.js';
import { workspaceFromDirectory } from '../vfs/local-snapshot.js';
import { applyConfigChanges, hasConfigChanges, type ChatConfigChanges } from './chat-config.js';
import { explainRefusal } from './chat-refusals.js';
import type { ChatSettings } from './chat-settings.js';

export interface ChatSessionRequest {
  sessionId?: string;
  mount?: string;
  model?: ModelSelection;
  /** Start the new session from this stored agent profile (`session/start` with a named profile). */
  agent?: string;
  /** Registered MCP servers (`lightspeed mcp servers put`) to link, by id. */
  mcpServers?: string[];
  /** Instructions, generation, limits and host tools from the command line (they win over the agent's). */
  settings?: ChatSettings;
}

type Opened = { sessionId: string; workspaceId?: string; model?: string };

/**
 * Opens the session a chat talks to: an existing one (`--session`), or a new one with the chosen
 * model. `--mount DIR` snapshots the directory into a new writable workspace and links it at
 * /workspace, `--mcp ID` links a registered MCP server, and the settings flags set their config
 * members; on an existing session all of them update its config (`session/config/put`), kept for
 * its later runs. Instructions are the session's profile instructions entry: given at start, or
 * replaced with `session/profiles/apply` (an agent's own, or an existing session's).
 */
export async function openChatSession(client: RpcClient, request: ChatSessionRequest, io: CliIo): Promise<Opened> {
  const settings = request.settings ?? {};
  try {
    return await open(client, request, settings, io);
  } catch (error) {
    throw explainRefusal(error, settings);
  }
}

async function open(client: RpcClient, request: ChatSessionRequest, settings: ChatSettings, io: CliIo): Promise<Opened> {
  let workspaceId: string | undefined;
  if (request.mount) workspaceId = (await workspaceFromDirectory(client, request.mount, io)).workspaceId;
  const changes: ChatConfigChanges = { ...(workspaceId ? { workspaceId } : {}), ...(request.mcpServers ? { mcpServers: request.mcpServers } : {}), settings };
  const opened = (session: any): Opened => ({ sessionId: session.id, ...(workspaceId ? { workspaceId } : {}), ...modelLabel(session) });
  if (request.sessionId) {
    let session: any;
    try {
      ({ session } = await client.call('session/read', { sessionId: request.sessionId }));
    } catch (error) {
      if ((error as { kind?: string }).kind === 'not_found') throw new CliError(`session ${request.sessionId} does not exist`, 1, 'list sessions with `lightspeed sessions list`, or start one with `chat --new`');
      throw error;
    }
    if (hasConfigChanges(changes)) {
      const config = applyConfigChanges(session.config, changes);
      ({ session } = await client.call('session/config/put', { sessionId: request.sessionId, config, expectedConfigRevision: session.configRevision }));
    }
    if (settings.instructions !== undefined) session = await replaceInstructions(client, session.id, settings.instructions);
    return opened(session);
  }
  if (request.agent) {
    const profile = { kind: 'named', profileId: request.agent };
    // The agent's config stands, with the flags on top; without flags the server takes it from the profile.
    let config: any;
    if (hasConfigChanges(changes)) {
      const stored = (await client.call<{ profile: any }>('profiles/read', { profileId: request.agent })).profile;
      config = applyConfigChanges(stored.config, changes);
      config.model ??= request.model;
    }
    let { session } = await client.call('session/start', { profile, ...(config ? { config } : {}) });
    // Started from the named profile (so the log pins its revision), then its instructions replaced.
    if (settings.instructions !== undefined) session = await replaceInstructions(client, session.id, settings.instructions);
    return opened(session);
  }
  const config = applyConfigChanges(request.model ? { model: request.model } : {}, changes);
  // An inline profile carries the instructions into the session's opening append.
  const profile = settings.instructions !== undefined ? { profile: { kind: 'inline', profile: { instructions: { type: 'text', text: settings.instructions } } } } : {};
  const { session } = await client.call('session/start', { config, ...profile });
  return opened(session);
}

/** Replaces the session's profile instructions entry (the session must be idle). */
async function replaceInstructions(client: RpcClient, sessionId: string, text: string): Promise<any> {
  const { session } = await client.call('session/profiles/apply', { sessionId, profile: { kind: 'inline', profile: { instructions: { type: 'text', text } } } });
  return session;
}

function modelLabel(session: any): { model?: string } {
  const model = session?.config?.model;
  return model ? { model: `${model.providerId}/${model.model}` } : {};
}
