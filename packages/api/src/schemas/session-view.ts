import { z } from 'zod';
import { SessionConfig } from './config.js';
import { ContextView } from './context.js';
import { named, uint } from './registry.js';
import { RunView, UsageView } from './runs.js';

export const SessionStatus = named('SessionStatus', z.enum(['notLoaded', 'idle', 'active', 'closed', 'error']));
export type SessionStatus = z.infer<typeof SessionStatus>;
export const SessionLifecycleStatus = named('SessionLifecycleStatus', z.enum(['new', 'open', 'closed']));

export const ToolKindView = named(
  'ToolKindView',
  z.discriminatedUnion('type', [
    z.object({
      type: z.literal('function'),
      inputSchemaRef: z.string(),
      descriptionRef: z.string().nullish(),
      outputSchemaRef: z.string().nullish(),
      providerOptionsRef: z.string().nullish(),
      strict: z.boolean().nullish(),
    }),
    z.object({
      type: z.literal('providerNative'),
      apiKind: z.string(),
      nativeToolRef: z.string(),
      execution: z.enum(['providerHosted', 'clientEffect']),
    }),
  ]),
);
export const ToolView = named(
  'ToolView',
  z.object({ toolId: z.string(), kind: ToolKindView, parallelism: z.enum(['exclusive', 'parallelSafe']).default('parallelSafe') }),
);
export type ToolView = z.infer<typeof ToolView>;
export const ActiveToolsView = named('ActiveToolsView', z.object({ revision: uint(), tools: z.array(ToolView).default([]) }));

export const ParentLinkView = named(
  'ParentLinkView',
  z.object({ sessionId: z.string(), runId: z.string(), callId: z.string().optional(), depth: uint().optional() }),
  'Lightspeed extension: a sub-agent session names the session, run and tool call that spawned it.',
);

export const SessionView = named(
  'SessionView',
  z.object({
    id: z.string(),
    status: SessionStatus,
    managed: z.boolean(),
    displayName: z.string().nullish(),
    config: SessionConfig.nullish(),
    configRevision: uint(),
    createdAtMs: uint(),
    updatedAtMs: uint(),
    activeContext: ContextView,
    activeTools: ActiveToolsView.optional(),
    activeEnvironmentId: z.string().nullish(),
    runs: z.array(RunView).default([]),
    usage: UsageView.optional().describe('Lightspeed extension: what the whole session consumed.'),
    profile: z
      .object({ profileId: z.string(), revision: uint() })
      .optional()
      .describe('Lightspeed extension: the agent profile and revision the current config came from (session/start or session/profiles/apply with a named profile).'),
    parent: ParentLinkView.optional(),
  }),
  'The projected session: sparse config and revisions, lifecycle and run state, active context and tools.',
);
export type SessionView = z.infer<typeof SessionView>;

export const SessionSummaryView = named(
  'SessionSummaryView',
  z.object({
    id: z.string(),
    lifecycleStatus: SessionLifecycleStatus,
    managed: z.boolean(),
    displayName: z.string().nullish(),
    createdAtMs: uint(),
    updatedAtMs: uint(),
    parent: ParentLinkView.optional(),
  }),
);
export type SessionSummaryView = z.infer<typeof SessionSummaryView>;
