import { dispatchStatus, DISPATCHER_ALIVE_MS } from '@lightspeed/ops';
import { systemClock, type Clock, type DispatchControls, type DispatchPause, type TaskQueue } from '@lightspeed/ports';
import type { MethodHandlers } from '../rpc/dispatcher.js';
import type { DispatchPause as DispatchPauseView } from '../schemas/dispatch.js';

/** What `dispatch/*` reads and writes: the universe's task queue (for counts) and dispatch controls. */
export interface DispatchMethodDeps {
  tasks: (universe: string) => TaskQueue;
  controls: (universe: string) => DispatchControls;
  clock?: Clock;
}

function pauseView(pause: DispatchPause): DispatchPauseView {
  return {
    ...(pause.agent !== undefined ? { agent: pause.agent } : {}),
    ...(pause.reason !== undefined ? { reason: pause.reason } : {}),
    ...(pause.by !== undefined ? { pausedBy: pause.by } : {}),
    pausedAtMs: pause.pausedAt,
  };
}

/** dispatch/pause, resume, status (Lightspeed extension; docs/0019-task-queue.md). */
export function dispatchMethods(deps: DispatchMethodDeps): MethodHandlers {
  const clock = deps.clock ?? systemClock;
  return {
    'dispatch/pause': async ({ agent, reason }, { universe, actor }) => {
      const pause = await deps.controls(universe).pause({ ...(agent != null ? { agent } : {}), ...(reason != null ? { reason } : {}), ...(actor ? { by: actor } : {}) });
      return { result: { pause: pauseView(pause) } };
    },

    'dispatch/resume': async ({ agent }, { universe }) => ({ result: await deps.controls(universe).resume(agent != null ? { agent } : {}) }),

    'dispatch/status': async (_params, { universe }) => {
      const status = await dispatchStatus(deps.tasks(universe), deps.controls(universe), clock, DISPATCHER_ALIVE_MS);
      const { byState, expiredLeases, cancelRequested } = status.counts;
      return {
        result: {
          paused: status.pauses.some((pause) => pause.agent === undefined),
          pauses: status.pauses.map(pauseView),
          counts: byState,
          expiredLeases,
          cancelRequested,
          ...(status.oldestQueuedAgeMs !== undefined ? { oldestQueuedAgeMs: status.oldestQueuedAgeMs } : {}),
          dispatchers: status.dispatchers.map((d) => ({
            id: d.id,
            startedAtMs: d.startedAt,
            heartbeatAtMs: d.heartbeatAt,
            inFlight: d.inFlight,
            ...(d.lastError ? { lastError: { message: d.lastError.message, atMs: d.lastError.at } } : {}),
          })),
          ...(status.lastError ? { lastError: { dispatcher: status.lastError.dispatcher, message: status.lastError.message, atMs: status.lastError.at } } : {}),
        },
      };
    },
  };
}
