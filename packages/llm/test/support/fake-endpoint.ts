import type { ApiKind } from '@lightspeed/engine';
import type { FakeProvider } from '@lightspeed/fake-provider';
import type { ResolvedEndpoint } from '../../src/index.js';

/** A key-shaped secret: tests assert it never shows up in errors, CAS or recorded output. */
export const TEST_API_KEY = 'sk-test-SECRET-0123456789abcdef';

export function fakeEndpoint(fake: FakeProvider, apiKind: ApiKind, overrides: Partial<ResolvedEndpoint> = {}): ResolvedEndpoint {
  return {
    providerId: 'fake',
    apiKind,
    baseURL: apiKind === 'anthropic:messages' ? fake.url : `${fake.url}/v1`,
    apiKey: TEST_API_KEY,
    timeoutMs: 10_000,
    ...overrides,
  };
}
