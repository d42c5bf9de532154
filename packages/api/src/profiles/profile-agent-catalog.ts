import type { AgentCatalog, AgentStart, BlobStore, ProfileStore } from '@lightspeed/ports';
import { LightspeedError } from '@lightspeed/ports';
import { ApiError } from '../rpc/api-error.js';
import { toEngineConfig, type ConfigDefaults } from '../views/config-mapping.js';
import { refuseUnsupportedConfig } from '../views/unsupported-config.js';
import { ProfileCatalog, profileInstructionsEntry } from './profile-catalog.js';

export interface ProfileAgentCatalogDeps {
  profilesOf: (universe: string) => ProfileStore;
  blobsOf: (universe: string) => BlobStore;
  defaultsOf: () => Promise<ConfigDefaults>;
  /** Whether a profile may grant host tools (the gateway's policy). Default false. */
  allowHostFeature?: boolean;
}

/**
 * The agent profiles of each universe as sub-agents start from them (`spawn_agent {agent}`): the
 * same resolution `session/start {profile}` does — policy checks, the config mapped for the engine
 * and pinned to the profile's revision, its instructions as the first context entry.
 */
export function profileAgentCatalogs(deps: ProfileAgentCatalogDeps): (universe: string) => AgentCatalog {
  const catalog = new ProfileCatalog({ profilesOf: deps.profilesOf, blobsOf: deps.blobsOf, allowHostFeature: deps.allowHostFeature === true });
  return (universe) => ({
    async resolve(profileId): Promise<AgentStart | undefined> {
      if (!(await deps.profilesOf(universe).get(profileId))) return undefined;
      try {
        const resolved = await catalog.resolve({ kind: 'named', profileId }, universe);
        refuseUnsupportedConfig(resolved.config);
        const config = toEngineConfig(resolved.config, await deps.defaultsOf());
        if (resolved.origin) config.origin = resolved.origin;
        const start: AgentStart = { config };
        if (resolved.displayName) start.displayName = resolved.displayName;
        if (resolved.instructions !== undefined) start.context = [await profileInstructionsEntry(deps.blobsOf(universe), resolved.instructions, resolved.origin)];
        return start;
      } catch (error) {
        // The profile exists but the server's policy refuses what it grants: the model is told why.
        if (error instanceof ApiError) throw new LightspeedError('invalid', `agent ${profileId} cannot be started here: ${error.message}`);
        throw error;
      }
    },
  });
}
