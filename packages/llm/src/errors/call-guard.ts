import { ProviderError } from '@lightspeed/ports';
import { toProviderError } from './classify.js';
import { redactSecrets } from './redact.js';

/**
 * Guards one provider call: links the caller's AbortSignal, and aborts when the provider makes no
 * progress (no headers, no stream event) for `idleMs`. The SDKs' own timeout stops at the response
 * headers, so a stream that stalls afterwards would otherwise hang forever. Classifies whatever the
 * call throws, telling a stall (timeout) from the caller's cancel (cancelled).
 */
export class CallGuard {
  private readonly controller = new AbortController();
  private readonly timer: ReturnType<typeof setTimeout>;
  private timedOut = false;
  private readonly onParentAbort = (): void => this.controller.abort();

  constructor(
    private readonly parent: AbortSignal | undefined,
    private readonly idleMs: number,
    private readonly secrets: readonly (string | undefined)[],
  ) {
    if (parent?.aborted) this.controller.abort();
    parent?.addEventListener('abort', this.onParentAbort, { once: true });
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, idleMs);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Re-yields a stream, counting every event as progress. */
  async *watch<T>(stream: AsyncIterable<T>): AsyncGenerator<T> {
    this.timer.refresh();
    for await (const event of stream) {
      this.timer.refresh();
      yield event;
    }
  }

  failure(error: unknown): ProviderError {
    if (this.timedOut && !this.parent?.aborted) {
      return new ProviderError({ errorClass: 'timeout', message: redactSecrets(`the provider made no progress for ${this.idleMs} ms`, this.secrets), retryable: true });
    }
    return toProviderError(error, { signal: this.parent, secrets: this.secrets });
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.parent?.removeEventListener('abort', this.onParentAbort);
  }
}
