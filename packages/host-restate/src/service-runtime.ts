import { DEFAULT_RETRY_POLICY, scopedLiveChannel, sessionDirectoryOf, type DriverPorts, type RetryPolicy, type SessionRef, type ToolPortFactory, toolFactsOf } from '@lightspeed/driver';
import { systemClock, type Clock, type EffectAbortSignal, type HeadSignal, type LiveChannel, type LlmPort, type SessionDirectory, type ToolPort } from '@lightspeed/ports';
import { RestateAgentHost } from './restate-host.js';
import { MemoryHeadSignal } from '@lightspeed/store-memory';
import { EffectRegistry } from './effect-registry.js';
import { cacheKeyOf } from './session-key.js';
import { SessionStateCache } from '@lightspeed/driver';
import type { RestateStores } from './stores.js';

export interface RestateServiceOptions {
  stores: RestateStores;
  llm: LlmPort;
  tools: ToolPortFactory;
  live?: LiveChannel;
  clock?: Clock;
  retry?: RetryPolicy;
  /** Snapshot the state every this many events (rehydration of a cold process stays flat). */
  snapshotEvery?: number;
  /** Bound on concurrently running parallel-safe tool calls of a batch. */
  toolConcurrency?: number;
  /**
   * Told the new head on every commit (keyed by `liveKey`): shared in memory with a RestateAgentHost
   * in the same process, or over PostgreSQL with gateways elsewhere.
   */
  heads?: HeadSignal;
  /** Carries effect aborts between endpoint processes (PostgreSQL); without it aborts stay in this process. */
  aborts?: EffectAbortSignal;
  /** Shared with a RestateAgentHost in the same process so both rehydrate once. */
  cache?: SessionStateCache;
  sleep?: DriverPorts['sleep'];
  /**
   * The Restate ingress: sub-agent tools open and steer other sessions through it (their objects
   * admit the commands). Without it they are refused as unavailable.
   */
  ingressUrl?: string;
}

/**
 * What the handlers of one endpoint process share: ports, the per-process state cache, the
 * registry of running effects. Nothing here is durable; Restate state and the store are.
 */
export class ServiceRuntime {
  readonly stores: RestateStores;
  readonly cache: SessionStateCache;
  readonly registry: EffectRegistry;
  readonly heads: HeadSignal;
  readonly clock: Clock;
  readonly snapshotEvery: number;
  readonly toolConcurrency: number;
  private readonly toolPorts = new Map<string, ToolPort>();
  private ingressHost: RestateAgentHost | undefined;

  constructor(private readonly options: RestateServiceOptions) {
    this.stores = options.stores;
    this.cache = options.cache ?? new SessionStateCache(options.stores);
    this.heads = options.heads ?? new MemoryHeadSignal();
    this.registry = new EffectRegistry(options.aborts);
    this.clock = options.clock ?? systemClock;
    this.snapshotEvery = options.snapshotEvery ?? 500;
    this.toolConcurrency = options.toolConcurrency ?? 8;
  }

  toolPort(ref: SessionRef): ToolPort {
    const key = cacheKeyOf(ref);
    let port = this.toolPorts.get(key);
    if (!port) {
      const { stores } = this.options;
      port = this.options.tools({
        universe: ref.universe,
        sessionId: ref.sessionId,
        blobs: stores.blobs(ref.universe),
        workspaces: stores.workspaces(ref.universe),
        // The store is the truth an effect handler acts on; Restate state only points into it.
        sessionFacts: async (sessionId) => toolFactsOf(await this.cache.latest({ universe: ref.universe, sessionId })),
        ...(this.options.ingressUrl ? { sessions: this.directory(ref.universe) } : {}),
      });
      if (this.toolPorts.size >= 1000) this.toolPorts.delete(this.toolPorts.keys().next().value!);
      this.toolPorts.set(key, port);
    }
    return port;
  }

  /** The universe's sessions through the ingress (tools run inside a `ctx.run`, outside any object's handler). */
  private directory(universe: string): SessionDirectory {
    this.ingressHost ??= new RestateAgentHost({ ingressUrl: this.options.ingressUrl!, stores: this.stores, llm: this.options.llm, cache: this.cache, heads: this.heads });
    return sessionDirectoryOf(this.ingressHost, universe);
  }

  ports(ref: SessionRef): DriverPorts {
    return {
      blobs: this.stores.blobs(ref.universe),
      llm: this.options.llm,
      tools: this.toolPort(ref),
      ...(this.options.live ? { live: scopedLiveChannel(this.options.live, ref) } : {}),
      clock: this.clock,
      retry: this.options.retry ?? DEFAULT_RETRY_POLICY,
      ...(this.options.sleep ? { sleep: this.options.sleep } : {}),
    };
  }
}
