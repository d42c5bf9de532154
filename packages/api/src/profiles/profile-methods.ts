import { canonicalJson } from '@lightspeed/engine';
import { conflict } from '../rpc/api-error.js';
import type { MethodHandlers } from '../rpc/dispatcher.js';
import type { SessionAccess } from '../handlers/session-access.js';
import { configDocument, toEngineConfig, type ConfigDefaults } from '../views/config-mapping.js';
import { sessionView } from '../views/session-view.js';
import type { SessionConfig } from '../schemas/config.js';
import { PROFILE_INSTRUCTIONS_KEY, profileDocument, profileInstructionsEntry, profileView, type ProfileCatalog } from './profile-catalog.js';

/** profiles/create, read, list, put, delete: the universe's catalog of agent profiles. */
export function profileMethods(catalog: ProfileCatalog): MethodHandlers {
  return {
    'profiles/create': async ({ profile }, { universe }) => {
      await catalog.checkInput(profile, universe);
      const record = await catalog.store(universe).create(profile.profileId, profileDocument(profile));
      return { result: { profile: profileView(record) } };
    },
    'profiles/read': async ({ profileId }, { universe }) => ({ result: { profile: profileView(await catalog.read(universe, profileId)) } }),
    'profiles/list': async ({ cursor, limit }, { universe }) => {
      const page = await catalog.store(universe).list({ ...(cursor ? { cursor } : {}), ...(limit != null ? { limit } : {}) });
      return {
        result: {
          profiles: page.profiles.map((record) => {
            const { description, displayName } = record.document as { description?: string; displayName?: string };
            return { profileId: record.id, revision: record.revision, updatedAtMs: record.updatedAt, ...(description ? { description } : {}), ...(displayName ? { displayName } : {}) };
          }),
          ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
        },
      };
    },
    'profiles/put': async ({ profile, expectedRevision }, { universe }) => {
      await catalog.checkInput(profile, universe);
      const record = await catalog.store(universe).put(profile.profileId, profileDocument(profile), expectedRevision ?? undefined);
      return { result: { profile: profileView(record) } };
    },
    'profiles/delete': async ({ profileId, expectedRevision }, { universe }) => {
      const record = await catalog.store(universe).delete(profileId, expectedRevision ?? undefined);
      return { result: { profile: profileView(record) } };
    },
  };
}

type ResolvedProfileConfig = SessionConfig | null | undefined;

/**
 * session/profiles/apply: the profile's config (its model defaulting to the session's, whose API
 * kind is pinned) replaces the session's, with the profile revision recorded in the log; its
 * instructions replace the profile instructions entry. Config and instructions are two appends: a
 * crash between them leaves the config applied, and re-applying completes the rest.
 */
export function profileApplyMethods(
  access: SessionAccess,
  catalog: ProfileCatalog,
  defaultsOf: () => Promise<ConfigDefaults>,
  /** Further admission checks of the profile's config (e.g. that linked MCP servers are registered). */
  checkConfig?: (config: ResolvedProfileConfig, universe: string) => Promise<void>,
): MethodHandlers {
  return {
    'session/profiles/apply': async ({ sessionId, profile, expectedConfigRevision, expectedToolsRevision }, { universe }) => {
      const ref = { universe, sessionId };
      let state = await access.read(ref);
      if (state.status === 'closed') throw conflict(`session ${sessionId} is closed; profiles apply to open sessions`);
      if (state.activeRunId !== undefined || state.queue.length > 0) throw conflict(`session ${sessionId} has a run in progress; apply the profile once it is idle`);
      if (expectedConfigRevision != null && expectedConfigRevision !== state.configRevision) {
        throw conflict(`session ${sessionId} is at config revision ${state.configRevision}, not ${expectedConfigRevision}; read it again and retry`);
      }
      if (expectedToolsRevision != null && expectedToolsRevision !== state.tools.revision) {
        throw conflict(`session ${sessionId} is at tools revision ${state.tools.revision}, not ${expectedToolsRevision}; read it again and retry`);
      }
      const resolved = await catalog.resolve(profile, universe);
      let configChanged = false;
      if (resolved.config) {
        await checkConfig?.(resolved.config, universe);
        const model = resolved.config.model ?? configDocument(state.config)?.model ?? null;
        const config = toEngineConfig({ ...resolved.config, model }, await defaultsOf());
        if (resolved.origin) config.origin = resolved.origin;
        if (canonicalJson(config) !== canonicalJson(state.config ?? null)) {
          ({ state } = await access.submit(ref, { type: 'session.configure', config, expectedRevision: state.configRevision }));
          configChanged = true;
        }
      }
      let instructionsChanged = false;
      if (resolved.instructions !== undefined) {
        const entry = await profileInstructionsEntry(access.host.blobs(universe), resolved.instructions, resolved.origin);
        const current = state.context.entries.find((e) => e.key === PROFILE_INSTRUCTIONS_KEY);
        if (current?.contentRef !== entry.contentRef) {
          ({ state } = await access.submit(ref, { type: 'context.put', entries: [entry] }));
          instructionsChanged = true;
        }
      }
      return { result: { session: sessionView(state), applied: { configChanged, instructionsChanged, activeEnvironmentChanged: false, environmentProvisioned: false } } };
    },
  };
}
