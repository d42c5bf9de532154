/** Per-call options every method takes. */
export interface CallOptions {
  /** Aborts the call; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Milliseconds before the call fails with a `TimeoutError` (0: never). Defaults to the client's
   * `timeoutMs`; a long poll (`waitMs` in params) gets at least `waitMs` plus a grace period.
   */
  timeoutMs?: number;
}
