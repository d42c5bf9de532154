import { isLightspeedError, type McpServerCatalog } from '@lightspeed/ports';
import { invalidRequest } from '../rpc/api-error.js';
import type { SessionConfig } from '../schemas/config.js';

/**
 * Refuses a config that links an MCP server the universe has not registered, naming the link
 * (`config.features.mcp.servers[i].serverId`): silently dropping it would leave the session
 * without the tools it asked for. Without a catalog no server is registered.
 */
export async function checkMcpLinks(catalog: McpServerCatalog | undefined, universe: string, config: SessionConfig | null | undefined): Promise<void> {
  const links = config?.features?.mcp?.servers ?? [];
  if (links.length === 0) return;
  const store = catalog?.(universe);
  for (const [index, link] of links.entries()) {
    // An id the store refuses to look up (bad characters) is as unknown as a missing one.
    const found = store ? await store.get(link.serverId).catch((error: unknown) => (isLightspeedError(error, 'invalid') ? undefined : Promise.reject(error))) : undefined;
    if (found) continue;
    const known = store ? (await store.list()).map((record) => record.document.serverId) : [];
    const hint = known.length > 0 ? `registered: ${known.slice(0, 20).join(', ')}` : 'none is registered; add one with mcp/servers/put';
    throw invalidRequest(`config.features.mcp.servers[${index}].serverId: MCP server ${JSON.stringify(link.serverId)} is not registered in this universe (${hint})`);
  }
}
