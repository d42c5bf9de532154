import { accept, reject, type Admission } from '../core/admission.js';
import { cloneState, type SessionState } from '../core/state.js';
import { invariant } from '../log/invariant.js';
import type { LogEntry } from '../log/log.js';
import type { RunCancelCommand } from '../run/run.js';
import type { ChildReportCommand } from './children.js';

/**
 * Commands this session owes another session of its universe (its parent: "my run ended"; its
 * children: "cancel"). A message enters the outbox in the same reducer step that makes it owed
 * (a run becoming terminal), so the intent is durable before any delivery; the planner asks for a
 * delivery (`deliver`) until `outbox.delivered` is logged, so a crash only re-plans it. Delivery is
 * at-least-once; the receiving admission makes a second one harmless (first writer wins).
 */
export interface OutboxMessage {
  /** Unique in the session and stable: derived from what the message is about. */
  messageId: string;
  /** The receiving session (same universe). */
  to: string;
  command: ChildReportCommand | RunCancelCommand;
}

/** The host delivered a message; `rejection` is the receiver's answer when it refused it (final either way). */
export interface OutboxDeliveredCommand {
  type: 'outbox.delivered';
  messageId: string;
  rejection?: string;
}

export interface OutboxDeliveredData {
  messageId: string;
  rejection?: string;
}

/** Adds messages to the outbox (reducers call it when something becomes owed). */
export function enqueueMessages(state: SessionState, messages: readonly OutboxMessage[]): SessionState {
  if (messages.length === 0) return state;
  const outbox = (state.outbox ?? []).slice();
  for (const message of messages) if (!outbox.some((m) => m.messageId === message.messageId)) outbox.push(message);
  const next = cloneState(state);
  next.outbox = outbox;
  return next;
}

export function admitOutboxDelivered(state: SessionState, command: OutboxDeliveredCommand): Admission {
  if (typeof command.messageId !== 'string') return reject('invalid', 'messageId: expected a string');
  if (!(state.outbox ?? []).some((m) => m.messageId === command.messageId)) return reject('duplicate', `message ${command.messageId} is not owed (delivered already)`, { messageId: command.messageId });
  const data: OutboxDeliveredData = { messageId: command.messageId };
  if (command.rejection !== undefined) {
    if (typeof command.rejection !== 'string' || command.rejection.length > 64) return reject('invalid', 'rejection: expected a short code');
    data.rejection = command.rejection;
  }
  return accept([{ kind: 'outbox.delivered', data }]);
}

export function applyOutboxDelivered(state: SessionState, entry: LogEntry<'outbox.delivered'>): SessionState {
  const outbox = state.outbox ?? [];
  invariant(outbox.some((m) => m.messageId === entry.data.messageId), 'outbox.delivered: the message is not owed', { messageId: entry.data.messageId });
  const next = cloneState(state);
  const rest = outbox.filter((m) => m.messageId !== entry.data.messageId);
  next.outbox = rest.length > 0 ? rest : undefined;
  return next;
}
