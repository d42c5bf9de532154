import type { LiveChannel, LiveMessage } from '@lightspeed/ports';

/** In-process live channel: deltas fan out synchronously to current subscribers; nothing is kept. */
export class MemoryLiveChannel implements LiveChannel {
  private readonly listeners = new Map<string, Set<(message: LiveMessage) => void>>();

  publish(message: LiveMessage): void {
    const set = this.listeners.get(message.sessionId);
    if (!set) return;
    for (const listener of set) {
      try {
        listener(message);
      } catch {
        // A failing subscriber must not break the generation that publishes.
      }
    }
  }

  subscribe(sessionId: string, listener: (message: LiveMessage) => void): () => void {
    let set = this.listeners.get(sessionId);
    if (!set) {
      set = new Set();
      this.listeners.set(sessionId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(sessionId);
    };
  }
}
