import type { ModelSelection } from '@lightspeed/engine';
import type { RpcClient } from '../client/rpc-client.js';
import { CliError } from '../cli-error.js';
import type { CliIo } from '../cli-io.js';
import { workspaceFromDirectory } from '../vfs/local-snapshot.js';

/** Where `--mount` puts the local directory inside the session's file namespace. */
export const MOUNT_PATH = '/workspace';

export interface ChatSessionRequest {
  sessionId?: string;
  mount?: string;
  model?: ModelSelection;
  /** Start the new session from this stored agent profile (`session/start` with a named profile). */
  agent?: string;
  /** Registered MCP servers (`lightspeed mcp servers put`) to link, by id. */
  mcpServers?: string[];
}

/** Links the MCP servers by id, keeping links the config already has (and their settings). */
function linkMcpServers(features: any, serverIds: readonly string[]): any {
  const mcp = { ...(features?.mcp ?? {}) };
  const links: { serverId: string }[] = [...(mcp.servers ?? [])];
  for (const serverId of serverIds) if (!links.some((link) => link.serverId === serverId)) links.push({ serverId });
  return { ...(features ?? {}), mcp: { ...mcp, servers: links } };
}

/** The VFS feature that mounts a workspace read-write and grants the file tools over it. */
function mountFeatures(config: any, workspaceId: string): any {
  const features = { ...(config?.features ?? {}) };
  const vfs = { ...(features.vfs ?? {}) };
  const links = (vfs.workspaceLinks ?? []).filter((link: { path: string }) => link.path !== MOUNT_PATH);
  vfs.workspaceLinks = [...links, { path: MOUNT_PATH, target: { type: 'workspace', workspaceId }, access: 'readWrite' }];
  // An agent that grants read-only file tools keeps them read-only over the mount too.
  vfs.tools = vfs.tools === 'readOnly' ? 'readOnly' : 'edit';
  features.vfs = vfs;
  return features;
}

/**
 * Opens the session a chat talks to: an existing one (`--session`), or a new one with the chosen
 * model. `--mount DIR` snapshots the directory into a new writable workspace and links it at
 * /workspace and `--mcp ID` links a registered MCP server (on an existing session, by updating its config).
 */
export async function openChatSession(client: RpcClient, request: ChatSessionRequest, io: CliIo): Promise<{ sessionId: string; workspaceId?: string; model?: string }> {
  let workspaceId: string | undefined;
  if (request.mount) workspaceId = (await workspaceFromDirectory(client, request.mount, io)).workspaceId;
  if (request.sessionId) {
    let session: any;
    try {
      ({ session } = await client.call('session/read', { sessionId: request.sessionId }));
    } catch (error) {
      if ((error as { kind?: string }).kind === 'not_found') throw new CliError(`session ${request.sessionId} does not exist`, 1, 'list sessions with `lightspeed sessions list`, or start one with `chat --new`');
      throw error;
    }
    if (workspaceId || request.mcpServers?.length) {
      let features = workspaceId ? mountFeatures(session.config, workspaceId) : session.config?.features;
      if (request.mcpServers?.length) features = linkMcpServers(features, request.mcpServers);
      const config = { ...(session.config ?? {}), features };
      ({ session } = await client.call('session/config/put', { sessionId: request.sessionId, config, expectedConfigRevision: session.configRevision }));
    }
    return { sessionId: session.id, ...(workspaceId ? { workspaceId } : {}), ...modelLabel(session) };
  }
  if (request.agent) {
    const profile = { kind: 'named', profileId: request.agent };
    // The agent's config stands, plus the mount and MCP links; without them the server takes it from the profile.
    let config: any;
    if (workspaceId || request.mcpServers?.length) {
      const stored = (await client.call<{ profile: any }>('profiles/read', { profileId: request.agent })).profile;
      let features = workspaceId ? mountFeatures(stored.config, workspaceId) : stored.config?.features;
      if (request.mcpServers?.length) features = linkMcpServers(features, request.mcpServers);
      config = { ...(stored.config ?? {}), features };
      config.model ??= request.model;
    }
    const { session } = await client.call('session/start', { profile, ...(config ? { config } : {}) });
    return { sessionId: session.id, ...(workspaceId ? { workspaceId } : {}), ...modelLabel(session) };
  }
  const config: any = {};
  if (request.model) config.model = request.model;
  if (workspaceId) config.features = mountFeatures(undefined, workspaceId);
  if (request.mcpServers?.length) config.features = linkMcpServers(config.features, request.mcpServers);
  const { session } = await client.call('session/start', { config });
  return { sessionId: session.id, ...(workspaceId ? { workspaceId } : {}), ...modelLabel(session) };
}

function modelLabel(session: any): { model?: string } {
  const model = session?.config?.model;
  return model ? { model: `${model.providerId}/${model.model}` } : {};
}
