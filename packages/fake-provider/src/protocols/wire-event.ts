/** One server-sent event: an optional `event:` name and a JSON payload (or the literal `[DONE]`). */
export interface WireEvent {
  event?: string;
  data: Record<string, unknown> | '[DONE]';
}

/** A protocol renders a plan as a complete JSON body and as an event sequence. */
export interface RenderedTurn {
  json: Record<string, unknown>;
  events: WireEvent[];
}
