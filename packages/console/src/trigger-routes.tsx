import type { Hono } from 'hono';
import type { ConsoleAuth } from './console-auth.js';
import { consoleRoute } from './console-context.js';
import { EventPage } from './pages/event-page.js';
import { EventsPage } from './pages/events-page.js';
import { TriggersPage } from './pages/triggers-page.js';

/** The trigger rules and the sensor events they fire on, over `triggers/list` and `events/*` (read only). */
export function triggerRoutes(app: Hono, auth: ConsoleAuth): void {
  app.get(
    '/console/triggers',
    consoleRoute(auth, async (c, { caller, frame }) => {
      const { triggers } = await caller.api.call('triggers/list', { limit: 100 });
      return c.html(<TriggersPage frame={frame('Triggers', 'triggers')} triggers={triggers} />);
    }),
  );

  app.get(
    '/console/events',
    consoleRoute(auth, async (c, { caller, frame }) => {
      const cursor = c.req.query('cursor') || undefined;
      const { events, nextCursor } = await caller.api.call('events/list', { limit: 50, ...(cursor ? { cursor } : {}) });
      return c.html(<EventsPage frame={frame('Events', 'events')} events={events} nextCursor={nextCursor} />);
    }),
  );

  app.get(
    '/console/events/:eventId',
    consoleRoute(auth, async (c, { caller, frame }) => {
      const { event } = await caller.api.call('events/read', { eventId: c.req.param('eventId')! });
      return c.html(<EventPage frame={frame(`Event ${event.eventId}`, 'events')} event={event} />);
    }),
  );
}
