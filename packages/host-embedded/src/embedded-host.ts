import { needsSessionSetup, type Command, type LogEntry, type SessionState, upcast } from '@lightspeed/engine';
import { DEFAULT_RETRY_POLICY, refuseInvalidModelParams, sessionDirectoryOf, scopedLiveChannel, sessionSetupCommands, type AgentHost, type DriverPorts, type RetryPolicy, type SessionRef, type SessionToolFacts, type SubmitOutcome, type ToolPortFactory, toolFactsOf } from '@lightspeed/driver';
import { systemClock, type BlobStore, type Clock, type LiveChannel, type LlmPort, type ModelInfo, type SessionListPage, type SessionListStatus, type SessionDirectory, type SessionStore, type ToolPort, type WorkspaceStore } from '@lightspeed/ports';
import { MemoryLiveChannel } from '@lightspeed/store-memory';
import { RecentBlobs, recentBlobStore } from './recent-blobs.js';
import { SessionActor } from './session-actor.js';

/** The stores an embedded host runs on, per universe (PGlite or PostgreSQL, or memory in tests). */
export interface EmbeddedStores {
  sessions(universe: string): SessionStore;
  blobs(universe: string): BlobStore;
  workspaces(universe: string): WorkspaceStore;
  /** Every session, across universes, whose projection says it may have unfinished work. */
  activeSessions(): Promise<SessionRef[]>;
}

export interface EmbeddedHostOptions {
  stores: EmbeddedStores;
  llm: LlmPort;
  /** The tool runtime for one session (it may share state across sessions). */
  tools: ToolPortFactory;
  live?: LiveChannel;
  clock?: Clock;
  retry?: RetryPolicy;
  /** Snapshot the state every this many events (rehydration cost stays flat). */
  snapshotEvery?: number;
  /** Bound on concurrently running parallel-safe tool calls per batch. */
  toolConcurrency?: number;
  /** Idle sessions kept in memory; beyond this the least recently used idle ones are dropped. */
  maxCachedSessions?: number;
  /**
   * A session parked on a wait with no deadline (a question) is dropped from memory once nobody
   * has looked it up for this long (default 5 s); the answer's command loads it again.
   */
  parkedReleaseMs?: number;
  onError?: (ref: SessionRef, error: unknown) => void;
  /** Byte bound of the in-memory copy of recently written and read blobs (default 32 MiB). */
  recentBlobBytes?: number;
  sleep?: DriverPorts['sleep'];
}

/**
 * The embedded durable host: every session with work is an async loop in this process. Durability is
 * the store's: each transition is committed before its effect starts, so after a crash `start()`
 * resumes every session with unfinished work from its log, and no finished tool call runs again.
 */
export class EmbeddedHost implements AgentHost {
  readonly engine = 'embedded' as const;
  readonly live: LiveChannel;
  private readonly actors = new Map<string, SessionActor>();
  private readonly loading = new Map<string, Promise<SessionActor>>();
  private readonly clock: Clock;
  private readonly recentBlobs: RecentBlobs;
  private readonly universeBlobs = new Map<string, BlobStore>();
  private closed = false;
  /** The one timer that drops parked sessions (none while no cached session is parked). */
  private releaseTimer: NodeJS.Timeout | undefined;

  private constructor(private readonly options: EmbeddedHostOptions) {
    this.live = options.live ?? new MemoryLiveChannel();
    this.clock = options.clock ?? systemClock;
    this.recentBlobs = new RecentBlobs(options.recentBlobBytes ?? 32 * 1024 * 1024);
  }

  /** Creates the host and resumes every session that has unfinished work. */
  static async start(options: EmbeddedHostOptions): Promise<EmbeddedHost> {
    const host = new EmbeddedHost(options);
    for (const ref of await options.stores.activeSessions()) {
      const actor = await host.actor(ref);
      actor.drive();
    }
    return host;
  }

  async submit(ref: SessionRef, command: Command): Promise<SubmitOutcome> {
    this.assertOpen();
    const actor = await this.actor(ref);
    const outcome = (await refuseInvalidModelParams(this.options.llm, command, async () => actor.state.config)) ?? (await actor.submit(command));
    if (outcome.ok && (command.type === 'session.open' || command.type === 'session.configure')) {
      await this.resolveTools(ref, actor);
    }
    if (outcome.ok) {
      actor.drive();
      return { ...outcome, state: actor.state, head: actor.head };
    }
    this.evictIdle();
    return outcome;
  }

  async state(ref: SessionRef): Promise<SessionState | undefined> {
    this.assertOpen();
    const actor = await this.actor(ref);
    if (actor.head === 0) {
      this.forget(ref);
      return undefined;
    }
    return actor.state;
  }

  async readEvents(ref: SessionRef, options: { after?: number; limit?: number }): Promise<LogEntry[]> {
    const entries = await this.options.stores.sessions(ref.universe).read(ref.sessionId, options);
    return entries.map(upcast);
  }

  async waitForEvents(ref: SessionRef, after: number, waitMs: number, signal?: AbortSignal): Promise<void> {
    const actor = await this.actor(ref);
    await actor.waitForHead(after, waitMs, signal);
  }

  listSessions(universe: string, options: { limit?: number; cursor?: string; status?: SessionListStatus }): Promise<SessionListPage> {
    return this.options.stores.sessions(universe).list(options);
  }

  async deleteSession(ref: SessionRef): Promise<void> {
    await this.options.stores.sessions(ref.universe).delete(ref.sessionId);
    // Unconditionally: a deleted session must not be served from memory, even to an open stream.
    const key = keyOf(ref);
    this.actors.get(key)?.stop();
    this.actors.delete(key);
  }

  /** One BlobStore per universe, shared by its sessions, reading recent blobs from memory. */
  blobs(universe: string): BlobStore {
    let blobs = this.universeBlobs.get(universe);
    if (!blobs) {
      blobs = recentBlobStore(this.options.stores.blobs(universe), universe, this.recentBlobs);
      this.universeBlobs.set(universe, blobs);
    }
    return blobs;
  }

  workspaces(universe: string): WorkspaceStore {
    return this.options.stores.workspaces(universe);
  }

  listModels(): Promise<ModelInfo[]> {
    return this.options.llm.listModels();
  }

  /** Stops every session loop and aborts effects in flight; committed state is kept for the next start. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
    for (const actor of this.actors.values()) actor.stop();
    this.actors.clear();
  }

  /** Sessions currently held in memory (for tests and metrics). */
  get cachedSessions(): number {
    return this.actors.size;
  }

  /**
   * Tools and feature-derived context for a newly opened or reconfigured session (shared driver
   * logic), committed together: a crash leaves the session with all of it or none (then redone).
   */
  private async resolveTools(ref: SessionRef, actor: SessionActor): Promise<void> {
    for (const outcome of await actor.submitAll(await sessionSetupCommands(actor.state, this.toolPort(ref)))) {
      if (!outcome.ok && outcome.rejection.code !== 'closed') this.options.onError?.(ref, new Error(outcome.rejection.message));
    }
  }

  private toolPort(ref: SessionRef): ToolPort {
    const { stores } = this.options;
    return this.options.tools({
      universe: ref.universe,
      sessionId: ref.sessionId,
      blobs: this.blobs(ref.universe),
      workspaces: stores.workspaces(ref.universe),
      sessionFacts: (sessionId) => this.toolFacts({ universe: ref.universe, sessionId }),
      sessions: this.directory(ref.universe),
    });
  }

  /** Another session of the universe, reached the way a surface reaches it: this host's own submit. */
  private directory(universe: string): SessionDirectory {
    return sessionDirectoryOf(this, universe);
  }

  /** A session's tool facts from its actor (loaded while `start` resumes, so they are there before it returns). */
  private async toolFacts(ref: SessionRef): Promise<SessionToolFacts | undefined> {
    const cached = this.actors.get(keyOf(ref));
    if (cached) return toolFactsOf(cached.state);
    return this.closed ? undefined : toolFactsOf(await this.state(ref));
  }

  private async actor(ref: SessionRef): Promise<SessionActor> {
    const key = keyOf(ref);
    const cached = this.actors.get(key);
    if (cached) {
      cached.lastUsed = this.clock.now();
      return cached;
    }
    let pending = this.loading.get(key);
    if (!pending) {
      const { stores } = this.options;
      const blobs = this.blobs(ref.universe);
      const ports: DriverPorts = {
        blobs,
        llm: this.options.llm,
        tools: this.toolPort(ref),
        live: scopedLiveChannel(this.live, ref),
        sessions: this.directory(ref.universe),
        clock: this.clock,
        retry: this.options.retry ?? DEFAULT_RETRY_POLICY,
        ...(this.options.sleep ? { sleep: this.options.sleep } : {}),
      };
      pending = SessionActor.load({
        ref,
        store: stores.sessions(ref.universe),
        ports,
        snapshotEvery: this.options.snapshotEvery ?? 500,
        toolConcurrency: this.options.toolConcurrency ?? 8,
        ...(this.options.onError ? { onError: this.options.onError } : {}),
        // A session that came to rest may now be dropped: the LRU bound applies (it was busy when
        // the last load checked it), and a parked one goes after the grace period.
        onRest: () => {
          this.evictIdle();
          if (this.actors.get(keyOf(ref))?.parked) this.scheduleRelease();
        },
      }).then(async (actor) => {
        // A crash between committing session.open/configure and committing its setup leaves the
        // toolset behind the config; the setup is idempotent, so it is simply redone.
        if (needsSessionSetup(actor.state)) await this.resolveTools(ref, actor);
        return actor;
      });
      this.loading.set(key, pending);
      pending
        .then((actor) => {
          actor.lastUsed = this.clock.now();
          this.actors.set(key, actor);
          this.evictIdle();
        })
        .catch(() => undefined)
        .finally(() => this.loading.delete(key));
    }
    return pending;
  }

  /**
   * Parked sessions (the run waits on an outside answer; nothing runs) cost memory and nothing
   * else; the log has all of them. One host timer drops those nobody has looked up for
   * `parkedReleaseMs`, so sessions parked on a question for days hold no memory. The grace period
   * is what makes dropping safe: a caller that has just looked an actor up (and may be about to
   * submit to it) refreshed its `lastUsed`, so it is never dropped under that caller's feet.
   */
  private scheduleRelease(): void {
    if (this.releaseTimer || this.closed) return;
    const graceMs = this.options.parkedReleaseMs ?? 5_000;
    this.releaseTimer = setTimeout(() => {
      this.releaseTimer = undefined;
      const now = this.clock.now();
      let later = false;
      for (const [key, actor] of this.actors) {
        if (!actor.parked) continue;
        // Watched (a long poll) or looked up within the grace period: look again later.
        if (actor.busy || now - actor.lastUsed < graceMs) later = true;
        else this.actors.delete(key);
      }
      if (later) this.scheduleRelease();
    }, graceMs);
    // Only sessions' own work keeps the process alive, never this housekeeping.
    this.releaseTimer.unref();
  }

  private forget(ref: SessionRef): void {
    const key = keyOf(ref);
    const actor = this.actors.get(key);
    if (actor && !actor.busy) this.actors.delete(key);
  }

  /** Keeps memory bounded: drops least recently used sessions that have nothing running. */
  private evictIdle(): void {
    const max = this.options.maxCachedSessions ?? 1000;
    if (this.actors.size <= max) return;
    const idle = [...this.actors.entries()].filter(([, actor]) => !actor.busy).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [key] of idle) {
      if (this.actors.size <= max) break;
      this.actors.delete(key);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the embedded host is closed');
  }
}

function keyOf(ref: SessionRef): string {
  return `${ref.universe}\u0000${ref.sessionId}`;
}
