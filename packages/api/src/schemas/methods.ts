import type { z } from 'zod';
import { spec, type MethodSpec } from './method-spec.js';
import { memoryAnswerMethodSpecs, memoryMethodSpecs } from './extension-methods/memory-methods.js';
import { operationsMethodSpecs } from './extension-methods/operations-methods.js';
import { workMethodSpecs } from './extension-methods/work-methods.js';
import { environmentMethodSpecs } from './environment-methods.js';
import * as blobs from './blobs.js';
import * as context from './context.js';
import * as events from './events.js';
import * as mcp from './mcp-servers.js';
import * as models from './models.js';
import * as profiles from './profiles.js';
import * as protocol from './protocol.js';
import * as runs from './runs.js';
import * as session from './session.js';
import * as skills from './skills.js';
import * as vfs from './vfs.js';

/** Every JSON-RPC method this gateway serves, in manifest order. Names follow the v1 contract exactly. */
export const methodSpecs = {
  initialize: spec(
    'initialize',
    ['InitializeParams', protocol.InitializeParams],
    ['InitializeResponse', protocol.InitializeResponse],
    'Inspect the protocol',
    'Protocol version, server identity and capabilities; changes nothing.',
  ),
  'session/start': spec(
    'session/start',
    ['SessionStartParams', session.SessionStartParams],
    ['SessionStartResponse', session.SessionStartResponse],
    'Create or reopen a session',
    'Creates a session (optionally with a config, display name or inline profile). Repeating an existing id returns it unchanged.',
  ),
  'session/read': spec(
    'session/read',
    ['SessionReadParams', session.SessionReadParams],
    ['SessionReadResponse', session.SessionReadResponse],
    'Read a session',
    'The projected session: config and revision, status, runs, active context and tools.',
  ),
  'session/list': spec(
    'session/list',
    ['SessionListParams', session.SessionListParams],
    ['SessionListResponse', session.SessionListResponse],
    'List sessions',
    'Summaries, most recently updated first, with an opaque cursor for the next page.',
  ),
  'session/config/put': spec(
    'session/config/put',
    ['SessionConfigPutParams', session.SessionConfigPutParams],
    ['SessionConfigPutResponse', session.SessionConfigPutResponse],
    'Replace the session config',
    'Replaces the whole config document on an idle session, optionally guarded by expectedConfigRevision; an identical document is a no-op.',
  ),
  'session/rename': spec(
    'session/rename',
    ['SessionRenameParams', session.SessionRenameParams],
    ['SessionRenameResponse', session.SessionRenameResponse],
    'Rename a session',
    'Sets the display name, or clears it when displayName is absent.',
  ),
  'session/close': spec(
    'session/close',
    ['SessionCloseParams', session.SessionCloseParams],
    ['SessionCloseResponse', session.SessionCloseResponse],
    'Close a session',
    'Closes an idle session; with force, cancels the active run and drops queued runs first.',
  ),
  'session/delete': spec(
    'session/delete',
    ['SessionDeleteParams', session.SessionDeleteParams],
    ['SessionDeleteResponse', session.SessionDeleteResponse],
    'Delete a closed session',
    'Removes the log and projections of a closed session.',
  ),
  'session/events/read': spec(
    'session/events/read',
    ['SessionEventsReadParams', events.SessionEventsReadParams],
    ['SessionEventsReadResponse', events.SessionEventsReadResponse],
    'Read session events',
    'Durable events after a cursor; waitMs long-polls when caught up (clamped to the server cap).',
  ),
  'session/context/append': spec(
    'session/context/append',
    ['ContextAppendParams', context.ContextAppendParams],
    ['ContextAppendResponse', context.ContextAppendResponse],
    'Append context entries',
    'Admits keyed context entries with a result per entry; re-sending a key with the same content is a no-op.',
  ),
  'session/context/remove': spec(
    'session/context/remove',
    ['ContextRemoveParams', context.ContextRemoveParams],
    ['ContextRemoveResponse', context.ContextRemoveResponse],
    'Remove context entries',
    'Removes entries by key with a result per key; absent keys are no-ops and reserved run keys are refused.',
  ),
  'session/context/compact': spec(
    'session/context/compact',
    ['ContextCompactParams', context.ContextCompactParams],
    ['ContextCompactResponse', session.ContextCompactResponse],
    'Compact context',
    'Runs the compaction policy on an idle session and answers once the new context revision is committed.',
  ),
  'session/runs/start': spec(
    'session/runs/start',
    ['RunStartParams', runs.RunStartParams],
    ['RunStartResponse', runs.RunStartResponse],
    'Start a run',
    'Answers once the run is admitted (queued or running); follow events for progress. submissionId makes retries safe.',
  ),
  'session/runs/cancel': spec(
    'session/runs/cancel',
    ['RunCancelParams', runs.RunCancelParams],
    ['RunCancelResponse', runs.RunCancelResponse],
    'Cancel a run',
    'Requests cancellation of a queued or active run and answers with its current state.',
  ),
  'session/runs/steer': spec(
    'session/runs/steer',
    ['RunSteerParams', runs.RunSteerParams],
    ['RunSteerResponse', runs.RunSteerResponse],
    'Steer the active run',
    'Adds input the model sees at the next turn boundary of the active run.',
  ),
  'session/profiles/apply': spec(
    'session/profiles/apply',
    ['ProfileApplyParams', profiles.ProfileApplyParams],
    ['ProfileApplyResponse', profiles.ProfileApplyResponse],
    'Apply a profile to a session',
    "Applies a named or inline profile's config and instructions to an open, idle session; the config revision is pinned in the log. Pass current revisions to guard concurrent changes.",
  ),
  'session/skills/list': spec(
    'session/skills/list',
    ['SkillListParams', skills.SkillListParams],
    ['SkillListResponse', skills.SkillListResponse],
    'List available session skills',
    "Discovers the skills under the session's configured skill roots now and reports which are active. Skills not granted (features.vfs.skills) yield an empty result.",
  ),
  'session/skills/active': spec(
    'session/skills/active',
    ['SkillActiveParams', skills.SkillActiveParams],
    ['SkillActiveResponse', skills.SkillActiveResponse],
    'List active session skills',
    'The skill instructions currently in the session context (skillActivation entries), with scope and source.',
  ),
  'session/skills/activate': spec(
    'session/skills/activate',
    ['SkillActivateParams', skills.SkillActivateParams],
    ['SkillActivateResponse', skills.SkillActivateResponse],
    'Activate a session skill',
    'Puts the skill\'s SKILL.md body into the session context as a logged, keyed entry (idempotent). Only scope "session" is served; "run" is refused.',
  ),
  'session/skills/deactivate': spec(
    'session/skills/deactivate',
    ['SkillDeactivateParams', skills.SkillDeactivateParams],
    ['SkillDeactivateResponse', skills.SkillDeactivateResponse],
    'Deactivate a session skill',
    "Removes an active skill's context entry; a skill that is not active is not_found.",
  ),
  'profiles/create': spec(
    'profiles/create',
    ['ProfileCreateParams', profiles.ProfileCreateParams],
    ['ProfileCreateResponse', profiles.ProfileCreateResponse],
    'Create an agent profile',
    'Creates a universe-scoped profile at revision 1; an existing id is a conflict (use profiles/put to replace).',
  ),
  'profiles/read': spec(
    'profiles/read',
    ['ProfileReadParams', profiles.ProfileReadParams],
    ['ProfileReadResponse', profiles.ProfileReadResponse],
    'Read an agent profile',
    'Returns the complete profile document and current revision.',
  ),
  'profiles/list': spec(
    'profiles/list',
    ['ProfileListParams', profiles.ProfileListParams],
    ['ProfileListResponse', profiles.ProfileListResponse],
    'List agent profiles',
    'Summaries by profile id, with an opaque cursor for the next page.',
  ),
  'profiles/put': spec(
    'profiles/put',
    ['ProfilePutParams', profiles.ProfilePutParams],
    ['ProfilePutResponse', profiles.ProfilePutResponse],
    'Create or replace an agent profile',
    'Stores the complete profile document; expectedRevision (checked when the profile exists) guards against lost updates. An identical document keeps its revision.',
  ),
  'profiles/delete': spec(
    'profiles/delete',
    ['ProfileDeleteParams', profiles.ProfileDeleteParams],
    ['ProfileDeleteResponse', profiles.ProfileDeleteResponse],
    'Delete an agent profile',
    'Deletes the profile; sessions started from it keep their config and the revision they were pinned to.',
  ),
  'models/list': spec(
    'models/list',
    ['ModelListParams', models.ModelListParams],
    ['ModelListResponse', models.ModelListResponse],
    'List models',
    'Selectable model routes of the configured providers, with per-provider discovery status.',
  ),
  'blobs/put': spec(
    'blobs/put',
    ['BlobPutParams', blobs.BlobPutParams],
    ['BlobPutResponse', blobs.BlobPutResponse],
    'Store blobs',
    'Stores base64 payloads and returns their content refs in request order.',
  ),
  'blobs/read': spec(
    'blobs/read',
    ['BlobReadParams', blobs.BlobReadParams],
    ['BlobReadResponse', blobs.BlobReadResponse],
    'Read a blob',
    'Returns one blob as base64.',
  ),
  'blobs/has': spec(
    'blobs/has',
    ['BlobHasParams', blobs.BlobHasParams],
    ['BlobHasResponse', blobs.BlobHasResponse],
    'Check blobs',
    'Reports which refs exist, in request order.',
  ),
  'vfs/snapshots/commit': spec(
    'vfs/snapshots/commit',
    ['VfsSnapshotCommitParams', vfs.VfsSnapshotCommitParams],
    ['VfsSnapshotCommitResponse', vfs.VfsSnapshotCommitResponse],
    'Commit a snapshot',
    'Validates a manifest whose file blobs are already stored and returns the content-addressed snapshot ref.',
  ),
  'vfs/snapshots/read': spec(
    'vfs/snapshots/read',
    ['VfsSnapshotReadParams', vfs.VfsSnapshotReadParams],
    ['VfsSnapshotReadResponse', vfs.VfsSnapshotReadResponse],
    'Read a snapshot',
    'Returns the manifest of a snapshot with file and byte counts.',
  ),
  'vfs/workspaces/create': spec(
    'vfs/workspaces/create',
    ['VfsWorkspaceCreateParams', vfs.VfsWorkspaceCreateParams],
    ['VfsWorkspaceCreateResponse', vfs.VfsWorkspaceCreateResponse],
    'Create a workspace',
    'Creates a workspace at a seed snapshot, or at the empty snapshot.',
  ),
  'vfs/workspaces/read': spec(
    'vfs/workspaces/read',
    ['VfsWorkspaceReadParams', vfs.VfsWorkspaceReadParams],
    ['VfsWorkspaceReadResponse', vfs.VfsWorkspaceReadResponse],
    'Read a workspace',
    'Workspace metadata, head snapshot and revision.',
  ),
  'vfs/workspaces/list': spec(
    'vfs/workspaces/list',
    ['VfsWorkspaceListParams', vfs.VfsWorkspaceListParams],
    ['VfsWorkspaceListResponse', vfs.VfsWorkspaceListResponse],
    'List workspaces',
    'All workspaces of the universe with their heads, sizes and revisions.',
  ),
  'vfs/workspaces/update': spec(
    'vfs/workspaces/update',
    ['VfsWorkspaceUpdateParams', vfs.VfsWorkspaceUpdateParams],
    ['VfsWorkspaceUpdateResponse', vfs.VfsWorkspaceUpdateResponse],
    'Move a workspace head',
    'Points the workspace at an existing snapshot, guarded by expectedRevision when given.',
  ),
  'vfs/workspaces/delete': spec(
    'vfs/workspaces/delete',
    ['VfsWorkspaceDeleteParams', vfs.VfsWorkspaceDeleteParams],
    ['VfsWorkspaceDeleteResponse', vfs.VfsWorkspaceDeleteResponse],
    'Delete a workspace',
    'Deletes the workspace record; snapshots and blobs remain.',
  ),
  'mcp/servers/put': spec(
    'mcp/servers/put',
    ['McpServerPutParams', mcp.McpServerPutParams],
    ['McpServerPutResponse', mcp.McpServerPutResponse],
    'Create or replace an MCP server record',
    'Stores the whole registration; expectedRevision is checked only when the server exists. Credentials are named by env var, never sent.',
  ),
  'mcp/servers/read': spec(
    'mcp/servers/read',
    ['McpServerReadParams', mcp.McpServerReadParams],
    ['McpServerReadResponse', mcp.McpServerReadResponse],
    'Read an MCP server record',
    'One registration with its revision and status; no credential value is exposed.',
  ),
  'mcp/servers/list': spec(
    'mcp/servers/list',
    ['McpServerListParams', mcp.McpServerListParams],
    ['McpServerListResponse', mcp.McpServerListResponse],
    'List MCP server records',
    'The universe registrations by id, optionally filtered by status.',
  ),
  'mcp/servers/delete': spec(
    'mcp/servers/delete',
    ['McpServerDeleteParams', mcp.McpServerDeleteParams],
    ['McpServerDeleteResponse', mcp.McpServerDeleteResponse],
    'Delete an MCP server record',
    'Removes the registration; sessions linking it are not rewritten and lose its tools.',
  ),
  ...environmentMethodSpecs,
  ...workMethodSpecs,
  ...operationsMethodSpecs,
  ...memoryMethodSpecs,
  ...memoryAnswerMethodSpecs,
} as const;

/** Methods this server adds to the v1 contract (documented in docs/0010-api-gateway.md): the specs made by `extension`. */
export const EXTENSION_METHODS: ReadonlySet<string> = new Set(Object.values(methodSpecs as Record<string, MethodSpec>).filter((spec) => spec.extension === true).map((spec) => spec.method));

export type MethodName = keyof typeof methodSpecs;
export type ParamsOf<M extends MethodName> = z.output<(typeof methodSpecs)[M]['params']>;
export type ResultOf<M extends MethodName> = z.input<(typeof methodSpecs)[M]['result']>;

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(methodSpecs, name);
}
