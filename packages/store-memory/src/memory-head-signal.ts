import type { HeadSignal } from '@lightspeed/ports';

/** In-process head signal (worker and gateway in one process). */
export class MemoryHeadSignal implements HeadSignal {
  private readonly listeners = new Map<string, Set<(head: number) => void>>();

  notify(key: string, head: number): void {
    for (const listener of this.listeners.get(key) ?? []) {
      try {
        listener(head);
      } catch {
        // A failing waiter must not break the append that notifies.
      }
    }
  }

  subscribe(key: string, listener: (head: number) => void): () => void {
    let set = this.listeners.get(key);
    if (!set) {
      set = new Set();
      this.listeners.set(key, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(key);
    };
  }
}
