import { z } from 'zod';
import { SessionEventView } from './events.js';
import { named } from './registry.js';
import { RunView } from './runs.js';
import { SessionStatus, SessionView } from './session-view.js';

export const AgentNotification = named(
  'AgentNotification',
  z.discriminatedUnion('method', [
    z.object({ method: z.literal('session/started'), params: z.object({ session: SessionView }) }),
    z.object({ method: z.literal('session/status/changed'), params: z.object({ sessionId: z.string(), status: SessionStatus }) }),
    z.object({ method: z.literal('session/event'), params: z.object({ event: SessionEventView }) }),
    z.object({ method: z.literal('session/runs/started'), params: z.object({ sessionId: z.string(), run: RunView }) }),
    z.object({ method: z.literal('session/runs/completed'), params: z.object({ sessionId: z.string(), run: RunView }) }),
    z.object({ method: z.literal('error'), params: z.object({ message: z.string(), sessionId: z.string().nullish() }) }),
  ]),
);
export type AgentNotification = z.infer<typeof AgentNotification>;

/** The result envelope every method answers with: `AgentApiOutcome<T>`. */
export function outcomeOf<T extends z.ZodType>(resultName: string, result: T) {
  return named(`AgentApiOutcomeOf${resultName}`, z.object({ result, notifications: z.array(AgentNotification).optional() }));
}
