import { ScriptExecutorConfig } from '@lightspeed/ops';
import { z } from 'zod';
import { SessionConfig } from './config.js';
import { epochMs, named, uint } from './registry.js';
import { ProfileInstructions, ProfileSource } from './session.js';
import { SessionView } from './session-view.js';

/*
 * Agent profiles: universe-scoped, revisioned documents a session starts from (`session/start`
 * with `profile: {kind: "named"}`) or applies (`session/profiles/apply`). Shapes follow the v1
 * contract. Lightspeed refuses unknown fields here (the contract leaves profile objects open) so a
 * misspelled field is an error, not a silently ignored one; `list` takes a cursor (an extension).
 */

export const ProfileId = named('ProfileId', z.string().min(1).max(256));

/** How the dispatcher gives this agent a task, and what tasks/create accepts (docs/agents.md, "Tasks"). */
export const ProfileTaskConfig = named(
  'ProfileTaskConfig',
  z.strictObject({
    schema: z
      .record(z.string(), z.unknown())
      .nullish()
      .describe('JSON Schema (2020-12; draft-07 when its $schema says so) every task payload for this agent must satisfy; tasks/create refuses other payloads and enqueues nothing.'),
    template: z
      .string()
      .min(1)
      .max(64 * 1024)
      .nullish()
      .describe('The run input for a task: text with {{payload}}, {{payload.<member>…}} and {{task.id|kind|source|subject|attempt|tags}} placeholders. Default: the kind, subject and payload as JSON.'),
    requiredArtifacts: z
      .array(z.string().regex(/^\//, 'expected an absolute path in the session file space, such as /workspace/summary.md'))
      .max(64)
      .nullish()
      .describe('Files a successful run must leave in its file space (a script executor: in its workspace); a run without them blocks the task with the missing paths.'),
    executor: named('ScriptExecutor', ScriptExecutorConfig, 'Runs the task as a command in an environment instead of an agent run (docs/tasks.md, "Script tasks").')
      .nullish()
      .describe('A script executor instead of an agent run.'),
  }),
  'Lightspeed extension: what the agent needs to run queued tasks.',
);

const profileBody = {
  config: SessionConfig.nullish(),
  description: z.string().max(4096).nullish(),
  displayName: z.string().max(256).nullish(),
  // Environments are not offered by this server: a profile that asks for one is refused at admission.
  environment: z.unknown().optional(),
  instructions: ProfileInstructions.nullish(),
  task: ProfileTaskConfig.nullish(),
};

export const AgentProfileInput = named('AgentProfileInput', z.strictObject({ profileId: ProfileId, ...profileBody }));
export type AgentProfileInput = z.infer<typeof AgentProfileInput>;

export const AgentProfile = named(
  'AgentProfile',
  z.object({ profileId: ProfileId, revision: uint(), createdAtMs: epochMs(), updatedAtMs: epochMs(), ...profileBody }),
);
export type AgentProfile = z.infer<typeof AgentProfile>;

export const AgentProfileSummary = named(
  'AgentProfileSummary',
  z.object({ profileId: ProfileId, revision: uint(), updatedAtMs: epochMs(), description: z.string().nullish(), displayName: z.string().nullish() }),
);

const profileResult = (name: string) => named(name, z.object({ profile: AgentProfile }));

export const ProfileCreateParams = named('ProfileCreateParams', z.object({ profile: AgentProfileInput }));
export const ProfileCreateResponse = profileResult('ProfileCreateResponse');

export const ProfileReadParams = named('ProfileReadParams', z.object({ profileId: ProfileId }));
export const ProfileReadResponse = profileResult('ProfileReadResponse');

export const ProfileListParams = named(
  'ProfileListParams',
  z.object({ cursor: z.string().nullish(), limit: uint().nullish() }),
  'Lightspeed extension: cursor and limit page the list (default 100, at most 1,000 per page).',
);
export const ProfileListResponse = named(
  'ProfileListResponse',
  z.object({ profiles: z.array(AgentProfileSummary).default([]), nextCursor: z.string().nullish() }),
);

export const ProfilePutParams = named(
  'ProfilePutParams',
  z.object({
    profile: AgentProfileInput,
    expectedRevision: uint().nullish().describe('Checked only when the profile already exists; absent replaces (or creates) unconditionally.'),
  }),
);
export const ProfilePutResponse = profileResult('ProfilePutResponse');

export const ProfileDeleteParams = named(
  'ProfileDeleteParams',
  z.object({ profileId: ProfileId, expectedRevision: uint().nullish().describe('Lightspeed extension: delete only at this revision.') }),
);
export const ProfileDeleteResponse = profileResult('ProfileDeleteResponse');

export const ProfileApplyParams = named(
  'ProfileApplyParams',
  z.object({
    sessionId: z.string(),
    profile: ProfileSource,
    expectedConfigRevision: uint().nullish(),
    expectedToolsRevision: uint().nullish(),
  }),
);
export const ProfileApplySummary = named(
  'ProfileApplySummary',
  z.object({
    configChanged: z.boolean(),
    instructionsChanged: z.boolean(),
    activeEnvironmentChanged: z.boolean(),
    environmentProvisioned: z.boolean().default(false),
  }),
);
export const ProfileApplyResponse = named('ProfileApplyResponse', z.object({ session: SessionView, applied: ProfileApplySummary }));
