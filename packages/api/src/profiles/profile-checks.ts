import { validateSessionConfig, type ModelSelection } from '@lightspeed/engine';
import { invalidRequest, rejected } from '../rpc/api-error.js';
import type { SessionConfig } from '../schemas/config.js';
import { toEngineConfig } from '../views/config-mapping.js';

/** The fields of a profile (named or inline) that say what a session gets. */
export interface ProfileBody {
  config?: SessionConfig | null;
  description?: string | null;
  displayName?: string | null;
  environment?: unknown;
  instructions?: { type: 'text'; text: string } | { type: 'textRef'; blobRef: string } | null;
}

export interface ProfileCheckOptions {
  /** Whether configs may grant `features.host` on this server. */
  allowHostFeature: boolean;
}

const LATER = 'is not supported yet (it would be accepted and do nothing); remove it';

/**
 * Config fields the contract defines that this server would accept and then ignore. A profile is
 * a definition sessions start from again and again, so it is refused at admission rather than
 * discovered at the first run to have done nothing.
 */
export function inertConfigFields(config: SessionConfig | null | undefined): string[] {
  if (!config) return [];
  const out: string[] = [];
  const features = config.features;
  if (features?.fleet != null) out.push('features.fleet');
  if (features?.timers != null) out.push('features.timers');
  if (features?.environments != null) out.push('features.environments');
  if (features?.web?.search != null) out.push('features.web.search');
  features?.mcp?.servers?.forEach((server, i) => {
    if (server.approval != null) out.push(`features.mcp.servers.${i}.approval`);
    if (server.deferLoading != null) out.push(`features.mcp.servers.${i}.deferLoading`);
  });
  if (config.generation?.processingTier != null) out.push('generation.processingTier');
  const compaction = config.context?.compaction;
  if (compaction?.mode === 'providerStandalone' && compaction.target_tokens != null) out.push('context.compaction.target_tokens');
  return out;
}

// Only the shape is checked here; the deployment's real default model is filled in at session start.
const PLACEHOLDER_MODEL: ModelSelection = { providerId: 'placeholder', apiKind: 'openai:responses', model: 'placeholder' };

/** Refuses what a profile may not carry on this server; `path` prefixes field names in messages. */
export function checkProfileBody(body: ProfileBody, path: string, options: ProfileCheckOptions): void {
  if (body.environment != null) throw rejected(`${path}.environment: profile environments are not supported by this server; remove the field`);
  const config = body.config;
  if (!config) return;
  const inert = inertConfigFields(config);
  if (inert.length > 0) throw rejected(`${path}.config.${inert[0]} ${LATER}${inert.length > 1 ? ` (also: ${inert.slice(1).join(', ')})` : ''}`);
  if (config.features?.host != null && !options.allowHostFeature) {
    throw rejected(`${path}.config.features.host is disabled on this server: host directory access and commands need a single-user server started with host tools enabled`);
  }
  let engine;
  try {
    engine = toEngineConfig(config, { model: PLACEHOLDER_MODEL });
  } catch (error) {
    throw invalidRequest(`${path}.${(error as Error).message}`);
  }
  const rejection = validateSessionConfig(engine);
  if (rejection && !rejection.ok) throw invalidRequest(`${path}.${rejection.rejection.message}`);
}
