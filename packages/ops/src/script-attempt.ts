import { putJson } from '@lightspeed/cas';
import type { BlobRef } from '@lightspeed/engine';
import type { CommandResult, Environments } from '@lightspeed/environments';
import { isLightspeedError, type AttemptReport, type ClaimedTask, type TaskLease, type TaskQueue } from '@lightspeed/ports';
import { stat } from '@lightspeed/vfs';
import { scriptOutcome, type ScriptExecutorConfig } from './script-executor.js';
import { renderPlaceholders, type TemplateContext } from './task-template.js';

export const DEFAULT_SCRIPT_TIMEOUT_MS = 60_000;

export interface ScriptAttemptDeps {
  queue: TaskQueue;
  claimed: ClaimedTask;
  /** The universe's environments; absent: this dispatcher cannot run scripts. */
  environments?: Environments;
  now: () => number;
  /** The attempt's current lease (renewed in the background by the attempt runner). */
  lease: () => TaskLease;
  /** Whether the queue asked to cancel (seen on a renewal). */
  cancelRequested: () => boolean;
  /** Re-reads the lease now (renewal), answering whether a cancel was requested. */
  renew: () => Promise<void>;
  revision?: number;
  /** Workspace paths (`/out.txt`) a successful command must leave. */
  requiredArtifacts?: readonly string[];
}

/** The environment of one attempt: attempts never share a directory, so a retry starts from the workspace. */
export function scriptEnvironmentId(taskId: string, attempt: number): string {
  return `task-${taskId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100)}-a${attempt}`;
}

/**
 * Runs one attempt of a script task: renders the command from the payload, runs it in the
 * attempt's environment over the executor's workspace (its changes collected back into it), and
 * settles from the exit code. stdout, stderr, the diff and the result are the attempt's evidence
 * (all in CAS, credentials redacted). A re-claimed attempt (its dispatcher died) runs under the
 * same command id, so a finished command is answered from its record, not run again.
 */
export async function runScriptAttempt(deps: ScriptAttemptDeps, config: ScriptExecutorConfig): Promise<void> {
  const { queue, claimed } = deps;
  const { task, attempt } = claimed;
  const base: AttemptReport = deps.revision !== undefined ? { agentRevision: deps.revision } : {};
  const environments = deps.environments;
  if (!environments) {
    await queue.fail(deps.lease(), { ...base, errorClass: 'script_unavailable', error: `agent ${task.agent} is a script executor, but this dispatcher was started without environments`, retryable: false });
    return;
  }
  let argv: string[];
  let env: Record<string, string>;
  let workspaceId: string;
  try {
    const context: TemplateContext = { task, attempt: attempt.attempt, payload: await queue.payload(task) };
    argv = config.argv.map((arg) => renderPlaceholders(arg, context));
    env = Object.fromEntries(Object.entries(config.env ?? {}).map(([name, value]) => [name, renderPlaceholders(value, context)]));
    workspaceId = config.workspaceId ? renderPlaceholders(config.workspaceId, context) : `task.${task.id}`;
  } catch (error) {
    if (!isLightspeedError(error) || (error.code !== 'invalid' && error.code !== 'too_large')) throw error;
    await queue.block(deps.lease(), { ...base, errorClass: 'template', reason: error.message });
    return;
  }
  const workspaces = environments.workspaces;
  if (!(await workspaces.store.get(workspaceId))) {
    if (config.workspaceId) {
      await queue.fail(deps.lease(), { ...base, errorClass: 'workspace_not_found', error: `workspace ${workspaceId} of script task ${task.id} does not exist`, retryable: false });
      return;
    }
    await workspaces.create(workspaceId).catch((error: unknown) => {
      if (!isLightspeedError(error, 'conflict')) throw error; // created by a concurrent claim of the same attempt
    });
  }

  const environmentId = scriptEnvironmentId(task.id, attempt.attempt);
  const remaining = task.timeoutMs === undefined ? Infinity : attempt.startedAt + task.timeoutMs - deps.now();
  const timeoutMs = Math.max(1, Math.min(config.timeoutMs ?? DEFAULT_SCRIPT_TIMEOUT_MS, remaining));
  const controller = new AbortController();
  const watch = setInterval(() => {
    if (deps.cancelRequested()) controller.abort();
  }, 50);
  let result: CommandResult;
  try {
    const environment = await environments.create({
      id: environmentId,
      workspaceId,
      ...(config.network !== undefined ? { network: config.network } : {}),
      ...(config.isolation !== undefined ? { isolation: config.isolation } : {}),
      ...(config.envAllow ? { envAllow: config.envAllow } : {}),
      ...(config.credentials ? { credentials: config.credentials } : {}),
    });
    result = await environment.run({ argv, env, timeoutMs, ...(config.maxOutputBytes ? { maxOutputBytes: config.maxOutputBytes } : {}), signal: controller.signal, commandId: `attempt-${attempt.attempt}` });
  } catch (error) {
    if (!isLightspeedError(error) || !['invalid', 'unavailable', 'not_found'].includes(error.code)) throw error;
    await queue.fail(deps.lease(), { ...base, errorClass: error.code === 'unavailable' ? 'isolation_unavailable' : 'script_invalid', error: error.message, retryable: false });
    return;
  } finally {
    clearInterval(watch);
  }
  await settleScript(deps, config, result, base, timeoutMs);
  await environments.close(environmentId).catch(() => undefined); // its directories; the state and results stay
}

async function settleScript(deps: ScriptAttemptDeps, config: ScriptExecutorConfig, result: CommandResult, base: AttemptReport, timeoutMs: number): Promise<void> {
  const { queue, environments } = deps;
  const resultRef = await putJson(environments!.blobs, result);
  const collected = result.collected;
  const evidence = [resultRef, result.stdoutRef, result.stderrRef, ...(collected ? [collected.patchRef, collected.postRef] : [])];
  const report: AttemptReport = { ...base, evidence };
  const lease = deps.lease();
  const said = tail(result.stderr || result.stdout);
  if (result.cancelled) {
    await deps.renew();
    if (deps.cancelRequested()) await queue.cancelled(deps.lease(), report);
    else await queue.fail(lease, { ...report, errorClass: 'cancelled', error: 'the command was cancelled outside the task queue', retryable: false });
    return;
  }
  if (result.timedOut) {
    await queue.fail(lease, { ...report, errorClass: 'timeout', error: `the command ran longer than ${timeoutMs} ms; its process group was killed`, retryable: true });
    return;
  }
  if (collected?.conflict) {
    await queue.fail(lease, { ...report, errorClass: 'workspace_conflict', error: collected.conflict, retryable: true });
    return;
  }
  const exit = result.exitCode === null ? `was killed by ${result.signal ?? 'a signal'}` : `exited with ${result.exitCode}`;
  switch (scriptOutcome(config, result.exitCode)) {
    case 'succeeded': {
      const missing = collected ? await missingFiles(deps, collected.postRef) : [];
      if (missing.length > 0) await queue.block(lease, { ...report, errorClass: 'missing_artifacts', reason: `the command finished without the required artifacts: ${missing.join(', ')}` });
      else await queue.succeed(lease, report);
      return;
    }
    case 'blocked':
      await queue.block(lease, { ...report, errorClass: 'script_blocked', reason: `the command ${exit}${said}` });
      return;
    case 'fatal':
      await queue.fail(lease, { ...report, errorClass: 'script_failed', error: `the command ${exit}${said}`, retryable: false });
      return;
    case 'retry':
      await queue.fail(lease, { ...report, errorClass: 'script_failed', error: `the command ${exit}${said}`, retryable: true });
  }
}

/** Required artifacts are workspace paths (`/out.txt`) checked in the snapshot the command left. */
async function missingFiles(deps: ScriptAttemptDeps, postRef: BlobRef): Promise<string[]> {
  const nodes = deps.environments!.workspaces.nodes;
  const missing: string[] = [];
  for (const path of deps.requiredArtifacts ?? []) if (!(await stat(nodes, postRef, path))) missing.push(path);
  return missing;
}

function tail(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return '';
  return `: ${trimmed.length > 200 ? `…${trimmed.slice(-199)}` : trimmed}`;
}
