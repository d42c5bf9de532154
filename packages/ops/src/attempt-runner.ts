import { putText } from '@lightspeed/cas';
import type { AgentHost, SessionRef } from '@lightspeed/driver';
import type { Environments } from '@lightspeed/environments';
import { findRun, findSubmission, isTerminalRun, preview, type Command, type ModelSelection, type RunState, type SessionState } from '@lightspeed/engine';
import { isLightspeedError, LightspeedError, taskAttemptSubmissionId, type AttemptFacts, type AttemptReport, type ClaimedTask, type Clock, type TaskLease, type TaskQueue } from '@lightspeed/ports';
import { missingArtifacts } from './required-artifacts.js';
import { retryAfterOf, runReport, settlementOf } from './run-outcome.js';
import type { TaskAgent, TaskSessionOpener } from './task-agents.js';
import { renderTaskTemplate } from './task-template.js';
import { runScriptAttempt } from './script-attempt.js';

export interface AttemptContext {
  universe: string;
  host: AgentHost;
  queue: TaskQueue;
  sessions: TaskSessionOpener;
  leaseMs: number;
  clock: Clock;
  /** Aborted when the dispatcher stops: the attempt is abandoned (its lease expires and is adopted). */
  signal: AbortSignal;
  /** The universe's environments, where script tasks run; absent: script tasks fail (`script_unavailable`). */
  environments?: Environments;
  /** Called when the attempt's run has been submitted (or adopted): enqueue → run started. */
  onRunStarted?: (claimed: ClaimedTask, runId: string) => void;
}

/** Where one attempt ended, for the dispatcher's log and tests. */
export type AttemptEnd = 'settled' | 'lease_lost' | 'abandoned';

/** An attempt's session: one per attempt, so a retry starts from a clean conversation. */
export function attemptSessionId(taskId: string, attempt: number): string {
  return `${taskId}.attempt-${attempt}`;
}

class LeaseLost extends Error {}

/**
 * Runs one claimed attempt to its settlement: opens the attempt's session from the agent
 * definition, submits the run with the attempt's idempotent submission id (or adopts the run a dead
 * dispatcher submitted), renews the lease every `leaseMs/3` while following the run, cancels the
 * run on a cancel request or the task's timeout, and settles from the run's outcome.
 */
export async function runAttempt(ctx: AttemptContext, claimed: ClaimedTask): Promise<AttemptEnd> {
  const runner = new AttemptRunner(ctx, claimed);
  try {
    return await runner.run();
  } catch (error) {
    if (error instanceof LeaseLost || isLeaseLost(error)) return 'lease_lost';
    if (ctx.signal.aborted) return 'abandoned';
    throw error;
  }
}

function isLeaseLost(error: unknown): boolean {
  return isLightspeedError(error, 'conflict') && error.details?.reason === 'lease_lost';
}

class AttemptRunner {
  private lease: TaskLease;
  private readonly ref: SessionRef;
  private readonly evidence: string[] = [];
  private cancelRequested = false;
  /** Set when a renewal found the lease taken over: the attempt is someone else's now. */
  private lost = false;

  constructor(
    private readonly ctx: AttemptContext,
    private readonly claimed: ClaimedTask,
  ) {
    this.lease = claimed.lease;
    this.ref = { universe: ctx.universe, sessionId: claimed.attempt.sessionId ?? attemptSessionId(claimed.task.id, claimed.attempt.attempt) };
  }

  async run(): Promise<AttemptEnd> {
    // The lease is renewed in the background from the start: opening the session and submitting
    // the run can take longer than a short lease, and a lapsed lease would be adopted by a claimer.
    const every = Math.max(1, Math.floor(this.ctx.leaseMs / 3));
    let renewing = false;
    const timer = setInterval(() => {
      if (renewing) return;
      renewing = true;
      this.renew()
        .catch((error: unknown) => {
          // A store hiccup is retried at the next tick: the lease still runs until expiresAt.
          if (isLeaseLost(error)) this.lost = true;
        })
        .finally(() => (renewing = false));
    }, every);
    try {
      return await this.attempt();
    } finally {
      clearInterval(timer);
    }
  }

  private async attempt(): Promise<AttemptEnd> {
    const { task, attempt } = this.claimed;
    let agent: TaskAgent;
    try {
      agent = await this.ctx.sessions.open(this.ctx.universe, this.ref.sessionId, task.agent);
    } catch (error) {
      if (!isLightspeedError(error)) throw error;
      const unknown = error.code === 'not_found';
      await this.ctx.queue.fail(this.lease, { errorClass: unknown ? 'agent_not_found' : 'agent_invalid', error: error.message, retryable: false });
      return 'settled';
    }
    if (agent.task.executor) {
      await runScriptAttempt(
        {
          queue: this.ctx.queue,
          claimed: this.claimed,
          ...(this.ctx.environments ? { environments: this.ctx.environments } : {}),
          now: () => this.ctx.clock.now(),
          lease: () => this.lease,
          cancelRequested: () => this.cancelRequested,
          renew: () => this.renew(),
          ...(agent.revision !== undefined ? { revision: agent.revision } : {}),
          ...(agent.task.requiredArtifacts ? { requiredArtifacts: agent.task.requiredArtifacts } : {}),
        },
        agent.task.executor,
      );
      return 'settled';
    }
    const state = await this.ctx.host.state(this.ref);
    if (!state || state.status === 'new') throw new LightspeedError('unavailable', `session ${this.ref.sessionId} of task ${task.id} was not opened`);
    const submissionId = taskAttemptSubmissionId(task.id, attempt.attempt);
    // A dead dispatcher's run (same submission id) is adopted, never started a second time.
    let runId = attempt.runId ?? findSubmission(state.submissions, submissionId)?.runId;
    if (runId === undefined) {
      let text: string;
      try {
        text = renderTaskTemplate(agent.task.template, { task, attempt: attempt.attempt, payload: await this.ctx.queue.payload(task) });
      } catch (error) {
        if (!isLightspeedError(error) || (error.code !== 'invalid' && error.code !== 'too_large')) throw error;
        await this.ctx.queue.block(this.lease, { reason: error.message, errorClass: 'template', ...this.facts(agent, state) });
        return 'settled';
      }
      // The rendered input is stored (and hashed) before the run sees it: "what did the agent see" is its ref.
      const inputRef = await putText(this.ctx.host.blobs(this.ctx.universe), text);
      this.evidence.push(inputRef);
      const command: Command = {
        type: 'run.start',
        submissionId,
        source: { type: 'input', items: [{ type: 'text', ref: inputRef, preview: preview(text) }] },
        ...(task.model ? { config: { model: task.model } } : {}),
      };
      const outcome = await this.ctx.host.submit(this.ref, command);
      if (!outcome.ok) {
        await this.ctx.queue.fail(this.lease, { errorClass: 'rejected', error: `the run was refused (${outcome.rejection.code}): ${outcome.rejection.message}`, retryable: false, ...this.facts(agent, state) });
        return 'settled';
      }
      runId = outcome.result?.runId;
      if (runId === undefined) throw new LightspeedError('internal', `run.start of task ${task.id} answered without a run id`);
    } else {
      const source = findRun(state, runId)?.source;
      if (source?.type === 'input') for (const item of source.items) this.evidence.push(item.ref);
    }
    await this.renew({ ...this.facts(agent, state), runId });
    this.ctx.onRunStarted?.(this.claimed, runId);
    const { run, reason } = await this.follow(runId);
    return this.settle(run, reason, agent, state);
  }

  private facts(agent: TaskAgent, state: SessionState): { sessionId: string; agentRevision?: number; model?: ModelSelection } {
    const model = this.claimed.task.model ?? state.config?.model;
    const revision = agent.revision ?? state.config?.origin?.revision;
    return { sessionId: this.ref.sessionId, ...(revision !== undefined ? { agentRevision: revision } : {}), ...(model ? { model } : {}) };
  }

  private async renew(facts?: AttemptFacts): Promise<void> {
    const renewed = await this.ctx.queue.renew(this.lease, { leaseMs: this.ctx.leaseMs, ...(facts ? { facts } : {}) });
    this.lease = renewed.lease;
    if (renewed.cancelRequested) this.cancelRequested = true;
  }

  /** Follows the run to its end, cancelling it when asked to or overdue (the lease renews in the background). */
  private async follow(runId: string): Promise<{ run: RunState; reason?: 'cancel' | 'timeout' }> {
    const { clock, host, signal } = this.ctx;
    const checkEvery = Math.max(1, Math.floor(this.ctx.leaseMs / 3));
    const timeoutMs = this.claimed.task.timeoutMs;
    const deadline = timeoutMs === undefined ? Infinity : this.claimed.attempt.startedAt + timeoutMs;
    let reason: 'cancel' | 'timeout' | undefined;
    let cancelSent = false;
    for (;;) {
      if (signal.aborted) throw new LeaseLost('the dispatcher stopped');
      if (this.lost) throw new LeaseLost(`the lease on task ${this.claimed.task.id} was taken over`);
      const state = await host.state(this.ref);
      const run = state && findRun(state, runId);
      if (!state || !run) throw new LightspeedError('internal', `run ${runId} of session ${this.ref.sessionId} is gone`);
      if (isTerminalRun(run.status)) return { run, ...(reason ? { reason } : {}) };
      if (reason === undefined && this.cancelRequested) reason = 'cancel';
      if (reason === undefined && clock.now() >= deadline) reason = 'timeout';
      if (reason !== undefined && !cancelSent) {
        const outcome = await host.submit(this.ref, { type: 'run.cancel', runId });
        // Refused only when the run ended meanwhile: the next look sees how.
        cancelSent = outcome.ok || outcome.rejection.code === 'conflict';
      }
      const waitMs = Math.max(1, Math.min(checkEvery, deadline - clock.now()));
      await host.waitForEvents(this.ref, state.head, waitMs, signal);
    }
  }

  private async settle(run: RunState, reason: 'cancel' | 'timeout' | undefined, agent: TaskAgent, state: SessionState): Promise<AttemptEnd> {
    const { queue } = this.ctx;
    const report: AttemptReport = { ...this.facts(agent, state), runId: run.runId, ...runReport(run) };
    const settlement = settlementOf(run, run.status === 'failed' ? retryAfterOf(await this.runEvents(), run.runId) : undefined);
    switch (settlement.kind) {
      case 'succeeded': {
        const required = agent.task.requiredArtifacts ?? [];
        const { present, missing } = await missingArtifacts(this.ctx.host, this.ref, required);
        const evidence = [...this.evidence, ...present];
        if (missing.length > 0) {
          await queue.block(this.lease, { ...report, evidence, errorClass: 'missing_artifacts', reason: `the run finished without the required artifacts: ${missing.join(', ')}` });
        } else {
          await queue.succeed(this.lease, { ...report, evidence });
        }
        return 'settled';
      }
      case 'cancelled': {
        if (reason === 'timeout') {
          await queue.fail(this.lease, { ...report, evidence: this.evidence, errorClass: 'timeout', error: `the attempt ran longer than the task's timeoutMs (${this.claimed.task.timeoutMs} ms)`, retryable: true });
          return 'settled';
        }
        if (reason === undefined) await this.renew(); // was it the queue's cancel after all?
        if (this.cancelRequested) await queue.cancelled(this.lease, { ...report, evidence: this.evidence });
        else await queue.fail(this.lease, { ...report, evidence: this.evidence, errorClass: 'cancelled', error: `run ${run.runId} was cancelled outside the task queue`, retryable: false });
        return 'settled';
      }
      case 'blocked':
        await queue.block(this.lease, { ...report, evidence: this.evidence, errorClass: settlement.errorClass, reason: settlement.reason });
        return 'settled';
      case 'failed':
        await queue.fail(this.lease, {
          ...report,
          evidence: this.evidence,
          errorClass: settlement.errorClass,
          error: settlement.error,
          retryable: settlement.retryable,
          ...(settlement.retryAfterMs !== undefined ? { retryAfterMs: settlement.retryAfterMs } : {}),
        });
        return 'settled';
    }
  }

  /** The session's log (one run per attempt session, so it is short); read for the run's last failure. */
  private async runEvents() {
    return this.ctx.host.readEvents(this.ref, { after: 0, limit: 10_000 });
  }
}
