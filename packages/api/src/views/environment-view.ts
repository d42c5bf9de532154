import type { CommandResult, EnvironmentStatus, JobView } from '@lightspeed/environments';
import { LOCAL_PROVIDER, type EnvironmentView } from '../schemas/environments.js';

/** A local environment as the contract's EnvironmentView: provider, binding and template `local`, no power or ingress. */
export function environmentView(status: EnvironmentStatus): EnvironmentView {
  const { spec } = status;
  return {
    environmentId: status.environmentId,
    requestId: status.environmentId,
    displayName: spec.displayName ?? null,
    source: { type: 'provisioned', providerId: LOCAL_PROVIDER, bindingId: LOCAL_PROVIDER },
    status: status.state === 'closed' ? 'closed' : 'ready',
    desiredPower: 'running',
    idlePolicy: null,
    incarnation: { incarnationId: status.environmentId, createdAtMs: status.createdAt, updatedAtMs: status.updatedAt, powerStates: [], templateId: LOCAL_PROVIDER },
    metadata: {},
    originSession: spec.sessionId !== undefined ? { sessionId: spec.sessionId, closeWithSession: false } : null,
    publicEndpoint: null,
    publicIngressEnabled: false,
    createdAtMs: status.createdAt,
    updatedAtMs: status.updatedAt,
    sandbox: {
      workspaceId: spec.workspaceId,
      network: spec.network,
      isolationRequested: spec.isolation,
      isolation: status.isolation,
      isolated: status.isolated,
      notice: status.notice ?? null,
      envAllow: spec.envAllow,
      credentials: spec.credentials,
      state: status.state,
      runningCommandId: status.running?.commandId ?? null,
    },
  };
}

/** The contract's job summary of a job record. */
export function jobSummaryView({ record }: JobView) {
  return {
    namespace: record.environmentId,
    jobId: record.jobId,
    name: record.name ?? null,
    status: record.status,
    exitCode: record.exitCode ?? null,
    failure: record.failure ?? null,
    createdAtMs: record.createdAt,
    queuedAtMs: record.createdAt,
    startedAtMs: record.startedAt ?? null,
    finishedAtMs: record.finishedAt ?? null,
    dependencies: [],
    queueKey: null,
  };
}

/** Lightspeed extension: the recorded result of a finished job, by CAS refs. */
export function jobResultView(result: CommandResult) {
  const { collected } = result;
  return {
    argv: result.argv,
    exitCode: result.exitCode,
    signal: result.signal,
    timedOut: result.timedOut,
    cancelled: result.cancelled,
    durationMs: result.durationMs,
    isolation: result.isolation,
    isolated: result.isolation === 'bubblewrap',
    notice: result.notice ?? null,
    stdoutRef: result.stdoutRef,
    stderrRef: result.stderrRef,
    preSnapshotRef: result.preRef,
    snapshotRef: collected?.postRef ?? null,
    diffRef: collected?.patchRef ?? null,
    changedFiles: collected ? collected.changes.length : null,
    workspaceRevision: collected?.workspaceRevision ?? null,
    conflict: collected?.conflict ?? null,
  };
}

/** With includeArtifacts: the files a job changed. */
export function jobArtifactsView(result: CommandResult) {
  return (result.collected?.changes ?? []).map((change) => ({
    path: change.path,
    kind: change.kind,
    metadata: Object.fromEntries(
      [
        ['beforeBlobRef', change.before?.ref],
        ['afterBlobRef', change.after?.ref],
      ].filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    ),
  }));
}
