import { randomUUID } from 'node:crypto';
import { invalidRequest, type SessionView } from '@lightspeed/api';
import type { Hono } from 'hono';
import type { ConsoleAuth } from './console-auth.js';
import { consoleRoute } from './console-context.js';
import type { InProcessFetch } from './gateway-api.js';
import { BlobPage, textOfBytes } from './pages/blob-page.js';
import { LiveSession, SessionPage } from './pages/session-page.js';
import { sessionFilterOf, SessionsPage, type SessionRow } from './pages/sessions-page.js';
import type { WaitView } from './pages/waits.js';
import { newChatConfig } from './new-chat-config.js';
import { sessionStreamProxy } from './stream-proxy.js';

const PAGE_SIZE = 50;
const MAX_MESSAGE = 100_000;

function messageOf(form: Record<string, string>): string {
  const message = (form.message ?? '').trim();
  if (message === '') throw invalidRequest('message: write something to send');
  if (message.length > MAX_MESSAGE) throw invalidRequest(`message: at most ${MAX_MESSAGE} characters`);
  return message;
}

export const sessionPath = (id: string) => `/console/sessions/${encodeURIComponent(id)}`;

/** Sessions list, session page (transcript, live stream, send, steer, cancel) and the new-chat form. */
export function sessionRoutes(app: Hono, auth: ConsoleAuth, gateway: InProcessFetch): void {
  app.get(
    '/console/sessions',
    consoleRoute(auth, async (c, { caller, frame }) => {
      const cursor = c.req.query('cursor');
      const filter = sessionFilterOf(c.req.query());
      const list = await caller.api.call('session/list', { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}), ...filter });
      // The summary has no status, model or usage: each row reads its session (one page at a time).
      const rows: SessionRow[] = await Promise.all(
        (list.sessions ?? []).map(async (summary) => {
          const view = await caller.api.call('session/read', { sessionId: summary.id }).then(
            (read) => read.session as SessionView,
            () => undefined,
          );
          return { id: summary.id, displayName: summary.displayName, updatedAtMs: summary.updatedAtMs, ...(view ? { view } : {}) };
        }),
      );
      const profiles = await caller.api.call('profiles/list', {}).then(
        (answer) => (answer.profiles ?? []).map((profile) => profile.profileId),
        () => [],
      );
      return c.html(<SessionsPage frame={frame('Sessions', 'sessions')} rows={rows} nextCursor={list.nextCursor} profiles={profiles} filter={filter} />);
    }),
  );

  app.post(
    '/console/sessions',
    consoleRoute(auth, async (c, { caller }, form) => {
      const message = messageOf(form);
      const profile = form.profile?.trim();
      const config = newChatConfig(form);
      const started = await caller.api.call('session/start', {
        ...(profile ? { profile: { kind: 'named', profileId: profile } } : {}),
        ...(config ? { config } : {}),
      });
      const sessionId = started.session.id;
      await caller.api.call('session/runs/start', { sessionId, source: { type: 'input', items: [{ type: 'text', text: message }] }, submissionId: randomUUID() });
      return c.redirect(sessionPath(sessionId), 303);
    }),
  );

  app.get(
    '/console/sessions/:sessionId',
    consoleRoute(auth, async (c, { caller, frame }) => {
      const sessionId = c.req.param('sessionId')!;
      // The head first: any event after it reaches the page through the stream.
      const head = await caller.api.call('session/events/read', { sessionId, limit: 1 });
      const [{ session }, { waits }] = await Promise.all([caller.api.call('session/read', { sessionId }), caller.api.call('session/waits/list', { sessionId })]);
      return c.html(<SessionPage frame={frame(session.displayName || session.id, 'sessions')} session={session as SessionView} waits={waits as WaitView[]} headSeq={head.headCursor?.seq ?? 0} />);
    }),
  );

  app.get(
    '/console/sessions/:sessionId/transcript',
    consoleRoute(auth, async (c, { caller }) => {
      const sessionId = c.req.param('sessionId')!;
      const [{ session }, { waits }] = await Promise.all([caller.api.call('session/read', { sessionId }), caller.api.call('session/waits/list', { sessionId })]);
      return c.html(<LiveSession session={session} waits={waits as WaitView[]} csrf={caller.csrf} />);
    }),
  );

  app.get('/console/sessions/:sessionId/events', sessionStreamProxy(auth, gateway));

  // A whole body from CAS on demand ("Show all" on a cut tool result or message), as text.
  app.get(
    '/console/sessions/:sessionId/blobs/:blobRef',
    consoleRoute(auth, async (c, { caller, frame }) => {
      const sessionId = c.req.param('sessionId')!;
      const blob = await caller.api.call('blobs/read', { blobRef: c.req.param('blobRef')! });
      const text = textOfBytes(Buffer.from(blob.bytesBase64, 'base64'));
      return c.html(<BlobPage frame={frame('Full output', 'sessions')} blobRef={blob.blobRef} bytes={blob.bytes} text={text} back={sessionPath(sessionId)} />);
    }),
  );

  app.post(
    '/console/sessions/:sessionId/messages',
    consoleRoute(auth, async (c, { caller }, form) => {
      const sessionId = c.req.param('sessionId')!;
      await caller.api.call('session/runs/start', { sessionId, source: { type: 'input', items: [{ type: 'text', text: messageOf(form) }] }, submissionId: randomUUID() });
      return c.redirect(sessionPath(sessionId), 303);
    }),
  );

  // Steer: the same message goes into the run that is going (the model sees it at its next turn
  // boundary) instead of starting a new run. Which run is read here, so the form needs no run id
  // that the live transcript may have moved past.
  app.post(
    '/console/sessions/:sessionId/steer',
    consoleRoute(auth, async (c, { caller }, form) => {
      const sessionId = c.req.param('sessionId')!;
      const text = messageOf(form);
      const { session } = await caller.api.call('session/read', { sessionId });
      const running = (session.runs ?? []).find((run) => run.status === 'running');
      if (!running) throw invalidRequest('steer: no run is running; Send starts a new one');
      await caller.api.call('session/runs/steer', { sessionId, runId: running.id, items: [{ type: 'text', text }] });
      return c.redirect(sessionPath(sessionId), 303);
    }),
  );

  app.post(
    '/console/sessions/:sessionId/runs/:runId/cancel',
    consoleRoute(auth, async (c, { caller }) => {
      const sessionId = c.req.param('sessionId')!;
      await caller.api.call('session/runs/cancel', { sessionId, runId: c.req.param('runId')! });
      return c.redirect(sessionPath(sessionId), 303);
    }),
  );
}
