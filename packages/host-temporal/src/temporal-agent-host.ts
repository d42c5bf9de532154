import { ApplicationFailure, WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { upcast, type Command, type LogEntry, type Rejection, type SessionState } from '@lightspeed/engine';
import { liveKey, refuseInvalidModelParams, SessionStateCache, type AgentHost, type SessionRef, type SubmitOutcome } from '@lightspeed/driver';
import type { BlobStore, HeadSignal, LiveChannel, LlmPort, ModelInfo, SessionListPage, SessionListStatus, WorkspaceStore } from '@lightspeed/ports';
import { MemoryLiveChannel } from '@lightspeed/store-memory';
import { admitUpdate, isRejection, REJECTION_FAILURE, SESSION_WORKFLOW, sessionWorkflowId, type AdmitReply, type SessionWorkflowInput } from './definitions.js';
import { checkAddress, type HostStores } from './host-stores.js';

export interface TemporalAgentHostOptions {
  client: Client;
  taskQueue: string;
  stores: HostStores;
  /** Token deltas: in-process channel shared with a co-located worker, or `PostgresLiveChannel`. */
  live?: LiveChannel;
  /** For `listModels` (the gateway's model catalog) and checking models and params at submit. */
  llm?: Pick<LlmPort, 'listModels' | 'validateParams'>;
  /** Passed to new session workflows. */
  workflow?: Pick<SessionWorkflowInput, 'maxHistoryEvents' | 'snapshotEvery'>;
  /** Head signals from workers (`MemoryHeadSignal` in one process, `PostgresLiveChannel.headSignal` apart). */
  heads?: HeadSignal;
  /** How often `waitForEvents` polls the store head: default 25 ms, or 1 s as a safety net with `heads`. */
  pollMs?: number;
  /** Called on close (e.g. to close connections this host owns). */
  onClose?: () => Promise<void>;
}

/** How often an answer to a wait the store shows is retried while the workflow catches up. */
const LAGGING_RETRIES = 20;
/** Retries of an update refused while the workflow task fails: 200 ms, 400 ms, … about 9 s in all. */
const FAILED_TASK_RETRIES = 10;

/** An admission refused by the engine, carried back through Temporal as an ApplicationFailure. */
function rejectionOf(error: unknown): Rejection | undefined {
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof ApplicationFailure && cause.type === REJECTION_FAILURE && isRejection(cause.details?.[0])) return cause.details[0];
  }
  return undefined;
}

/** Whether the error or one of its causes says `pattern`. */
function saysSomewhere(error: unknown, pattern: RegExp): boolean {
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    if (pattern.test(cause.message)) return true;
  }
  return false;
}

/** The workflow ended (session closed, or never opened) between our start and our Update: start it again. */
const workflowGone = (error: unknown) => saysSomewhere(error, /already completed|workflow execution.*(not found|completed)/i);

/**
 * The server refuses updates while the workflow's last task failed; the task is retried (a new
 * worker, a replay) and the update then goes through, so this is worth a few retries, not an error.
 */
const workflowTaskFailing = (error: unknown) => saysSomewhere(error, /workflow task in failed state/i);

/**
 * The gateway side of the Temporal host. Commands go to the session's workflow as Updates
 * (update-with-start, so the first command starts it); reads come from the shared store, which the
 * workflow writes before it answers.
 */
export class TemporalAgentHost implements AgentHost {
  readonly engine = 'temporal' as const;
  readonly live: LiveChannel;
  private readonly states: SessionStateCache;
  private closed = false;

  constructor(private readonly options: TemporalAgentHostOptions) {
    this.live = options.live ?? new MemoryLiveChannel();
    this.states = new SessionStateCache(options.stores);
  }

  async submit(ref: SessionRef, command: Command): Promise<SubmitOutcome> {
    this.assertOpen();
    checkAddress(ref);
    const refused = await refuseInvalidModelParams(this.options.llm, command, async () => (await this.states.latest(ref)).config);
    if (refused) return refused;
    const input: SessionWorkflowInput = { universe: ref.universe, sessionId: ref.sessionId, ...this.options.workflow };
    let reply: AdmitReply | undefined;
    for (let attempt = 1; reply === undefined; attempt++) {
      try {
        reply = await this.options.client.workflow.executeUpdateWithStart(admitUpdate, {
          args: [command],
          startWorkflowOperation: new WithStartWorkflowOperation(SESSION_WORKFLOW, {
            workflowId: sessionWorkflowId(ref.universe, ref.sessionId),
            taskQueue: this.options.taskQueue,
            args: [input],
            workflowIdConflictPolicy: 'USE_EXISTING',
          }),
        });
      } catch (error) {
        const rejection = rejectionOf(error);
        if (rejection && attempt < LAGGING_RETRIES && (await this.workflowLags(ref, command, rejection))) {
          await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
          continue;
        }
        if (rejection) return { ok: false, rejection };
        if (attempt < 5 && workflowGone(error)) continue;
        if (attempt < FAILED_TASK_RETRIES && workflowTaskFailing(error)) {
          await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
          continue;
        }
        throw error;
      }
    }
    const state = await this.states.latest(ref);
    return reply.result === undefined ? { ok: true, state, head: state.head } : { ok: true, result: reply.result, state, head: state.head };
  }

  /**
   * A workflow replaying on a new worker (its previous one died after writing a step to the store
   * but before the step reached history) admits against the state it has rebuilt so far, so a wait
   * the store already shows can be "not found" there for a moment. Such an answer is retried.
   */
  private async workflowLags(ref: SessionRef, command: Command, rejection: Rejection): Promise<boolean> {
    if (rejection.code !== 'not_found' || command.type !== 'promise.resolve') return false;
    const stored = (await this.states.latest(ref)).promises;
    return Object.prototype.hasOwnProperty.call(stored, command.promiseId) && stored[command.promiseId]!.status === 'pending';
  }

  async state(ref: SessionRef): Promise<SessionState | undefined> {
    this.assertOpen();
    checkAddress(ref);
    const state = await this.states.latest(ref);
    return state.head === 0 ? undefined : state;
  }

  async readEvents(ref: SessionRef, options: { after?: number; limit?: number }): Promise<LogEntry[]> {
    checkAddress(ref);
    const entries = await this.options.stores.sessions(ref.universe).read(ref.sessionId, options);
    return entries.map(upcast);
  }

  async waitForEvents(ref: SessionRef, after: number, waitMs: number, signal?: AbortSignal): Promise<void> {
    checkAddress(ref);
    const store = this.options.stores.sessions(ref.universe);
    const deadline = Date.now() + waitMs;
    const heads = this.options.heads;
    const pollMs = this.options.pollMs ?? (heads ? 1_000 : 25);
    let signalled = false;
    let wakeUp: (() => void) | undefined;
    // Subscribe before reading the head, so an append between the read and the wait is not missed.
    const unsubscribe = heads?.subscribe(liveKey(ref), (head) => {
      if (head > after) {
        signalled = true;
        wakeUp?.();
      }
    });
    try {
      while (!signal?.aborted && !this.closed && !signalled) {
        if (((await store.head(ref.sessionId)) ?? 0) > after) return;
        const left = deadline - Date.now();
        if (left <= 0 || signalled) return;
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', done);
            wakeUp = undefined;
            resolve();
          };
          const timer = setTimeout(done, Math.min(pollMs, left));
          signal?.addEventListener('abort', done, { once: true });
          wakeUp = done;
        });
      }
    } finally {
      unsubscribe?.();
    }
  }

  listSessions(universe: string, options: { limit?: number; cursor?: string; status?: SessionListStatus }): Promise<SessionListPage> {
    return this.options.stores.sessions(universe).list(options);
  }

  async deleteSession(ref: SessionRef): Promise<void> {
    checkAddress(ref);
    await this.options.stores.sessions(ref.universe).delete(ref.sessionId);
    this.states.forget(ref);
  }

  blobs(universe: string): BlobStore {
    return this.options.stores.blobs(universe);
  }

  workspaces(universe: string): WorkspaceStore {
    return this.options.stores.workspaces(universe);
  }

  async listModels(): Promise<ModelInfo[]> {
    return this.options.llm ? this.options.llm.listModels() : [];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.options.onClose?.();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the Temporal host is closed');
  }
}
