import type { ChatSettings } from './chat-settings.js';

/** Where `--mount` puts the local directory inside the session's file namespace. */
export const MOUNT_PATH = '/workspace';

/** What the chat's flags change in a session config document (`--mount`, `--mcp`, the settings). */
export interface ChatConfigChanges {
  /** The workspace `--mount` created, linked read-write at /workspace. */
  workspaceId?: string;
  /** Registered MCP servers (`lightspeed mcp servers put`) to link, by id. */
  mcpServers?: string[];
  settings?: ChatSettings;
}

export function hasConfigChanges(changes: ChatConfigChanges): boolean {
  const s = changes.settings;
  return changes.workspaceId !== undefined || (changes.mcpServers?.length ?? 0) > 0 || (s !== undefined && (s.reasoningEffort !== undefined || s.maxTurns !== undefined || s.budgetUsd !== undefined || s.host !== undefined || s.askUser === true || s.timers === true || (s.askBefore?.length ?? 0) > 0));
}

/**
 * `config` (a session's or an agent's document, or none) with the flags applied on top: the flags
 * win over what the document says for the members they name, and every other member stays.
 */
export function applyConfigChanges(config: any, changes: ChatConfigChanges): any {
  const out = { ...(config ?? {}) };
  let features = out.features;
  if (changes.workspaceId) features = mountFeatures(features, changes.workspaceId);
  if (changes.mcpServers?.length) features = linkMcpServers(features, changes.mcpServers);
  const settings = changes.settings ?? {};
  if (settings.host) features = hostFeatures(features, settings.host);
  if (settings.askUser) features = { ...(features ?? {}), askUser: { version: 1 } };
  if (settings.timers) features = { ...(features ?? {}), timers: { version: 1 } };
  if (features !== undefined) out.features = features;
  if (settings.askBefore?.length) {
    // The flags' rules come first: the first matching rule wins, so they override an agent's.
    const rules = [...settings.askBefore.map((tool) => ({ tool, policy: 'ask' })), ...(out.approvals?.rules ?? [])];
    out.approvals = { ...(out.approvals ?? {}), rules };
  }
  if (settings.reasoningEffort !== undefined) out.generation = { ...(out.generation ?? {}), reasoningEffort: settings.reasoningEffort };
  if (settings.maxTurns !== undefined || settings.budgetUsd !== undefined) {
    const limits = { ...(out.limits ?? {}) };
    if (settings.maxTurns !== undefined) limits.maxTurns = settings.maxTurns;
    if (settings.budgetUsd !== undefined) limits.costBudgetUsd = settings.budgetUsd;
    out.limits = limits;
  }
  return out;
}

/** Links the MCP servers by id, keeping links the config already has (and their settings). */
function linkMcpServers(features: any, serverIds: readonly string[]): any {
  const mcp = { ...(features?.mcp ?? {}) };
  const links: { serverId: string }[] = [...(mcp.servers ?? [])];
  for (const serverId of serverIds) if (!links.some((link) => link.serverId === serverId)) links.push({ serverId });
  return { ...(features ?? {}), mcp: { ...mcp, servers: links } };
}

/** The VFS feature that mounts a workspace read-write and grants the file tools over it. */
function mountFeatures(features: any, workspaceId: string): any {
  const out = { ...(features ?? {}) };
  const vfs = { ...(out.vfs ?? {}) };
  const links = (vfs.workspaceLinks ?? []).filter((link: { path: string }) => link.path !== MOUNT_PATH);
  vfs.workspaceLinks = [...links, { path: MOUNT_PATH, target: { type: 'workspace', workspaceId }, access: 'readWrite' }];
  // An agent that grants read-only file tools keeps them read-only over the mount too.
  vfs.tools = vfs.tools === 'readOnly' ? 'readOnly' : 'edit';
  out.vfs = vfs;
  return out;
}

/**
 * `--host-dir DIR [--exec]`: the directory replaces an agent's host root, and `exec` is granted
 * only by `--exec` (the host feature's own default is on, so it is always written out). The
 * agent's other host settings (mount path, timeouts, env, read-only) stay.
 */
function hostFeatures(features: any, host: NonNullable<ChatSettings['host']>): any {
  return { ...(features ?? {}), host: { ...(features?.host ?? {}), root: host.root, exec: host.exec } };
}
