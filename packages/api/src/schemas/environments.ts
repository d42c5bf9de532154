import { z } from 'zod';
import { cappedArray } from './limits.js';
import { epochMs, named, uint } from './registry.js';
import { SessionView } from './session-view.js';

/*
 * The v1 contract's environments, served by local sandboxes (docs/0027-environments.md, "v1
 * contract mapping"): one provider and binding, `local`, and one template, `local` (a directory
 * holding a VFS workspace). Params are strict: a field a local directory cannot honour is refused
 * by name (the handlers refuse contract fields that parse but do not fit, such as idlePolicy).
 * Fields marked "Lightspeed extension" are not in the contract.
 */

export const LOCAL_PROVIDER = 'local';
export const MAX_JOBS_PER_REQUEST = 32;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const EnvironmentIdlePolicyView = named(
  'EnvironmentIdlePolicyView',
  z.object({ pauseAfterMs: uint().nullish(), suspendAfterMs: uint().nullish(), stopAfterMs: uint().nullish(), closeAfterMs: uint().nullish() }),
  'Staged idle policy (a local environment has none: refused).',
);
export const EnvironmentPowerStateView = named('EnvironmentPowerStateView', z.enum(['running', 'paused', 'suspended', 'stopped']));
export const EnvironmentLifecycleStatusView = named('EnvironmentLifecycleStatusView', z.enum(['provisioning', 'booting', 'ready', 'closing', 'closed', 'failed', 'unknown', 'paused', 'suspended', 'offline']));

export const EnvironmentCreateParams = named(
  'EnvironmentCreateParams',
  z.strictObject({
    requestId: z.string().min(1).max(128).describe('The environment id (letters, digits, `.`, `_`, `-`); repeating it with the same spec answers the existing environment.'),
    bindingId: z.string().describe('`local`, the only binding.'),
    templateId: z.string().describe('`local`, the only template: a directory holding the workspace.'),
    displayName: z.string().max(200).nullish(),
    idlePolicy: EnvironmentIdlePolicyView.nullish().describe('Refused when set: a local directory has no power states.'),
    metadata: z.record(z.string(), z.string()).optional().describe('Refused when not empty: a local environment stores none.'),
    workspaceId: z.string().min(1).max(256).describe('Lightspeed extension: the VFS workspace materialised into the environment and updated with its changes.'),
    sessionId: z.string().min(1).max(256).nullish().describe('Lightspeed extension: the session it is prepared for (originSession).'),
    network: z.boolean().nullish().describe('Lightspeed extension: network access for commands (default false).'),
    isolation: z.enum(['auto', 'bubblewrap', 'none']).nullish().describe('Lightspeed extension: auto (default) uses bubblewrap when it works here; bubblewrap refuses to run without it; none never isolates.'),
    envAllow: cappedArray(z.string().regex(ENV_NAME), 100).nullish().describe('Lightspeed extension: server environment variables passed to commands by name.'),
    credentials: cappedArray(z.string().regex(ENV_NAME), 100).nullish().describe('Lightspeed extension: credential variables (server environment, by name), redacted from every stored output.'),
  }),
);
export type EnvironmentCreateParams = z.infer<typeof EnvironmentCreateParams>;

export const EnvironmentSandboxView = named(
  'EnvironmentSandboxView',
  z.object({
    workspaceId: z.string(),
    network: z.boolean(),
    isolationRequested: z.enum(['auto', 'bubblewrap', 'none']),
    isolation: z.enum(['bubblewrap', 'none']).describe('How commands run here now.'),
    isolated: z.boolean(),
    notice: z.string().nullish().describe('`not isolated: <why>` when commands run without a sandbox.'),
    envAllow: z.array(z.string()),
    credentials: z.array(z.string()),
    state: z.enum(['ready', 'running', 'closed']),
    runningCommandId: z.string().nullish(),
  }),
  'Lightspeed extension: the local sandbox behind an environment.',
);

export const EnvironmentView = named(
  'EnvironmentView',
  z.object({
    environmentId: z.string(),
    requestId: z.string(),
    displayName: z.string().nullish(),
    source: z.object({ type: z.literal('provisioned'), providerId: z.string(), bindingId: z.string() }),
    status: EnvironmentLifecycleStatusView,
    desiredPower: EnvironmentPowerStateView,
    idlePolicy: EnvironmentIdlePolicyView.nullish(),
    incarnation: z.object({
      incarnationId: z.string(),
      createdAtMs: epochMs(),
      updatedAtMs: epochMs(),
      powerStates: z.array(EnvironmentPowerStateView).optional(),
      templateId: z.string().nullish(),
      providerTargetId: z.string().nullish(),
      provisionRequestId: z.string().nullish(),
    }),
    metadata: z.record(z.string(), z.string()).optional(),
    originSession: z.object({ sessionId: z.string(), closeWithSession: z.boolean(), profileId: z.string().nullish() }).nullish(),
    publicEndpoint: z.string().nullish(),
    publicIngressEnabled: z.boolean(),
    createdAtMs: epochMs(),
    updatedAtMs: epochMs(),
    sandbox: EnvironmentSandboxView,
  }),
);
export type EnvironmentView = z.infer<typeof EnvironmentView>;

const environmentResponse = (name: string) => named(name, z.object({ environment: EnvironmentView }));
export const EnvironmentCreateResponse = environmentResponse('EnvironmentCreateResponse');
export const EnvironmentReadParams = named('EnvironmentReadParams', z.strictObject({ environmentId: z.string() }));
export const EnvironmentReadResponse = environmentResponse('EnvironmentReadResponse');
export const EnvironmentListParams = named(
  'EnvironmentListParams',
  z.strictObject({
    bindingId: z.string().nullish(),
    providerId: z.string().nullish(),
    originSessionId: z.string().nullish(),
    status: EnvironmentLifecycleStatusView.nullish(),
    workspaceId: z.string().nullish().describe('Lightspeed extension: only environments of this workspace.'),
  }),
);
export const EnvironmentListResponse = named('EnvironmentListResponse', z.object({ environments: z.array(EnvironmentView) }));
export const EnvironmentCloseParams = named('EnvironmentCloseParams', z.strictObject({ environmentId: z.string() }));
export const EnvironmentCloseResponse = environmentResponse('EnvironmentCloseResponse');

export const SessionJobStatusView = named('SessionJobStatusView', z.enum(['accepted', 'queued', 'running', 'succeeded', 'failed', 'cancelRequested', 'cancelled', 'timedOut', 'dependencyFailed', 'interrupted', 'lost']));
export const SessionJobHandleInput = named('SessionJobHandleInput', z.strictObject({ environmentId: z.string(), jobId: z.string() }));
export const SessionJobHandleView = named('SessionJobHandleView', z.object({ environmentId: z.string(), jobId: z.string() }));

export const SessionJobStartSpecInput = named(
  'SessionJobStartSpecInput',
  z.strictObject({
    argv: z.array(z.string()).min(1).max(4096).describe('The program and its arguments (no shell).'),
    jobId: z.string().nullish().describe('Default: the requestId (one job) or `<requestId>.<n>`.'),
    name: z.string().max(200).nullish(),
    env: z.record(z.string(), z.string()).optional().describe('Literal variables (never a credential name).'),
    timeoutMs: uint().nullish().describe('Default 60 s, at most 1 h; the process group is killed at the deadline.'),
    cwd: z.string().nullish().describe('Refused when set: jobs run in the environment directory.'),
    stdin: z.string().nullish().describe('Refused when set: jobs get no input.'),
    queueKey: z.string().nullish().describe('Refused when set: the jobs of an environment run one at a time, in order.'),
    dependsOn: cappedArray(z.object({ jobId: z.string().nullish(), name: z.string().nullish() }), MAX_JOBS_PER_REQUEST).optional().describe('Refused when not empty: jobs run in request order.'),
    dependencyPolicy: z.enum(['allSucceeded', 'allTerminal']).optional().describe('Refused unless allSucceeded (without dependencies it means nothing).'),
    maxOutputBytes: uint().nullish().describe('Lightspeed extension: bytes kept per stream (default 1 MiB, at most 16 MiB; head and tail kept).'),
    collect: z.boolean().nullish().describe('Lightspeed extension: collect the directory into a new workspace snapshot afterwards (default true).'),
  }),
);
export type SessionJobStartSpecInput = z.infer<typeof SessionJobStartSpecInput>;

export const EnvironmentJobCreateParams = named(
  'EnvironmentJobCreateParams',
  z.strictObject({ environmentId: z.string(), requestId: z.string().min(1).max(128), jobs: cappedArray(SessionJobStartSpecInput, MAX_JOBS_PER_REQUEST) }),
);
export const SessionJobStartedView = named(
  'SessionJobStartedView',
  z.object({
    jobId: z.string(),
    handle: SessionJobHandleView,
    status: SessionJobStatusView,
    name: z.string().nullish(),
    dependencies: z.array(z.string()).optional(),
    queueKey: z.string().nullish(),
    promiseId: z.string().nullish(),
  }),
);
export const EnvironmentJobCreateResponse = named('EnvironmentJobCreateResponse', z.object({ environmentId: z.string(), jobGroupId: z.string(), jobs: z.array(SessionJobStartedView) }));

export const SessionJobSummaryView = named(
  'SessionJobSummaryView',
  z.object({
    namespace: z.string().describe('The environment id.'),
    jobId: z.string(),
    name: z.string().nullish(),
    status: SessionJobStatusView,
    exitCode: z.number().int().nullish(),
    failure: z.string().nullish().describe('Why it did not succeed: the exit code, signal, timeout, cancel reason or error.'),
    createdAtMs: uint(),
    queuedAtMs: uint().nullish(),
    startedAtMs: uint().nullish(),
    finishedAtMs: uint().nullish(),
    dependencies: z.array(z.string()).optional(),
    orphanedDescendants: z.boolean().optional(),
    queueKey: z.string().nullish(),
  }),
);

export const SessionJobResultView = named(
  'SessionJobResultView',
  z.object({
    argv: z.array(z.string()),
    exitCode: z.number().int().nullable(),
    signal: z.string().nullable(),
    timedOut: z.boolean(),
    cancelled: z.boolean(),
    durationMs: uint(),
    isolation: z.enum(['bubblewrap', 'none']),
    isolated: z.boolean(),
    notice: z.string().nullish().describe('`not isolated: <why>` when the command ran without a sandbox.'),
    stdoutRef: z.string().describe('The whole captured stdout (capped, credentials redacted) in CAS: blobs/read.'),
    stderrRef: z.string(),
    preSnapshotRef: z.string().describe('The workspace snapshot the command started from.'),
    snapshotRef: z.string().nullish().describe('The snapshot of the directory afterwards (absent with collect: false).'),
    diffRef: z.string().nullish().describe('A git-style unified diff against preSnapshotRef (text/x-diff, redacted).'),
    changedFiles: uint().nullish(),
    workspaceRevision: uint().nullish().describe('The workspace revision holding snapshotRef.'),
    conflict: z.string().nullish().describe('Why the workspace was not moved (it changed while the command ran).'),
  }),
  'Lightspeed extension: the recorded result of a finished job.',
);

export const SessionJobOutputChunkView = named('SessionJobOutputChunkView', z.object({ seq: uint(), stream: z.enum(['stdout', 'stderr']), dataBase64: z.string() }));
export const SessionJobArtifactView = named('SessionJobArtifactView', z.object({ path: z.string(), kind: z.string().nullish(), metadata: z.record(z.string(), z.string()).optional() }));
export const SessionJobReadEntryView = named(
  'SessionJobReadEntryView',
  z.object({
    handle: SessionJobHandleView.nullish(),
    summary: SessionJobSummaryView.nullish(),
    error: z.string().nullish(),
    outputChunks: z.array(SessionJobOutputChunkView).optional(),
    outputNextSeq: uint().describe('Pass it back as afterSeq; stdout is chunk 0 and stderr chunk 1, both written when the job ends.'),
    artifacts: z.array(SessionJobArtifactView).optional().describe('With includeArtifacts: the files the job changed (kind added, modified or deleted).'),
    result: SessionJobResultView.nullish(),
  }),
);
export const EnvironmentJobReadParams = named(
  'EnvironmentJobReadParams',
  z.strictObject({ jobs: cappedArray(SessionJobHandleInput, 100), afterSeq: uint().nullish(), outputBytes: uint().nullish(), includeArtifacts: z.boolean().optional() }),
);
export const EnvironmentJobReadResponse = named('EnvironmentJobReadResponse', z.object({ jobs: z.array(SessionJobReadEntryView) }));
export const EnvironmentJobCancelParams = named(
  'EnvironmentJobCancelParams',
  z.strictObject({
    jobs: cappedArray(SessionJobHandleInput, 100),
    force: z.boolean().optional().describe('Refused when true: cancel always kills the whole process group.'),
    scope: z.enum(['job', 'dependents']).optional().describe('Refused unless job: jobs have no dependents.'),
    reason: z.string().max(500).nullish().describe('Lightspeed extension: recorded as the job failure.'),
  }),
);
export const SessionJobCancelEntryView = named('SessionJobCancelEntryView', z.object({ handle: SessionJobHandleView.nullish(), summary: SessionJobSummaryView.nullish(), error: z.string().nullish() }));
export const EnvironmentJobCancelResponse = named('EnvironmentJobCancelResponse', z.object({ jobs: z.array(SessionJobCancelEntryView) }));

export const EnvironmentCredentialSourceView = named(
  'EnvironmentCredentialSourceView',
  z.union([
    z.object({ type: z.literal('authGrant'), grantId: z.string() }),
    z.object({ type: z.literal('authProviderCredential'), providerId: z.string() }),
    z.object({ type: z.literal('directSecret'), secretId: z.string() }),
  ]),
  'Here always directSecret `env:<NAME>`: the variable of the server environment the value is read from.',
);
export const EnvironmentCredentialView = named(
  'EnvironmentCredentialView',
  z.object({ environmentId: z.string(), envName: z.string(), source: EnvironmentCredentialSourceView, createdAtMs: epochMs(), updatedAtMs: epochMs() }),
);
export const EnvironmentCredentialListParams = named('EnvironmentCredentialListParams', z.strictObject({ environmentId: z.string() }));
export const EnvironmentCredentialListResponse = named('EnvironmentCredentialListResponse', z.object({ credentials: z.array(EnvironmentCredentialView) }));
export const EnvironmentCredentialBindParams = named('EnvironmentCredentialBindParams', z.strictObject({ environmentId: z.string(), envName: z.string(), source: EnvironmentCredentialSourceView }));
export const EnvironmentCredentialBindResponse = named('EnvironmentCredentialBindResponse', z.object({ credential: EnvironmentCredentialView }));
export const EnvironmentCredentialUnbindParams = named('EnvironmentCredentialUnbindParams', z.strictObject({ environmentId: z.string(), envName: z.string() }));
export const EnvironmentCredentialUnbindResponse = named('EnvironmentCredentialUnbindResponse', z.object({ credential: EnvironmentCredentialView }));

export const SessionEnvironmentActivateParams = named('SessionEnvironmentActivateParams', z.strictObject({ sessionId: z.string(), environmentId: z.string() }));
export const SessionEnvironmentActivateResponse = named('SessionEnvironmentActivateResponse', z.object({ session: SessionView }));
export const SessionEnvironmentDeactivateParams = named('SessionEnvironmentDeactivateParams', z.strictObject({ sessionId: z.string() }));
export const SessionEnvironmentDeactivateResponse = named('SessionEnvironmentDeactivateResponse', z.object({ session: SessionView }));
