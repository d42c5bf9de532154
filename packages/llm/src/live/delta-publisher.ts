import type { LiveChannel } from '@lightspeed/ports';

/** Publishes one turn's deltas keyed by (session, turn); a no-op without a live channel. */
export class DeltaPublisher {
  constructor(
    private readonly live: LiveChannel | undefined,
    private readonly sessionId: string,
    private readonly turnId: string,
  ) {}

  text(text: string): void {
    if (this.live && text !== '') this.live.publish({ sessionId: this.sessionId, turnId: this.turnId, delta: { type: 'text', text } });
  }

  reasoning(text: string): void {
    if (this.live && text !== '') this.live.publish({ sessionId: this.sessionId, turnId: this.turnId, delta: { type: 'reasoning', text } });
  }

  toolCall(callId: string, name: string, argumentsDelta: string): void {
    if (this.live) this.live.publish({ sessionId: this.sessionId, turnId: this.turnId, delta: { type: 'toolCall', callId, name, argumentsDelta } });
  }
}
