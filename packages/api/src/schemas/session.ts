import { z } from 'zod';
import { SessionConfig } from './config.js';
import { named, uint } from './registry.js';
import { SessionSummaryView, SessionView } from './session-view.js';

export const ProfileInstructions = named(
  'ProfileInstructions',
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('text'), text: z.string() }),
    z.object({ type: z.literal('textRef'), blobRef: z.string() }),
  ]),
);
export const InlineAgentProfile = named(
  'InlineAgentProfile',
  z.strictObject({
    config: SessionConfig.nullish(),
    description: z.string().nullish(),
    displayName: z.string().nullish(),
    instructions: ProfileInstructions.nullish(),
    // Environments are not offered by this server; a profile that asks for one is rejected.
    environment: z.unknown().optional(),
  }),
);
export const ProfileSource = named(
  'ProfileSource',
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('named'), profileId: z.string().min(1).max(256) }),
    z.object({ kind: z.literal('inline'), profile: InlineAgentProfile }),
  ]),
);
export type ProfileSource = z.infer<typeof ProfileSource>;

export const SessionStartParams = named(
  'SessionStartParams',
  z.strictObject({
    sessionId: z.string().min(1).max(200).nullish(),
    displayName: z.string().nullish(),
    config: SessionConfig.nullish(),
    profile: ProfileSource.nullish(),
  }),
);
export const SessionStartResponse = named('SessionStartResponse', z.object({ session: SessionView }));

export const SessionReadParams = named('SessionReadParams', z.object({ sessionId: z.string() }));
export const SessionReadResponse = named('SessionReadResponse', z.object({ session: SessionView }));

export const SessionListParams = named(
  'SessionListParams',
  z.object({
    cursor: z.string().nullish(),
    limit: uint().nullish(),
    search: z.string().max(200).nullish().describe('Lightspeed extension: case-insensitive text in the display name, id or agent (profile id).'),
    status: z.enum(['idle', 'active', 'closed']).nullish().describe('Lightspeed extension: only sessions in this list status.'),
    agent: z.string().max(200).nullish().describe('Lightspeed extension: only sessions started from this agent (profile id).'),
    model: z.string().max(200).nullish().describe('Lightspeed extension: only sessions whose model is this `model` or `provider/model`.'),
  }),
);
export const SessionListResponse = named(
  'SessionListResponse',
  z.object({ sessions: z.array(SessionSummaryView).default([]), nextCursor: z.string().nullish() }),
);

export const SessionConfigPutParams = named(
  'SessionConfigPutParams',
  z.object({ sessionId: z.string(), config: SessionConfig, expectedConfigRevision: uint().nullish() }),
);
export const SessionConfigPutResponse = named('SessionConfigPutResponse', z.object({ session: SessionView }));

export const SessionRenameParams = named(
  'SessionRenameParams',
  z.object({ sessionId: z.string(), displayName: z.string().nullish() }),
);
export const SessionRenameResponse = named('SessionRenameResponse', z.object({ session: SessionSummaryView }));

export const SessionCloseParams = named('SessionCloseParams', z.object({ sessionId: z.string(), force: z.boolean().default(false) }));
export const SessionCloseResponse = named('SessionCloseResponse', z.object({ session: SessionView }));

export const SessionDeleteParams = named('SessionDeleteParams', z.object({ sessionId: z.string() }));
export const SessionDeleteResponse = named('SessionDeleteResponse', z.object({ session: SessionSummaryView }));

/** `session/context/compact` answers with the whole session (it lives here to keep imports acyclic). */
export const ContextCompactResponse = named('ContextCompactResponse', z.object({ session: SessionView }));
