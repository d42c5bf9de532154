import { invalidRequest } from '../rpc/api-error.js';
import type { RunStartConfig, SessionConfig } from '../schemas/config.js';

/**
 * Members of the v1 config document this server accepts in shape but does not act on yet. A
 * document that sets one is refused with the member's path and why, instead of being stored and
 * silently doing nothing. Remove an entry when the feature it names works.
 */
const NOT_YET: { path: string; get: (doc: SessionConfig) => unknown; why: string }[] = [
  { path: 'features.fleet.profiles.inline', get: (d) => (d.features?.fleet?.profiles?.inline === true ? true : undefined), why: 'inline sub-agent profiles are not available on this server (spawn from a named agent or a fork)' },
  { path: 'features.fleet.spawn.bases', get: (d) => (d.features?.fleet?.spawn?.bases?.includes('session') ? true : undefined), why: 'the `session` spawn base is not available on this server (self and profile are)' },
  { path: 'features.environments', get: (d) => d.features?.environments, why: 'environments are not available on this server yet' },
  { path: 'features.web.search', get: (d) => d.features?.web?.search, why: 'web search is not available on this server (web.fetch is)' },
  { path: 'generation.processingTier', get: (d) => d.generation?.processingTier, why: 'processing tiers are not passed to providers yet' },
];

export interface UnsupportedField {
  path: string;
  why: string;
}

/** Every member of `doc` the server would otherwise accept and ignore, in document order. */
export function unsupportedConfigFields(doc: SessionConfig | RunStartConfig | null | undefined): UnsupportedField[] {
  if (doc == null) return [];
  const session = doc as SessionConfig;
  const found: UnsupportedField[] = NOT_YET.filter((field) => field.get(session) != null).map(({ path, why }) => ({ path, why }));
  (session.features?.mcp?.servers ?? []).forEach((link, i) => {
    if (link.approval != null) found.push({ path: `features.mcp.servers[${i}].approval`, why: 'MCP tool approval policies are not available on this server yet' });
    if (link.deferLoading != null) found.push({ path: `features.mcp.servers[${i}].deferLoading`, why: 'deferred MCP tool loading is not available on this server' });
  });
  const compaction = session.context?.compaction;
  if (compaction?.mode === 'providerStandalone' && compaction.target_tokens != null) {
    found.push({ path: 'context.compaction.target_tokens', why: 'compaction targets are not passed to providers yet' });
  }
  return found;
}

/** Throws `invalid_request` naming the first member the server would otherwise ignore (and the others). */
export function refuseUnsupportedConfig(doc: SessionConfig | RunStartConfig | null | undefined, prefix = 'config'): void {
  const [first, ...rest] = unsupportedConfigFields(doc);
  if (!first) return;
  const also = rest.length > 0 ? ` (also: ${rest.map((field) => `${prefix}.${field.path}`).join(', ')})` : '';
  throw invalidRequest(`${prefix}.${first.path}: ${first.why}; remove it from the config${also}`);
}
