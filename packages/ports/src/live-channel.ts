/** A token-level delta of an in-flight turn. Never durable: it goes to live subscribers only. */
export type LiveDelta =
  | { type: 'text'; text: string }
  | { type: 'reasoning'; text: string }
  | { type: 'toolCall'; callId: string; name: string; argumentsDelta: string };

export interface LiveMessage {
  sessionId: string;
  turnId: string;
  delta: LiveDelta;
}

/** Fan-out of live deltas keyed by (session, turn). Publishing never blocks on subscribers. */
export interface LiveChannel {
  publish(message: LiveMessage): void;
  subscribe(sessionId: string, listener: (message: LiveMessage) => void): () => void;
}
