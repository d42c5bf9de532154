import * as restate from '@restatedev/restate-sdk';
import type { Command } from '@lightspeed/engine';
import { SESSION_OBJECT, type SessionFacts, type SubmitReply } from './protocol.js';
import { refOfObjectKey } from './session-key.js';
import type { ServiceRuntime } from './service-runtime.js';
import { SessionStep } from './session-step.js';

/**
 * One virtual object per session. Its exclusive handlers are short (admit, commit, plan, send):
 * generations and tool calls run in the effects service, so a cancel is admitted while they run.
 */
export function sessionObject(runtime: ServiceRuntime) {
  return restate.object({
    name: SESSION_OBJECT,
    handlers: {
      submit: async (ctx: restate.ObjectContext, command: Command): Promise<SubmitReply> => {
        const step = await SessionStep.begin(ctx, runtime);
        const reply = await step.admit(command);
        if (reply.ok) {
          if (command.type === 'session.open' || command.type === 'session.configure') await step.setUpSession();
          await step.drive();
          reply.head = step.state.head;
        }
        step.save();
        return reply;
      },
      /** A durable delayed send armed by a `wait` action. */
      timer: async (ctx: restate.ObjectContext, input: { until: number }): Promise<void> => {
        const step = await SessionStep.begin(ctx, runtime);
        await step.fireDueTimers(input.until);
        await step.drive();
        step.save();
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
    options: {
      retryPolicy: { initialInterval: 50, maxInterval: 2_000, exponentiationFactor: 2 },
    },
  });
}
