import './polyfills.js';
import * as clients from '@restatedev/restate-sdk-clients';
import { upcast, type Command, type LogEntry, type SessionState } from '@lightspeed/engine';
import { liveKey, refuseInvalidModelParams, type AgentHost, type SessionRef, type SubmitOutcome } from '@lightspeed/driver';
import { LightspeedError, type BlobStore, type HeadSignal, type LiveChannel, type LlmPort, type ModelInfo, type SessionListPage, type SessionListStatus, type WorkspaceStore } from '@lightspeed/ports';
import { MemoryHeadSignal, MemoryLiveChannel } from '@lightspeed/store-memory';
import { sessionObjectRef } from './protocol.js';
import { objectKeyOf } from './session-key.js';
import { SessionStateCache } from '@lightspeed/driver';
import type { RestateStores } from './stores.js';

export interface RestateAgentHostOptions {
  ingressUrl: string;
  stores: RestateStores;
  /** For `listModels` and checking models and params at submit (the provider registry the endpoint uses). */
  llm: Pick<LlmPort, 'listModels' | 'validateParams'>;
  /**
   * Where the endpoints publish deltas: theirs when one runs in this process, a PostgresLiveChannel
   * when they run elsewhere; otherwise an empty one (no deltas).
   */
  live?: LiveChannel;
  /** The endpoints' head signal (in memory or over PostgreSQL); without one, waits poll the store. */
  heads?: HeadSignal;
  cache?: SessionStateCache;
  /** How often `waitForEvents` polls the store head when no in-process signal wakes it. */
  pollMs?: number;
  /** Called on close (e.g. stops an endpoint this host started). */
  onClose?: () => Promise<void>;
}

/**
 * The gateway's side of the Restate host: commands go through the Restate ingress to the session's
 * virtual object (which admits and commits them); reads come from the shared store, since the log
 * there is authoritative and Restate keeps only the head.
 */
export class RestateAgentHost implements AgentHost {
  readonly engine = 'restate' as const;
  readonly live: LiveChannel;
  private readonly ingress: clients.Ingress;
  private readonly cache: SessionStateCache;
  private readonly heads: HeadSignal;
  private closed = false;

  constructor(private readonly options: RestateAgentHostOptions) {
    this.ingress = clients.connect({ url: options.ingressUrl });
    this.live = options.live ?? new MemoryLiveChannel();
    this.cache = options.cache ?? new SessionStateCache(options.stores);
    this.heads = options.heads ?? new MemoryHeadSignal();
  }

  async submit(ref: SessionRef, command: Command): Promise<SubmitOutcome> {
    this.assertOpen();
    const refused = await refuseInvalidModelParams(this.options.llm, command, async () => (await this.cache.latest(ref)).config);
    if (refused) return refused;
    let reply;
    try {
      reply = await this.ingress.objectClient(sessionObjectRef, objectKeyOf(ref)).submit(command);
    } catch (error) {
      throw new LightspeedError('unavailable', `Restate ingress could not run the command: ${(error as Error).message}`);
    }
    if (!reply.ok) return { ok: false, rejection: reply.rejection };
    const state = await this.cache.at(ref, reply.head);
    const outcome: SubmitOutcome = { ok: true, state, head: reply.head };
    if (reply.result !== undefined) outcome.result = reply.result;
    return outcome;
  }

  async state(ref: SessionRef): Promise<SessionState | undefined> {
    this.assertOpen();
    const state = await this.cache.latest(ref);
    return state.head === 0 ? undefined : state;
  }

  async readEvents(ref: SessionRef, options: { after?: number; limit?: number }): Promise<LogEntry[]> {
    const entries = await this.options.stores.sessions(ref.universe).read(ref.sessionId, options);
    return entries.map(upcast);
  }

  async waitForEvents(ref: SessionRef, after: number, waitMs: number, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + waitMs;
    const store = this.options.stores.sessions(ref.universe);
    for (;;) {
      if (((await store.head(ref.sessionId)) ?? 0) > after) return;
      const left = deadline - Date.now();
      if (left <= 0 || signal?.aborted || this.closed) return;
      await nextHead(this.heads, liveKey(ref), Math.min(left, this.options.pollMs ?? 100), signal);
    }
  }

  listSessions(universe: string, options: { limit?: number; cursor?: string; status?: SessionListStatus }): Promise<SessionListPage> {
    return this.options.stores.sessions(universe).list(options);
  }

  async deleteSession(ref: SessionRef): Promise<void> {
    await this.options.stores.sessions(ref.universe).delete(ref.sessionId);
    this.cache.forget(ref);
    try {
      await this.ingress.objectClient(sessionObjectRef, objectKeyOf(ref)).forget();
    } catch (error) {
      throw new LightspeedError('unavailable', `Restate ingress could not reset the deleted session's object: ${(error as Error).message}`);
    }
  }

  blobs(universe: string): BlobStore {
    return this.options.stores.blobs(universe);
  }

  workspaces(universe: string): WorkspaceStore {
    return this.options.stores.workspaces(universe);
  }

  listModels(): Promise<ModelInfo[]> {
    return this.options.llm.listModels();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.options.onClose?.();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the Restate host is closed');
  }
}

/** Resolves on the next head signal for `key`, after `ms`, or on abort (whichever is first). */
function nextHead(heads: HeadSignal, key: string, ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      unsubscribe();
      resolve();
    };
    const timer = setTimeout(done, ms);
    const unsubscribe = heads.subscribe(key, done);
    signal?.addEventListener('abort', done, { once: true });
  });
}
