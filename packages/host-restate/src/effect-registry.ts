import type { SessionRef } from '@lightspeed/driver';
import type { EffectAbortSignal } from '@lightspeed/ports';
import { cacheKeyOf, objectKeyOf, refOfObjectKey } from './session-key.js';

/**
 * The effects running in this endpoint process, by session and effect key, so the session object
 * can abort one the engine no longer wants (a cancelled run's generation or tool calls). With a
 * shared abort signal (PostgreSQL, several endpoint processes) an abort also reaches effects that
 * run in another process. Aborting is idempotent and only ever discards work: a late result would
 * be rejected by the engine anyway.
 */
export class EffectRegistry {
  private readonly running = new Map<string, AbortController>();
  private closing = false;
  private readonly unsubscribe: () => void;

  constructor(private readonly aborts?: EffectAbortSignal) {
    this.unsubscribe =
      aborts?.subscribe((key, effectKeys) => {
        let ref: SessionRef;
        try {
          ref = refOfObjectKey(key);
        } catch {
          return;
        }
        this.abortHere(ref, effectKeys);
      }) ?? (() => undefined);
  }

  /** True once the endpoint is shutting down: an abort then means "retry elsewhere", not "unwanted". */
  get shuttingDown(): boolean {
    return this.closing;
  }

  register(ref: SessionRef, effectKey: string): { signal: AbortSignal; release(): void } {
    const key = `${cacheKeyOf(ref)}\u0000${effectKey}`;
    const controller = new AbortController();
    if (this.closing) controller.abort();
    this.running.get(key)?.abort();
    this.running.set(key, controller);
    return {
      signal: controller.signal,
      release: () => {
        if (this.running.get(key) === controller) this.running.delete(key);
      },
    };
  }

  /** Aborts the effects here and tells the other endpoint processes to abort theirs. */
  abort(ref: SessionRef, effectKeys: readonly string[]): void {
    this.abortHere(ref, effectKeys);
    this.aborts?.publish(objectKeyOf(ref), effectKeys);
  }

  private abortHere(ref: SessionRef, effectKeys: readonly string[]): void {
    for (const effectKey of effectKeys) {
      const key = `${cacheKeyOf(ref)}\u0000${effectKey}`;
      this.running.get(key)?.abort();
      this.running.delete(key);
    }
  }

  /** Aborts everything (endpoint shutdown); the invocations are retried by Restate on the next endpoint. */
  shutdown(): void {
    this.closing = true;
    this.unsubscribe();
    for (const controller of this.running.values()) controller.abort();
    this.running.clear();
  }

  get size(): number {
    return this.running.size;
  }
}
