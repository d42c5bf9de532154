import { plan, type Command, type SessionState } from '@lightspeed/engine';
import { EffectAborted, performCompaction, performGeneration, performToolCall } from '@lightspeed/driver';
import * as restate from '@restatedev/restate-sdk';
import { EFFECTS_SERVICE, sessionObjectRef, type EffectRequest, type EffectSpec } from './protocol.js';
import { refOfObjectKey } from './session-key.js';
import type { ServiceRuntime } from './service-runtime.js';

/** Thrown when the endpoint shuts down under an effect: the invocation must be retried, not dropped. */
class EndpointShuttingDown extends Error {
  constructor() {
    super('the Restate endpoint is shutting down; the effect will be retried');
    this.name = 'EndpointShuttingDown';
  }
}

/**
 * Runs effects outside the session object (a plain service, invoked with one-way sends), so the
 * object's exclusive handler stays free to admit a cancel. The driver call is one `ctx.run`: its
 * result (the runtime-result command: ids, refs, usage) is journaled, so a finished effect is never
 * run again after a crash, and it is then sent back to the object's `submit`.
 */
export function effectsService(runtime: ServiceRuntime) {
  return restate.service({
    name: EFFECTS_SERVICE,
    handlers: {
      perform: async (ctx: restate.Context, request: EffectRequest): Promise<void> => {
        const command = await ctx.run('effect', () => perform(runtime, request));
        if (command) ctx.objectSendClient(sessionObjectRef, request.key).submit(command);
      },
    },
    options: {
      retryPolicy: { initialInterval: 50, maxInterval: 2_000, exponentiationFactor: 2 },
      // A generation may stream for many minutes inside one ctx.run, during which the SDK sends nothing.
      inactivityTimeout: 60 * 60_000,
      abortTimeout: 60 * 60_000,
    },
  });
}

async function perform(runtime: ServiceRuntime, request: EffectRequest): Promise<Command | null> {
  const ref = refOfObjectKey(request.key);
  const latest = await runtime.cache.latest(ref);
  // After a restart Restate retries every effect invocation; one the engine stopped wanting meanwhile
  // (its run was cancelled) must not call the provider or a tool again.
  if (!stillWanted(latest, request.effect)) return null;
  const { signal, release } = runtime.registry.register(ref, request.effectKey);
  try {
    const ports = runtime.ports(ref);
    const { effect } = request;
    switch (effect.type) {
      case 'generate':
        return await performGeneration(await runtime.cache.at(ref, request.head), effect.action, ports, signal);
      case 'compact':
        return await performCompaction(await runtime.cache.at(ref, request.head), effect.action, ports, signal);
      case 'tool':
        return await performToolCall(effect.call, ports, signal);
    }
  } catch (error) {
    if (error instanceof EffectAborted || signal.aborted) {
      if (runtime.registry.shuttingDown) throw new EndpointShuttingDown();
      return null;
    }
    throw error;
  } finally {
    release();
  }
}

function stillWanted(state: SessionState, effect: EffectSpec): boolean {
  const next = plan(state);
  // Mid-step (the object is between two commits of one handler): do not second-guess it.
  if (next.type === 'append') return true;
  switch (effect.type) {
    case 'generate':
      return next.type === 'generate' && next.turnId === effect.action.turnId && next.attempt === effect.action.attempt;
    case 'compact':
      return next.type === 'compact' && next.compactionId === effect.action.compactionId;
    case 'tool':
      return next.type === 'invokeTools' && next.calls.some((call) => call.callId === effect.call.callId);
  }
}
