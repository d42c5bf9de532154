import type { Usage } from '@lightspeed/engine';
import { ProviderError } from '@lightspeed/ports';

/**
 * The provider answered with a feature this adapter refuses to half-handle (e.g. Anthropic's
 * native compaction blocks): a non-retryable `invalid_request` naming the feature and what to do,
 * never a silently mangled turn.
 */
export class UnsupportedProviderFeatureError extends ProviderError {
  readonly feature: string;

  constructor(feature: string, message: string, usage?: Usage) {
    super({ errorClass: 'invalid_request', message, retryable: false }, usage);
    this.name = 'UnsupportedProviderFeatureError';
    this.feature = feature;
  }
}
