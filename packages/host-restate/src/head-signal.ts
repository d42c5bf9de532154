import type { SessionRef } from '@lightspeed/driver';
import { cacheKeyOf } from './session-key.js';

/**
 * Wakes in-process waiters when the endpoint commits to a session's log, so a gateway sharing the
 * process sees new events at once; a gateway in another process falls back to polling the store.
 */
export class HeadSignal {
  private readonly waiters = new Map<string, Set<(head: number) => void>>();

  notify(ref: SessionRef, head: number): void {
    const set = this.waiters.get(cacheKeyOf(ref));
    if (!set) return;
    for (const waiter of [...set]) waiter(head);
  }

  /** Resolves on the next commit to the session, after `ms`, or on abort (whichever is first). */
  next(ref: SessionRef, ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0 || signal?.aborted) return Promise.resolve();
    const key = cacheKeyOf(ref);
    return new Promise((resolve) => {
      let set = this.waiters.get(key);
      if (!set) {
        set = new Set();
        this.waiters.set(key, set);
      }
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        set.delete(done);
        if (set.size === 0) this.waiters.delete(key);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      set.add(done);
    });
  }
}
