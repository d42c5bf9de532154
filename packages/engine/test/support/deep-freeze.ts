/**
 * Freezes a value and everything reachable from it, so that any later write through it throws
 * (ES modules run in strict mode). Children are frozen before their parent, so a frozen object is
 * known to be frozen all the way down and is skipped: states share most of their structure with
 * the previous state, so freezing each new state only walks what that event changed.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  return Object.freeze(value);
}
