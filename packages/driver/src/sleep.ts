import { EffectAborted } from './failure.js';

/** A timer sleep that rejects with EffectAborted as soon as the signal aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new EffectAborted());
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new EffectAborted());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
