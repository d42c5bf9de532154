import { Context } from '@temporalio/activity';
import { applyAll, serializeState, type BlobRef, type Command, type SessionState } from '@lightspeed/engine';
import { DEFAULT_RETRY_POLICY, performCompaction, performDelivery, performGeneration, performToolCall, liveKey, scopedLiveChannel, SessionLog, SessionStateCache, sessionSetupCommands, type DriverPorts, type RetryPolicy, type ToolPortFactory, toolFactsOf } from '@lightspeed/driver';
import { AppendConflictError, systemClock, type Clock, type HeadSignal, type LiveChannel, type LlmPort, type SessionDirectory, type ToolPort } from '@lightspeed/ports';
import type { AppendInput, AppendResult, SessionActivities, SessionAddress } from './activity-types.js';
import { checkAddress, type HostStores } from './host-stores.js';

export interface ActivityDeps {
  stores: HostStores;
  llm: LlmPort;
  tools: ToolPortFactory;
  live?: LiveChannel;
  clock?: Clock;
  retry?: RetryPolicy;
  sleep?: DriverPorts['sleep'];
  /** How often a running effect heartbeats (cancellation arrives with the heartbeat's answer). */
  heartbeatEveryMs?: number;
  /** Told after every append, so gateways waiting on the session wake at once. */
  heads?: HeadSignal;
  /**
   * The universe's sessions through Temporal (Updates to their workflows): what sub-agent tools
   * and the `deliver` activity use. Without it both are refused as unavailable.
   */
  sessions?: (universe: string) => SessionDirectory;
}

/**
 * The activities of the session workflow, over the shared driver. Effects re-derive their request
 * from the state at the head the workflow planned at (cached per session, so this is cheap), run
 * with a heartbeat, and abort the provider stream or tool through an AbortSignal when Temporal
 * delivers a cancellation (workflow cancel, or worker shutdown).
 */
export function createActivities(deps: ActivityDeps): SessionActivities & { states: SessionStateCache } {
  const states = new SessionStateCache(deps.stores);
  const toolPorts = new Map<string, ToolPort>();
  const heartbeatEveryMs = deps.heartbeatEveryMs ?? 100;

  const toolPort = ({ universe, sessionId }: SessionAddress): ToolPort => {
    const key = `${universe}\u0000${sessionId}`;
    let port = toolPorts.get(key);
    if (!port) {
      port = deps.tools({
        universe,
        sessionId,
        blobs: deps.stores.blobs(universe),
        workspaces: deps.stores.workspaces(universe),
        sessionFacts: async (id) => toolFactsOf(await states.latest({ universe, sessionId: id })),
        ...(deps.sessions ? { sessions: deps.sessions(universe) } : {}),
      });
      toolPorts.set(key, port);
      if (toolPorts.size > 1000) toolPorts.delete(toolPorts.keys().next().value!);
    }
    return port;
  };

  const ports = (address: SessionAddress): DriverPorts => ({
    blobs: deps.stores.blobs(address.universe),
    llm: deps.llm,
    tools: toolPort(address),
    // Deltas travel under the universe-qualified key the surfaces subscribe with.
    ...(deps.live ? { live: scopedLiveChannel(deps.live, address) } : {}),
    clock: deps.clock ?? systemClock,
    retry: deps.retry ?? DEFAULT_RETRY_POLICY,
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.sessions ? { sessions: deps.sessions(address.universe) } : {}),
  });

  /** Runs an effect under a heartbeat; a cancellation aborts it and settles at once, even if it ignores the signal. */
  async function heartbeating<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const context = Context.current();
    context.heartbeat();
    const timer = setInterval(() => context.heartbeat(), heartbeatEveryMs);
    try {
      return await Promise.race([fn(context.cancellationSignal), context.cancelled]);
    } finally {
      clearInterval(timer);
    }
  }

  const logOf = ({ universe, sessionId }: SessionAddress) => new SessionLog(deps.stores.sessions(universe), deps.stores.blobs(universe), sessionId);

  async function append(input: AppendInput): Promise<AppendResult> {
    checkAddress(input);
    const { universe, sessionId, expectedHead, entries } = input;
    const ref = { universe, sessionId };
    const newest = states.newest(ref);
    const base = newest?.head === expectedHead ? newest : undefined;
    const blobs = input.blobs?.map((b) => ({ ref: b.ref as BlobRef, text: b.text }));
    let next: SessionState | undefined;
    let written: Awaited<ReturnType<SessionLog['commit']>>;
    try {
      written = await logOf(input).commit(
        { expectedHead, entries, ...(blobs ? { blobs } : {}), projection: input.projection },
        input.snapshot ? async (committed) => (next = base ? applyAll(base, committed) : await states.at(ref, expectedHead + entries.length)) : undefined,
      );
    } catch (error) {
      // Retrying cannot help (the stored entries stay what they are): the workflow must reload.
      if (error instanceof AppendConflictError) return { diverged: true };
      throw error;
    }
    const result: AppendResult = {};
    if (written.adopted?.some((entry, i) => entry.at !== entries[i]!.at)) result.committedAt = written.adopted.map((e) => e.at);
    if (written.snapshot) result.snapshot = written.snapshot;
    deps.heads?.notify(liveKey({ universe, sessionId }), expectedHead + entries.length);
    next ??= base ? applyAll(base, written.adopted ?? entries) : undefined;
    if (next) states.put(ref, next);
    return result;
  }

  return {
    states,
    append,
    async bootstrap(input) {
      checkAddress(input);
      const state = await states.latest(input);
      const pointer = await deps.stores.sessions(input.universe).latestSnapshot(input.sessionId);
      return { state: serializeState(state), snapshotSeq: pointer?.seq ?? 0 };
    },
    async snapshot(input) {
      checkAddress(input);
      return logOf(input).snapshot(await states.at(input, input.head));
    },
    async generate(input): Promise<Command> {
      checkAddress(input);
      const state = await states.at(input, input.head);
      return heartbeating((signal) => performGeneration(state, input.action, ports(input), signal));
    },
    async compact(input): Promise<Command> {
      checkAddress(input);
      const state = await states.at(input, input.head);
      return heartbeating((signal) => performCompaction(state, input.action, ports(input), signal));
    },
    async invokeTool(input): Promise<Command> {
      checkAddress(input);
      return heartbeating((signal) => performToolCall(input.call, ports(input), signal));
    },
    async deliver(input): Promise<Command> {
      checkAddress(input);
      // The receiving workflow admits the command (first writer wins), so a retried delivery is harmless.
      return performDelivery(input.message, ports(input));
    },
    async sessionSetup(input) {
      checkAddress(input);
      const state = await states.at(input, input.head);
      return sessionSetupCommands(state, toolPort(input));
    },
  };
}
