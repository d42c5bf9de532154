import type { Hono } from 'hono';
import type { ConsoleAuth } from './console-auth.js';
import { consoleRoute } from './console-context.js';
import { sessionPath } from './session-routes.js';

/** Answers to a session's open waits: a question's answer, an approval (once or for the session), a denial. */
export function waitRoutes(app: Hono, auth: ConsoleAuth): void {
  const base = '/console/sessions/:sessionId/waits/:promiseId';
  app.post(
    `${base}/answer`,
    consoleRoute(auth, async (c, { caller }, form) => {
      const sessionId = c.req.param('sessionId')!;
      await caller.api.call('session/waits/resolve', { sessionId, promiseId: c.req.param('promiseId')!, answer: form.answer ?? '' });
      return c.redirect(sessionPath(sessionId), 303);
    }),
  );
  app.post(
    `${base}/approve`,
    consoleRoute(auth, async (c, { caller }, form) => {
      const sessionId = c.req.param('sessionId')!;
      await caller.api.call('session/waits/resolve', { sessionId, promiseId: c.req.param('promiseId')!, ...(form.forSession === 'on' ? { forSession: true } : {}) });
      return c.redirect(sessionPath(sessionId), 303);
    }),
  );
  app.post(
    `${base}/deny`,
    consoleRoute(auth, async (c, { caller }, form) => {
      const sessionId = c.req.param('sessionId')!;
      await caller.api.call('session/waits/fail', { sessionId, promiseId: c.req.param('promiseId')!, reason: form.reason?.trim() || 'denied in the console' });
      return c.redirect(sessionPath(sessionId), 303);
    }),
  );
}
