import type { z } from 'zod';
import * as blobs from './blobs.js';
import * as context from './context.js';
import * as dispatch from './dispatch.js';
import * as events from './events.js';
import * as mcp from './mcp-servers.js';
import * as models from './models.js';
import { outcomeOf } from './notifications.js';
import * as profiles from './profiles.js';
import * as protocol from './protocol.js';
import * as runs from './runs.js';
import * as session from './session.js';
import * as skills from './skills.js';
import * as tasks from './tasks.js';
import * as vfs from './vfs.js';
import * as schedules from './schedules.js';
import * as triggers from './triggers.js';
import * as memory from './memory.js';
import * as workflows from './workflows.js';
import * as waits from './waits.js';

export interface MethodSpec<P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  method: string;
  paramsType: string;
  resultType: string;
  params: P;
  /** The bare result (`T`); the wire carries it inside `AgentApiOutcome<T>`. */
  result: R;
  outcome: z.ZodType;
  summary: string;
  description: string;
}

function spec<P extends z.ZodType, R extends z.ZodType>(
  method: string,
  params: [string, P],
  result: [string, R],
  summary: string,
  description: string,
): MethodSpec<P, R> {
  return {
    method,
    paramsType: params[0],
    resultType: result[0],
    params: params[1],
    result: result[1],
    outcome: outcomeOf(result[0], result[1]),
    summary,
    description,
  };
}

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
  'session/waits/list': spec(
    'session/waits/list',
    ['WaitListParams', waits.WaitListParams],
    ['WaitListResponse', waits.WaitListResponse],
    'List open waits (Lightspeed extension)',
    'The deferred tool calls the session waits on: timers, questions to the user (with their choices), approvals and children, oldest first.',
  ),
  'session/waits/resolve': spec(
    'session/waits/resolve',
    ['WaitResolveParams', waits.WaitResolveParams],
    ['WaitResolveResponse', waits.WaitResolveResponse],
    'Answer a wait (Lightspeed extension)',
    'Resolves the promise with an optional answer, which the model receives as the tool result. First writer wins: a second resolution is a conflict.',
  ),
  'session/waits/fail': spec(
    'session/waits/fail',
    ['WaitFailParams', waits.WaitFailParams],
    ['WaitResolveResponse', waits.WaitResolveResponse],
    'Fail a wait (Lightspeed extension)',
    'Ends the wait with a reason the model receives as an error result.',
  ),
  'session/waits/cancel': spec(
    'session/waits/cancel',
    ['WaitCancelParams', waits.WaitCancelParams],
    ['WaitResolveResponse', waits.WaitResolveResponse],
    'Cancel a wait (Lightspeed extension)',
    'Ends the wait unanswered; the model is told no answer will come (or the reason given). The run continues.',
  ),
  'dispatch/pause': spec(
    'dispatch/pause',
    ['DispatchPauseParams', dispatch.DispatchPauseParams],
    ['DispatchPauseResponse', dispatch.DispatchPauseResponse],
    'Pause task dispatch (Lightspeed extension)',
    'Durably stops dispatchers from starting tasks of the universe, or of one agent. Running tasks go on; queued ones wait.',
  ),
  'dispatch/resume': spec(
    'dispatch/resume',
    ['DispatchResumeParams', dispatch.DispatchResumeParams],
    ['DispatchResumeResponse', dispatch.DispatchResumeResponse],
    'Resume task dispatch (Lightspeed extension)',
    'Lifts a pause of the universe or of one agent; resuming what is not paused answers resumed: false.',
  ),
  'dispatch/status': spec(
    'dispatch/status',
    ['DispatchStatusParams', dispatch.DispatchStatusParams],
    ['DispatchStatusResponse', dispatch.DispatchStatusResponse],
    'Task dispatch health (Lightspeed extension)',
    'Queue depth by state, oldest queued age, pauses, dispatchers alive and the last error one reported.',
  ),
  'tasks/create': spec(
    'tasks/create',
    ['TaskCreateParams', tasks.TaskCreateParams],
    ['TaskCreateResponse', tasks.TaskCreateResponse],
    'Create a task (Lightspeed extension)',
    "Enqueues work for an agent in the caller's universe. The agent must exist and the payload must satisfy its task.schema; otherwise nothing is enqueued. A dedupeKey held by a waiting or running task returns that task with deduped: true.",
  ),
  'tasks/read': spec(
    'tasks/read',
    ['TaskReadParams', tasks.TaskReadParams],
    ['TaskReadResponse', tasks.TaskReadResponse],
    'Read a task (Lightspeed extension)',
    'The task with its payload (read from CAS when it was stored there).',
  ),
  'tasks/list': spec(
    'tasks/list',
    ['TaskListParams', tasks.TaskListParams],
    ['TaskListResponse', tasks.TaskListResponse],
    'List tasks (Lightspeed extension)',
    'Newest first, filtered by states, kind, agent, source, concurrency key or tag, with an opaque cursor for the next page. Payloads are left out.',
  ),
  'tasks/cancel': spec(
    'tasks/cancel',
    ['TaskCancelParams', tasks.TaskCancelParams],
    ['TaskCancelResponse', tasks.TaskCancelResponse],
    'Cancel a task (Lightspeed extension)',
    'A waiting task is cancelled now; a running one gets cancelRequested and its dispatcher cancels the run. A finished task is rejected.',
  ),
  'tasks/retry': spec(
    'tasks/retry',
    ['TaskRetryParams', tasks.TaskRetryParams],
    ['TaskRetryResponse', tasks.TaskRetryResponse],
    'Retry a task now (Lightspeed extension)',
    'Moves a failed, blocked or cancelled task back to queued, with one more attempt if they were exhausted. Any other state is rejected.',
  ),
  'tasks/attempts/list': spec(
    'tasks/attempts/list',
    ['TaskAttemptListParams', tasks.TaskAttemptListParams],
    ['TaskAttemptListResponse', tasks.TaskAttemptListResponse],
    'List the attempts of a task (Lightspeed extension)',
    'Every attempt, oldest first: dispatcher, session and run ids, outcome, error class, usage, cost, evidence and the next attempt time.',
  ),
  'schedules/put': spec(
    'schedules/put',
    ['SchedulePutParams', schedules.SchedulePutParams],
    ['ScheduleResponse', schedules.ScheduleResponse],
    'Create or replace a schedule (Lightspeed extension)',
    'Interval or cron (IANA timezone) with catch-up and overlap policies; creates a task from the template on every fire. A replaced schedule keeps its counters and pause.',
  ),
  'schedules/read': spec(
    'schedules/read',
    ['ScheduleReadParams', schedules.ScheduleReadParams],
    ['ScheduleResponse', schedules.ScheduleResponse],
    'Read a schedule (Lightspeed extension)',
    'The schedule with its next fire times, last outcome, last task and counters of missed and skipped fires.',
  ),
  'schedules/list': spec(
    'schedules/list',
    ['ScheduleListParams', schedules.ScheduleListParams],
    ['ScheduleListResponse', schedules.ScheduleListResponse],
    'List schedules (Lightspeed extension)',
    'Schedules by id, with an opaque cursor.',
  ),
  'schedules/delete': spec(
    'schedules/delete',
    ['ScheduleIdParams', schedules.ScheduleIdParams],
    ['ScheduleResponse', schedules.ScheduleResponse],
    'Delete a schedule (Lightspeed extension)',
    'Removes it; tasks it created remain.',
  ),
  'schedules/pause': spec(
    'schedules/pause',
    ['ScheduleIdParams', schedules.ScheduleIdParams],
    ['ScheduleResponse', schedules.ScheduleResponse],
    'Pause a schedule (Lightspeed extension)',
    'No fires while paused; they are counted as missed on resume, never run.',
  ),
  'schedules/resume': spec(
    'schedules/resume',
    ['ScheduleIdParams', schedules.ScheduleIdParams],
    ['ScheduleResponse', schedules.ScheduleResponse],
    'Resume a schedule (Lightspeed extension)',
    'Fires again from the next fire time after now.',
  ),
  'schedules/run': spec(
    'schedules/run',
    ['ScheduleIdParams', schedules.ScheduleIdParams],
    ['ScheduleRunResponse', schedules.ScheduleRunResponse],
    'Run a schedule now (Lightspeed extension)',
    'Creates one task now regardless of the overlap policy; the timer is not reset.',
  ),
  'triggers/put': spec(
    'triggers/put',
    ['TriggerPutParams', triggers.TriggerPutParams],
    ['TriggerPutResponse', triggers.TriggerPutResponse],
    'Create or replace a trigger (Lightspeed extension)',
    'A rule from sensor events (source, type, payload filter) to a task template; with webhook settings it also accepts signed deliveries at POST /hooks/<hookId>.',
  ),
  'triggers/read': spec(
    'triggers/read',
    ['TriggerIdParams', triggers.TriggerIdParams],
    ['TriggerResponse', triggers.TriggerResponse],
    'Read a trigger (Lightspeed extension)',
    'The rule and its hook path; the secret is never returned.',
  ),
  'triggers/list': spec(
    'triggers/list',
    ['TriggerListParams', triggers.TriggerListParams],
    ['TriggerListResponse', triggers.TriggerListResponse],
    'List triggers (Lightspeed extension)',
    'Triggers by id, with an opaque cursor.',
  ),
  'triggers/delete': spec(
    'triggers/delete',
    ['TriggerIdParams', triggers.TriggerIdParams],
    ['TriggerResponse', triggers.TriggerResponse],
    'Delete a trigger (Lightspeed extension)',
    'Removes the rule and its hook; recorded events remain.',
  ),
  'events/ingest': spec(
    'events/ingest',
    ['EventIngestParams', triggers.EventIngestParams],
    ['EventIngestResponse', triggers.EventIngestResponse],
    'Record a sensor event (Lightspeed extension)',
    'Recorded once per dedupe key; the matching triggers create tasks. A repeat answers deduped with the original event and creates nothing.',
  ),
  'events/list': spec(
    'events/list',
    ['EventListParams', triggers.EventListParams],
    ['EventListResponse', triggers.EventListResponse],
    'List sensor events (Lightspeed extension)',
    'Newest first, optionally by source and type, with the tasks their triggers created.',
  ),
  'events/read': spec(
    'events/read',
    ['EventReadParams', triggers.EventReadParams],
    ['EventReadResponse', triggers.EventReadResponse],
    'Read a sensor event (Lightspeed extension)',
    'One event with its payload, raw delivery ref and trigger firings.',
  ),
  'memory/sources/put': spec(
    'memory/sources/put',
    ['MemorySourcePutParams', memory.MemorySourcePutParams],
    ['MemorySourcePutResponse', memory.MemorySourcePutResponse],
    'Connect or update a memory source (Lightspeed extension)',
    'A provider integration (github, linear, sentry, vercel) whose signed webhooks at POST /webhooks/<provider>/<webhookId> become memory events. The secret is write-only.',
  ),
  'memory/sources/read': spec(
    'memory/sources/read',
    ['MemorySourceIdParams', memory.MemorySourceIdParams],
    ['MemorySourceResponse', memory.MemorySourceResponse],
    'Read a memory source (Lightspeed extension)',
    'The source and its webhook path; the secret is never returned.',
  ),
  'memory/sources/list': spec(
    'memory/sources/list',
    ['MemorySourceListParams', memory.MemorySourceListParams],
    ['MemorySourceListResponse', memory.MemorySourceListResponse],
    'List memory sources (Lightspeed extension)',
    'Sources by id, with an opaque cursor.',
  ),
  'memory/sources/delete': spec(
    'memory/sources/delete',
    ['MemorySourceIdParams', memory.MemorySourceIdParams],
    ['MemorySourceResponse', memory.MemorySourceResponse],
    'Disconnect a memory source (Lightspeed extension)',
    'Removes the source and its webhook path; recorded events remain.',
  ),
  'memory/events/list': spec(
    'memory/events/list',
    ['MemoryEventListParams', memory.MemoryEventListParams],
    ['MemoryEventListResponse', memory.MemoryEventListResponse],
    'List memory events (Lightspeed extension)',
    'Canonical events, newest first by occurrence, optionally by provider, type, source and least significance.',
  ),
  'memory/events/read': spec(
    'memory/events/read',
    ['MemoryEventReadParams', memory.MemoryEventReadParams],
    ['MemoryEventReadResponse', memory.MemoryEventReadResponse],
    'Read a memory event (Lightspeed extension)',
    'One canonical event with its entities, significance factors and raw delivery ref.',
  ),
  'memory/deliveries/import': spec(
    'memory/deliveries/import',
    ['MemoryImportParams', memory.MemoryImportParams],
    ['MemoryImportResponse', memory.MemoryImportResponse],
    'Import recorded deliveries (Lightspeed extension)',
    'Recorded provider deliveries through the webhook pipeline of a source: verified unless trusted, deduped always, so importing the same file again changes nothing.',
  ),
  'workflows/templates/list': spec(
    'workflows/templates/list',
    ['WorkflowTemplatesListParams', workflows.WorkflowTemplatesListParams],
    ['WorkflowTemplatesListResponse', workflows.WorkflowTemplatesListResponse],
    'List workflow templates (Lightspeed extension)',
    'The built-in templates (goal-loop) and the YAML files in the project .lightspeed/workflows/.',
  ),
  'workflows/create': spec(
    'workflows/create',
    ['WorkflowCreateParams', workflows.WorkflowCreateParams],
    ['WorkflowCreateResponse', workflows.WorkflowCreateResponse],
    'Start a workflow instance (Lightspeed extension)',
    'Idempotent by instanceKey; the first step is enqueued as a task at once.',
  ),
  'workflows/read': spec(
    'workflows/read',
    ['WorkflowKeyParams', workflows.WorkflowKeyParams],
    ['WorkflowResponse', workflows.WorkflowResponse],
    'Read a workflow instance (Lightspeed extension)',
    'State, iteration, every step with its task, and the history of transitions.',
  ),
  'workflows/list': spec(
    'workflows/list',
    ['WorkflowListParams', workflows.WorkflowListParams],
    ['WorkflowListResponse', workflows.WorkflowListResponse],
    'List workflow instances (Lightspeed extension)',
    'By instance key, optionally by status and template, with an opaque cursor.',
  ),
  'workflows/advance': spec(
    'workflows/advance',
    ['WorkflowAdvanceParams', workflows.WorkflowAdvanceParams],
    ['WorkflowResponse', workflows.WorkflowResponse],
    'Move a workflow instance (Lightspeed extension)',
    "An operator override: to a state (retry, skip), complete (@succeeded), fail, or by an outcome; a step still running is cancelled.",
  ),
  'workflows/cancel': spec(
    'workflows/cancel',
    ['WorkflowCancelParams', workflows.WorkflowCancelParams],
    ['WorkflowResponse', workflows.WorkflowResponse],
    'Cancel a workflow instance (Lightspeed extension)',
    'Ends it as cancelled and cancels its running step.',
  ),
  'memory/entities/list': spec(
    'memory/entities/list',
    ['MemoryEntityListParams', memory.MemoryEntityListParams],
    ['MemoryEntityListResponse', memory.MemoryEntityListResponse],
    'List memory entities (Lightspeed extension)',
    'Entities the memory events named (issues, PRs, commits, deployments, people…), by type then key, optionally of one type.',
  ),
  'memory/entities/read': spec(
    'memory/entities/read',
    ['MemoryEntityReadParams', memory.MemoryEntityReadParams],
    ['MemoryEntityReadResponse', memory.MemoryEntityReadResponse],
    'Read a memory entity (Lightspeed extension)',
    'One entity by its key or an alias.',
  ),
  'memory/graph/neighbours': spec(
    'memory/graph/neighbours',
    ['MemoryNeighboursParams', memory.MemoryNeighboursParams],
    ['MemoryNeighboursResponse', memory.MemoryNeighboursResponse],
    'Neighbours of a memory entity (Lightspeed extension)',
    'Entities within depth 1-3 edges of one entity and the edges between them, each with its evidence and validity, optionally filtered by edge and entity type and read as of a time.',
  ),
} as const;

/** Methods this server adds to the v1 contract (documented in docs/0010-api-gateway.md). */
export const EXTENSION_METHODS: ReadonlySet<string> = new Set([
  'session/waits/list',
  'session/waits/resolve',
  'session/waits/fail',
  'session/waits/cancel',
  'tasks/create',
  'tasks/read',
  'tasks/list',
  'tasks/cancel',
  'tasks/retry',
  'tasks/attempts/list',
  'dispatch/pause',
  'dispatch/resume',
  'dispatch/status',
  // Operations (issue 15): schedules, triggers, sensor events.
  'schedules/put', 'schedules/read', 'schedules/list', 'schedules/delete', 'schedules/pause', 'schedules/resume', 'schedules/run', 'triggers/put', 'triggers/read', 'triggers/list', 'triggers/delete', 'events/ingest', 'events/list', 'events/read',
  'workflows/templates/list', 'workflows/create', 'workflows/read', 'workflows/list', 'workflows/advance', 'workflows/cancel',
  // Memory (issue 16): sources, canonical events and the entity graph.
  'memory/sources/put', 'memory/sources/read', 'memory/sources/list', 'memory/sources/delete', 'memory/events/list', 'memory/events/read', 'memory/deliveries/import', 'memory/entities/list', 'memory/entities/read', 'memory/graph/neighbours',
]);

export type MethodName = keyof typeof methodSpecs;
export type ParamsOf<M extends MethodName> = z.output<(typeof methodSpecs)[M]['params']>;
export type ResultOf<M extends MethodName> = z.input<(typeof methodSpecs)[M]['result']>;

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(methodSpecs, name);
}
