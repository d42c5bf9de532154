import './polyfills.js';
import { deliveryKey, effectAction, effectKeys, plan, toolCallKey, type Action, type Command, type OutboxMessage, type SessionState } from '@lightspeed/engine';
import { EffectAborted, performCompaction, performGeneration, performToolCall } from '@lightspeed/driver';
import * as restate from '@restatedev/restate-sdk';
import { writeCommand } from './command-blob.js';
import { EFFECTS_SERVICE, sessionObjectRef, type EffectRequest } from './protocol.js';
import { objectKeyOf, refOfObjectKey } from './session-key.js';
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
 * object's exclusive handler stays free to admit a cancel. The driver call is one `ctx.run` whose
 * journaled result is the CAS ref of the runtime-result command, so a finished effect never runs
 * again after a crash; the ref is then delivered to the object.
 */
export function effectsService(runtime: ServiceRuntime) {
  return restate.service({
    name: EFFECTS_SERVICE,
    handlers: {
      perform: async (ctx: restate.Context, request: EffectRequest): Promise<void> => {
        if (request.effectKey.startsWith('deliver:')) return deliver(ctx, runtime, request);
        const ref = await ctx.run('effect', () => perform(runtime, request));
        if (ref) ctx.objectSendClient(sessionObjectRef, request.key).deliver({ ref, effectKey: request.effectKey });
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

/**
 * An owed message goes to its session's object as a journaled call from this invocation: Restate
 * delivers it exactly once even if this process dies right after, and the receiving admission
 * makes a duplicate harmless anyway. The acknowledgement is journaled like any effect's result.
 */
async function deliver(ctx: restate.Context, runtime: ServiceRuntime, request: EffectRequest): Promise<void> {
  const ref = refOfObjectKey(request.key);
  const message = await ctx.run('message', async (): Promise<OutboxMessage | null> => {
    const planned = actionAt(await runtime.cache.at(ref, request.head), request.effectKey);
    if (!planned || planned.action.type !== 'deliver') return null;
    return planned.action.messages.find((m) => deliveryKey(m.messageId) === request.effectKey) ?? null;
  });
  if (!message) return;
  // A call, not a one-way send: the receiver's refusal (say, it was closed) is logged with the ack,
  // as the other hosts log it. Journaled, so a retry after a crash reads the reply, not a resend.
  const reply = await ctx.objectClient(sessionObjectRef, objectKeyOf({ universe: ref.universe, sessionId: message.to })).submit(message.command);
  const delivered: Command = { type: 'outbox.delivered', messageId: message.messageId, ...(reply.ok ? {} : { rejection: reply.rejection.code }) };
  const ack = await ctx.run('delivered', () => writeCommand(runtime.stores.blobs(ref.universe), delivered));
  ctx.objectSendClient(sessionObjectRef, request.key).deliver({ ref: ack, effectKey: request.effectKey });
}

async function perform(runtime: ServiceRuntime, request: EffectRequest): Promise<string | null> {
  const ref = refOfObjectKey(request.key);
  const planned = actionAt(await runtime.cache.at(ref, request.head), request.effectKey);
  // After a restart Restate retries every effect invocation; one the engine stopped wanting meanwhile
  // (its run was cancelled) must not call the provider or a tool again.
  if (!planned || !stillWanted(await runtime.cache.latest(ref), request.effectKey)) return null;
  const { signal, release } = runtime.registry.register(ref, request.effectKey);
  try {
    const ports = runtime.ports(ref);
    const { state, action } = planned;
    let command;
    if (action.type === 'generate') command = await performGeneration(state, action, ports, signal);
    else if (action.type === 'compact') command = await performCompaction(state, action, ports, signal);
    else if (action.type === 'invokeTools') {
      const call = action.calls.find((c) => toolCallKey(c.callId) === request.effectKey)!;
      command = await performToolCall(call, ports, signal);
    }
    // A delivery is sent by `deliver`, never run here.
    if (command === undefined) return null;
    return await writeCommand(ports.blobs, command);
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

type EffectAction = Extract<Action, { type: 'generate' | 'compact' | 'invokeTools' | 'deliver' }>;

/** The action the object planned at `head` that `effectKey` names (plan is pure: same head, same action). */
function actionAt(state: SessionState, effectKey: string): { state: SessionState; action: EffectAction } | undefined {
  const action = effectAction(plan(state));
  return action && effectKeys(action).includes(effectKey) ? { state, action } : undefined;
}

function stillWanted(latest: SessionState, effectKey: string): boolean {
  const next = plan(latest);
  return next.type === 'append' || effectKeys(next).includes(effectKey);
}
