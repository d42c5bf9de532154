import type { SessionRef } from '@lightspeed/driver';
import { LightspeedError } from '@lightspeed/ports';

/**
 * The virtual object key of a session: universe and session id, unambiguously joined. A JSON pair
 * rather than a separator, so no id character can make two sessions share one object.
 */
export function objectKeyOf(ref: SessionRef): string {
  return JSON.stringify([ref.universe, ref.sessionId]);
}

export function refOfObjectKey(key: string): SessionRef {
  let parsed: unknown;
  try {
    parsed = JSON.parse(key);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[0] !== 'string' || typeof parsed[1] !== 'string') {
    throw new LightspeedError('invalid', 'session object key must be a JSON [universe, sessionId] pair');
  }
  return { universe: parsed[0], sessionId: parsed[1] };
}

/** In-process map key of a session (caches, registries). */
export function cacheKeyOf(ref: SessionRef): string {
  return `${ref.universe}\u0000${ref.sessionId}`;
}
