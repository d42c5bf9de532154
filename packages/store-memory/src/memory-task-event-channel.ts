import type { TaskEvent, TaskEventChannel } from '@lightspeed/ports';

/** In-process task events (one process: PGlite, or tests): fan-out to current subscribers; nothing is kept. */
export class MemoryTaskEventChannel implements TaskEventChannel {
  private readonly listeners = new Map<string, Set<(event: TaskEvent) => void>>();

  publish(universe: string, event: TaskEvent): void {
    for (const listener of this.listeners.get(universe) ?? []) {
      try {
        listener(event);
      } catch {
        // A failing subscriber must not break the queue write that published.
      }
    }
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  subscribe(universe: string, listener: (event: TaskEvent) => void): () => void {
    let set = this.listeners.get(universe);
    if (!set) {
      set = new Set();
      this.listeners.set(universe, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(universe);
    };
  }
}
