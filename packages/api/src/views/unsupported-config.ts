import { invalidRequest } from '../rpc/api-error.js';
import type { RunStartConfig, SessionConfig } from '../schemas/config.js';

/**
 * Members of the v1 config document this server accepts in shape but does not act on yet. A
 * document that sets one is refused with the member's path and why, instead of being stored and
 * silently doing nothing. Remove an entry when the feature it names works.
 */
const NOT_YET: { path: string; get: (doc: SessionConfig) => unknown; why: string }[] = [
  { path: 'features.fleet', get: (d) => d.features?.fleet, why: 'sub-agents are not available on this server yet' },
  { path: 'features.environments', get: (d) => d.features?.environments, why: 'environments are not available on this server yet' },
  { path: 'features.timers', get: (d) => d.features?.timers, why: 'timer tools are not available on this server yet' },
  { path: 'features.web.search', get: (d) => d.features?.web?.search, why: 'web search is not available on this server (web.fetch is)' },
  { path: 'generation.processingTier', get: (d) => d.generation?.processingTier, why: 'processing tiers are not passed to providers yet' },
];

/** Per linked MCP server: approval policies and deferred loading are not implemented. */
function mcpLinkFields(doc: SessionConfig): { path: string; why: string } | undefined {
  const servers = doc.features?.mcp?.servers ?? [];
  for (const [i, link] of servers.entries()) {
    if (link.approval != null) return { path: `features.mcp.servers[${i}].approval`, why: 'MCP tool approval policies are not available on this server yet' };
    if (link.deferLoading != null) return { path: `features.mcp.servers[${i}].deferLoading`, why: 'deferred MCP tool loading is not available on this server' };
  }
  return undefined;
}

/** Throws `invalid_request` naming the first member the server would otherwise ignore. */
export function refuseUnsupportedConfig(doc: SessionConfig | RunStartConfig | null | undefined, prefix = 'config'): void {
  if (doc == null) return;
  const session = doc as SessionConfig;
  const found = NOT_YET.find((field) => field.get(session) != null) ?? mcpLinkFields(session);
  if (found) throw invalidRequest(`${prefix}.${found.path}: ${found.why}; remove it from the config`);
}
