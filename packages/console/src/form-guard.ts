import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';

/**
 * Whether a console POST comes from a page of this server. Browsers send `Origin` on every POST
 * (and `Sec-Fetch-Site`); a form on another site, or a page of another local port, names itself
 * there. CLI and SDK clients never post console forms, so a POST naming neither is refused too.
 * This also covers the sign-in form, which has no session token yet (login CSRF).
 */
export function isSameOriginPost(c: Context): boolean {
  const origin = c.req.header('origin');
  if (origin !== undefined) return origin === new URL(c.req.url).origin;
  return c.req.header('sec-fetch-site') === 'same-origin';
}

/** Compares a posted form token with the caller's, in constant time. */
export function formTokenMatches(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
