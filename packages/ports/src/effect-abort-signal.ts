/**
 * "Stop these effects of session K": published by the process that admits a cancel, acted on by
 * whichever process runs the effects (a Restate endpoint behind a load balancer may run a session's
 * effects elsewhere). Best effort and idempotent — an effect that is not stopped only finishes work
 * the engine then rejects.
 */
export interface EffectAbortSignal {
  publish(key: string, effectKeys: readonly string[]): void;
  subscribe(listener: (key: string, effectKeys: string[]) => void): () => void;
}
