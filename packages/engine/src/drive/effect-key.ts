import type { Action } from '../core/plan.js';

type EffectAction = Extract<Action, { type: 'generate' | 'compact' | 'invokeTools' | 'deliver' }>;

/**
 * The durable name of one effect: the same action planned again (after a restart, on another
 * worker) gets the same key, so a host never runs an effect twice because it planned twice.
 */
export function generationKey(turnId: string, attempt: number): string {
  return `generate:${turnId}:${attempt}`;
}

export function compactionKey(compactionId: string): string {
  return `compact:${compactionId}`;
}

export function toolCallKey(callId: string): string {
  return `tool:${callId}`;
}

export function deliveryKey(messageId: string): string {
  return `deliver:${messageId}`;
}

export function isToolCallKey(key: string): boolean {
  return key.startsWith('tool:');
}

/** The keys of every effect `action` wants running (none for wait, idle, closed, append). */
export function effectKeys(action: Action): string[] {
  switch (action.type) {
    case 'generate':
      return [generationKey(action.turnId, action.attempt)];
    case 'compact':
      return [compactionKey(action.compactionId)];
    case 'invokeTools':
      return action.calls.map((call) => toolCallKey(call.callId));
    case 'deliver':
      return action.messages.map((message) => deliveryKey(message.messageId));
    default:
      return [];
  }
}

/** The effect action `action` is, if it is one. */
export function effectAction(action: Action): EffectAction | undefined {
  return action.type === 'generate' || action.type === 'compact' || action.type === 'invokeTools' || action.type === 'deliver' ? action : undefined;
}
