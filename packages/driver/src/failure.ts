import { preview, type GenerationFailure } from '@lightspeed/engine';
import { ProviderError, isLightspeedError } from '@lightspeed/ports';

/**
 * Turns anything an effect threw into a classified failure. Provider errors are already classified
 * by the adapter; anything else is an infrastructure fault (store or network blip), treated as a
 * transient server failure so it is retried within the policy's bounds.
 */
export function failureOf(error: unknown): GenerationFailure {
  if (error instanceof ProviderError) return error.failure;
  if (isLightspeedError(error)) {
    const retryable = error.code === 'unavailable' || error.code === 'conflict';
    return { errorClass: retryable ? 'server' : 'invalid_request', message: preview(error.message), retryable };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { errorClass: 'server', message: preview(message), retryable: true };
}

export function isAbort(error: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return true;
  return error instanceof Error && (error.name === 'AbortError' || (error instanceof ProviderError && error.failure.errorClass === 'cancelled'));
}

/** Thrown when an effect was aborted (cancel, force-cancel, shutdown): its result must be discarded. */
export class EffectAborted extends Error {
  constructor() {
    super('effect aborted');
    this.name = 'EffectAborted';
  }
}
