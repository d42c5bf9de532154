import { isAgentApiFailure } from '@lightspeed/api';
import type { Context } from 'hono';
import type { ConsoleAuth, ConsoleCaller } from './console-auth.js';
import { formTokenMatches, isSameOriginPost } from './form-guard.js';
import { ErrorPage } from './pages/error-page.js';
import type { PageFrame } from './pages/layout.js';

/** What every console route handler gets: the caller and the pieces of its page frame. */
export interface ConsoleRequest {
  caller: ConsoleCaller;
  frame(title: string, section?: PageFrame['section']): PageFrame;
}

/** A route's handler, run only for a resolved caller (and, for POSTs, a checked form). */
export type ConsoleHandler = (c: Context, request: ConsoleRequest, form: Record<string, string>) => Promise<Response>;

const PAGE_SECURITY_HEADERS = {
  // Nothing inline and nothing from elsewhere: markup that slipped through could not run script.
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

export function securityHeaders(c: Context): void {
  for (const [name, value] of Object.entries(PAGE_SECURITY_HEADERS)) c.header(name, value);
}

/** A string-valued form body (files and repeated fields are not used by console forms). */
async function formOf(c: Context): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  const form: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) if (typeof value === 'string') form[name] = value;
  return form;
}

/**
 * Wraps a handler: no caller → the sign-in page (GET) or 401; a POST must be same-origin and
 * carry the caller's form token; a revoked key (the API answers `rejected` 401) signs out; other
 * API refusals are shown with their message.
 */
export function consoleRoute(auth: ConsoleAuth, handler: ConsoleHandler) {
  return async (c: Context): Promise<Response> => {
    securityHeaders(c);
    const caller = auth.caller(c);
    if (!caller) {
      if (c.req.method === 'GET') return c.redirect('/console/login', 303);
      return c.text('sign in first', 401);
    }
    let form: Record<string, string> = {};
    if (c.req.method === 'POST') {
      if (!isSameOriginPost(c)) return c.text('refused: this form was not posted from a page of this server', 403);
      form = await formOf(c);
      if (!formTokenMatches(form.csrf, caller.csrf)) return c.text('refused: the form token is missing or stale; reload the page and try again', 403);
    }
    const request: ConsoleRequest = {
      caller,
      frame: (title, section) => ({ title, csrf: caller.csrf, signedIn: caller.signedIn, universe: caller.universe, ...(section ? { section } : {}) }),
    };
    try {
      return await handler(c, request, form);
    } catch (error) {
      if (isAgentApiFailure(error) && error.kind === 'rejected' && caller.signedIn && /API key/.test(error.message)) {
        auth.signOut(c);
        return c.redirect('/console/login', 303);
      }
      // The API's messages are safe to show (they never carry secrets) and say what to do next.
      if (isAgentApiFailure(error)) {
        const status = error.kind === 'not_found' ? 404 : error.kind === 'internal' ? 500 : 400;
        const back = c.req.method === 'POST' ? new URL(c.req.url).pathname.replace(/\/(cancel|retry|messages|pause|resume|run|advance|jobs|close)$|\/runs\/[^/]+\/cancel$/, '').replace(/^\/console\/schedules\/.*/, '/console/schedules').replace(/^\/console\/dispatch(\/.*)?$/, '/console/tasks') : '/console/sessions';
        return c.html(<ErrorPage frame={request.frame('Refused')} message={error.message} back={back} />, status);
      }
      throw error;
    }
  };
}
