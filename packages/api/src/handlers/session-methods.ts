import { randomUUID } from 'node:crypto';
import type { AgentHost, SessionRef } from '@lightspeed/driver';
import { type ContextPutEntry, type ParentLink, type SessionState } from '@lightspeed/engine';
import { profileInstructionsEntry, type ProfileCatalog } from '../profiles/profile-catalog.js';
import { ApiError, rejected } from '../rpc/api-error.js';
import type { MethodHandlers } from '../rpc/dispatcher.js';
import type { SessionConfig } from '../schemas/config.js';
import { toEngineConfig, configDocument, type ConfigDefaults } from '../views/config-mapping.js';
import { refuseUnsupportedConfig } from '../views/unsupported-config.js';
import { inlineSessionTexts } from '../views/inline-text.js';
import { sessionSummaryView, sessionView } from '../views/session-view.js';
import type { SessionAccess } from './session-access.js';
import { filteredSessions } from './session-list-filter.js';

/** session/start, read, list, config/put, rename, close, delete. */
export interface SessionMethodOptions {
  /** Whether configs may grant the `host` feature (host directory and commands). Default false. */
  allowHostFeature?: boolean;
  /** Further admission checks of a config (e.g. that linked MCP servers are registered); throws to refuse. */
  checkConfig?: (config: SessionConfig | null | undefined, universe: string) => Promise<void>;
}

export function sessionMethods(access: SessionAccess, catalog: ProfileCatalog, defaultsOf: () => Promise<ConfigDefaults>, options: SessionMethodOptions = {}): MethodHandlers {
  const host = access.host;
  const checkFeatures = (config: SessionConfig | null | undefined) => {
    refuseUnsupportedConfig(config);
    if (config?.features?.host != null && !options.allowHostFeature) {
      throw rejected('features.host is disabled on this server: host directory access and commands need a single-user server started with host tools enabled');
    }
  };
  return {
    'session/start': async (params, { universe }) => {
      const ref: SessionRef = { universe, sessionId: params.sessionId ?? `ses_${randomUUID()}` };
      const existing = await host.state(ref);
      // Retrying an existing id returns the session as it is: creation settings apply only once.
      if (existing && existing.status !== 'new') return { result: { session: sessionView(existing) } };

      let config: SessionConfig | null | undefined = params.config;
      let displayName = params.displayName ?? undefined;
      const resolved = params.profile ? await catalog.resolve(params.profile, universe) : undefined;
      // An explicit config wins over the profile's; the profile's instructions and name still apply.
      config ??= resolved?.config;
      displayName ??= resolved?.displayName;
      checkFeatures(config);
      await options.checkConfig?.(config, universe);
      // The instructions go to CAS first (blobs before log), then ride in the open itself: one
      // append, so no crash can leave the session open without them.
      const context: ContextPutEntry[] = [];
      if (resolved?.instructions !== undefined) context.push(await profileInstructionsEntry(host.blobs(universe), resolved.instructions, resolved.origin));
      const engineConfig = toEngineConfig(config, await defaultsOf());
      // Pinned in session.opened: the log says which revision of which profile the session runs.
      if (resolved?.origin) engineConfig.origin = resolved.origin;
      const command = {
        type: 'session.open' as const,
        sessionId: ref.sessionId,
        config: engineConfig,
        ...(displayName ? { displayName } : {}),
        ...(context.length > 0 ? { context } : {}),
      };
      let state: SessionState;
      try {
        ({ state } = await access.submit(ref, command));
      } catch (error) {
        // A concurrent start of the same id won the race: answer with that session, as a retry would get.
        const raced = error instanceof ApiError && error.kind === 'conflict' ? await host.state(ref) : undefined;
        if (raced && raced.status !== 'new') return { result: { session: sessionView(raced) } };
        throw error;
      }
      return { result: { session: sessionView(state) } };
    },

    'session/read': async ({ sessionId }, { universe }) => ({
      result: { session: await inlineSessionTexts(sessionView(await access.read({ universe, sessionId })), host.blobs(universe)) },
    }),

    'session/list': async ({ cursor, limit, ...filter }, { universe }) => {
      const page = await filteredSessions(host, universe, { limit: Math.min(Math.max(limit ?? 50, 1), 500), cursor: cursor ?? undefined }, filter);
      return {
        result: {
          sessions: await Promise.all(
            page.sessions.map(async (summary) => {
              const parent = await parentLinkOf(host, { universe, sessionId: summary.sessionId });
              return {
                id: summary.sessionId,
                lifecycleStatus: summary.status === 'closed' ? ('closed' as const) : ('open' as const),
                managed: false,
                ...(summary.displayName ? { displayName: summary.displayName } : {}),
                createdAtMs: summary.createdAt,
                updatedAtMs: summary.updatedAt,
                ...(parent ? { parent } : {}),
              };
            }),
          ),
          ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
        },
      };
    },

    'session/config/put': async ({ sessionId, config, expectedConfigRevision }, { universe }) => {
      checkFeatures(config);
      await options.checkConfig?.(config, universe);
      const ref = { universe, sessionId };
      const current = await access.read(ref);
      // An omitted model keeps the session's model: its API kind is pinned for the session's lifetime.
      const model = config.model ?? configDocument(current.config)?.model ?? null;
      const engineConfig = toEngineConfig({ ...config, model }, await defaultsOf());
      const command = { type: 'session.configure' as const, config: engineConfig, ...(expectedConfigRevision != null ? { expectedRevision: expectedConfigRevision } : {}) };
      const { state } = await access.submit(ref, command);
      return { result: { session: sessionView(state) } };
    },

    'session/rename': async ({ sessionId, displayName }, { universe }) => {
      const ref = { universe, sessionId };
      await access.read(ref);
      // The engine records names as strings; the empty name is "no name" in every view.
      const { state } = await access.submit(ref, { type: 'session.rename', displayName: displayName ?? '' });
      return { result: { session: sessionSummaryView(state) } };
    },

    'session/close': async ({ sessionId, force }, { universe }) => {
      const ref = { universe, sessionId };
      const current = await access.read(ref);
      if (current.status === 'closed') return { result: { session: sessionView(current) } };
      const { state } = await access.submit(ref, { type: 'session.close', force });
      return { result: { session: sessionView(state) } };
    },

    'session/delete': async ({ sessionId }, { universe }) => {
      const ref = { universe, sessionId };
      const current = await access.read(ref);
      // Rejected (as upstream), not conflict: re-reading and retrying cannot help; closing first does.
      if (current.status !== 'closed') throw rejected(`session ${sessionId} is open; close it with session/close before deleting it`);
      const summary = sessionSummaryView(current);
      await host.deleteSession(ref);
      return { result: { session: summary } };
    },
  };
}

/**
 * The parent link of a sub-agent session. Only ids shaped like a child's (`<parent>.<12 hex>`) are
 * looked up, so listing ordinary sessions reads nothing beyond the list projection.
 */
async function parentLinkOf(host: AgentHost, ref: SessionRef): Promise<ParentLink | undefined> {
  if (!CHILD_ID.test(ref.sessionId)) return undefined;
  const parent = (await host.state(ref))?.config?.parent;
  return parent ? { ...parent } : undefined;
}

const CHILD_ID = /\.[0-9a-f]{12}$/;
