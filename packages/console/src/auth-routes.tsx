import { UnauthorizedError } from '@lightspeed/api';
import type { Hono } from 'hono';
import type { ConsoleAuth } from './console-auth.js';
import { securityHeaders } from './console-context.js';
import { formTokenMatches, isSameOriginPost } from './form-guard.js';
import { LoginPage } from './pages/login-page.js';

/** Sign-in and sign-out (API-key servers; a single-user server has no login and redirects). */
export function authRoutes(app: Hono, auth: ConsoleAuth): void {
  app.get('/console/login', (c) => {
    securityHeaders(c);
    if (!auth.needsSignIn || auth.caller(c)) return c.redirect('/console/sessions', 303);
    return c.html(<LoginPage />);
  });

  app.post('/console/login', async (c) => {
    securityHeaders(c);
    if (!auth.needsSignIn) return c.redirect('/console/sessions', 303);
    // No session yet, so no form token: the same-origin check is what stops login CSRF.
    if (!isSameOriginPost(c)) return c.text('refused: this form was not posted from a page of this server', 403);
    const body = await c.req.parseBody();
    const key = typeof body.key === 'string' ? body.key : '';
    try {
      await auth.signIn(c, key);
    } catch (error) {
      if (error instanceof UnauthorizedError) return c.html(<LoginPage notice="That key was not accepted: it is unknown or revoked." />, 401);
      throw error;
    }
    return c.redirect('/console/sessions', 303);
  });

  app.post('/console/logout', async (c) => {
    securityHeaders(c);
    const caller = auth.caller(c);
    if (!caller) return c.redirect('/console/login', 303);
    if (!isSameOriginPost(c)) return c.text('refused: this form was not posted from a page of this server', 403);
    const body = await c.req.parseBody();
    if (!formTokenMatches(body.csrf, caller.csrf)) return c.text('refused: the form token is missing or stale', 403);
    auth.signOut(c);
    return c.redirect('/console/login', 303);
  });
}
