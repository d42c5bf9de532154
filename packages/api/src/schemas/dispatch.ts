import { z } from 'zod';
import { epochMs, named, uint } from './registry.js';

/*
 * Lightspeed extension: operator controls of task dispatch (issue 14). Pauses are durable and per
 * universe (no agent) or per agent; status is the queue's health as the dispatchers see it.
 */

const agentName = () => z.string().min(1, 'expected an agent name').max(256);

export const DispatchPause = named(
  'DispatchPause',
  z.object({
    agent: z.string().nullish().describe('The paused agent; absent: the whole universe is paused.'),
    reason: z.string().nullish(),
    pausedBy: z.string().nullish(),
    pausedAtMs: epochMs(),
  }),
);
export type DispatchPause = z.infer<typeof DispatchPause>;

export const DispatchPauseParams = named(
  'DispatchPauseParams',
  z.strictObject({
    agent: agentName().nullish().describe("Pause only this agent's tasks; omit to pause the universe."),
    reason: z.string().max(1024).nullish().describe('Shown by dispatch/status.'),
  }),
);
export const DispatchPauseResponse = named('DispatchPauseResponse', z.object({ pause: DispatchPause }));

export const DispatchResumeParams = named('DispatchResumeParams', z.strictObject({ agent: agentName().nullish().describe('Resume this agent; omit to resume the universe (agent pauses stay).') }));
export const DispatchResumeResponse = named('DispatchResumeResponse', z.object({ resumed: z.boolean().describe('False when it was not paused.') }));

export const DispatcherView = named(
  'DispatcherView',
  z.object({
    id: z.string(),
    startedAtMs: epochMs(),
    heartbeatAtMs: epochMs(),
    inFlight: uint(),
    lastError: z.object({ message: z.string(), atMs: epochMs() }).nullish(),
  }),
);

const stateCounts = z.object({ queued: uint(), scheduled: uint(), running: uint(), succeeded: uint(), failed: uint(), blocked: uint(), cancelled: uint() });

export const DispatchStatusParams = named('DispatchStatusParams', z.strictObject({}));
export const DispatchStatusResponse = named(
  'DispatchStatusResponse',
  z.object({
    paused: z.boolean().describe('Whether the whole universe is paused.'),
    pauses: z.array(DispatchPause),
    counts: stateCounts.describe('Tasks by state.'),
    expiredLeases: uint().describe('Running tasks whose lease ran out (their dispatcher is probably gone; another adopts them).'),
    cancelRequested: uint(),
    oldestQueuedAgeMs: uint().nullish().describe('How long the longest-waiting claimable task has waited.'),
    dispatchers: z.array(DispatcherView).describe('Dispatchers alive (a heartbeat in the last 15 s).'),
    lastError: z.object({ dispatcher: z.string(), message: z.string(), atMs: epochMs() }).nullish(),
  }),
);
export type DispatchStatusResponse = z.infer<typeof DispatchStatusResponse>;
