import type { Action } from '../core/plan.js';
import { scheduleToolCalls } from '../run/tool-schedule.js';
import type { ToolInvocation } from '../run/tool.js';
import { compactionKey, deliveryKey, effectKeys, generationKey, isToolCallKey, toolCallKey } from './effect-key.js';
import type { OutboxMessage } from '../fleet/outbox.js';
import type { NextAction } from './settle.js';

type GenerateAction = Extract<Action, { type: 'generate' }>;
type CompactAction = Extract<Action, { type: 'compact' }>;
type InvokeToolsAction = Extract<Action, { type: 'invokeTools' }>;

/** One effect a host must start: run it, then admit the command it produces. */
export type EffectStart =
  | { key: string; type: 'generate'; action: GenerateAction }
  | { key: string; type: 'compact'; action: CompactAction }
  | { key: string; type: 'tool'; action: InvokeToolsAction; call: ToolInvocation }
  /** Submit `message.command` to session `message.to`, then admit `outbox.delivered` here. */
  | { key: string; type: 'deliver'; message: OutboxMessage };

export interface Reconciled {
  /** Effects the action wants that are not running yet. */
  start: EffectStart[];
  /** Running effects the action no longer wants (a cancelled run, a superseded attempt): abort them. */
  abort: string[];
  /** When to fire due timers (a `wait` with a deadline); undefined when nothing is timed. */
  wakeAt?: number;
}

/**
 * Compares what the planner wants with what is in flight. Tool calls start one execution group at
 * a time (exclusive calls alone, parallel-safe ones together up to `toolConcurrency`): the next
 * group starts when the current one has finished and the planner offers the remaining calls again.
 */
export function reconcile(action: NextAction, inflight: Iterable<string>, toolConcurrency: number): Reconciled {
  const wanted = new Set(effectKeys(action));
  const running = [...inflight];
  const abort = running.filter((key) => !wanted.has(key));
  const live = new Set(running.filter((key) => wanted.has(key)));
  const start: EffectStart[] = [];
  switch (action.type) {
    case 'generate': {
      const key = generationKey(action.turnId, action.attempt);
      if (!live.has(key)) start.push({ key, type: 'generate', action });
      break;
    }
    case 'compact': {
      const key = compactionKey(action.compactionId);
      if (!live.has(key)) start.push({ key, type: 'compact', action });
      break;
    }
    case 'invokeTools': {
      if ([...live].some(isToolCallKey)) break;
      const group = scheduleToolCalls(action.calls, toolConcurrency)[0] ?? [];
      for (const call of group) start.push({ key: toolCallKey(call.callId), type: 'tool', action, call });
      break;
    }
    case 'deliver': {
      for (const message of action.messages) {
        const key = deliveryKey(message.messageId);
        if (!live.has(key)) start.push({ key, type: 'deliver', message });
      }
      break;
    }
    default:
      break;
  }
  const reconciled: Reconciled = { start, abort };
  if (action.type === 'wait' && action.until !== undefined) reconciled.wakeAt = action.until;
  return reconciled;
}
