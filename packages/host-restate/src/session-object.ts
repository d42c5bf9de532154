import './polyfills.js';
import * as restate from '@restatedev/restate-sdk';
import type { Command } from '@lightspeed/engine';
import { SESSION_OBJECT, type BlobRefString, type SessionFacts, type SubmitReply } from './protocol.js';
import { refOfObjectKey } from './session-key.js';
import type { ServiceRuntime } from './service-runtime.js';
import { SessionStep } from './session-step.js';

const RETRY = { initialInterval: 50, maxInterval: 2_000, exponentiationFactor: 2 };

/**
 * One virtual object per session. Its exclusive handlers are short (one store step, then sends):
 * generations and tool calls run in the effects service, so a cancel is admitted while they run.
 */
export function sessionObject(runtime: ServiceRuntime) {
  return restate.object({
    name: SESSION_OBJECT,
    handlers: {
      submit: async (ctx: restate.ObjectContext, command: Command): Promise<SubmitReply> => {
        return (await SessionStep.begin(ctx, runtime)).run({ type: 'command', command });
      },
      deliver: async (ctx: restate.ObjectContext, input: { ref: BlobRefString; effectKey: string }): Promise<void> => {
        // A result the engine no longer wants (cancelled run) is rejected by admission and dropped.
        await (await SessionStep.begin(ctx, runtime)).run({ type: 'result', ref: input.ref, effectKey: input.effectKey });
      },
      /** A durable delayed send armed by a `wait` action. */
      timer: async (ctx: restate.ObjectContext, input: { until: number }): Promise<void> => {
        await (await SessionStep.begin(ctx, runtime)).run({ type: 'timer', until: input.until });
      },
      /** Drops the object's facts after the session was deleted from the store. */
      forget: async (ctx: restate.ObjectContext): Promise<void> => {
        ctx.clearAll();
        runtime.cache.forget(refOfObjectKey(ctx.key));
      },
      status: restate.handlers.object.shared(async (ctx: restate.ObjectSharedContext): Promise<SessionFacts> => {
        return (await ctx.get<SessionFacts>('facts')) ?? { head: 0, inflight: [], snapshotSeq: 0 };
      }),
    },
    options: { retryPolicy: RETRY },
  });
}
