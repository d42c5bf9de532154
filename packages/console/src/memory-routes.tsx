import { invalidRequest } from '@lightspeed/api';
import type { Hono } from 'hono';
import type { ConsoleAuth } from './console-auth.js';
import { consoleRoute } from './console-context.js';
import { MemoryEntityPage } from './pages/memory-entity-page.js';
import { MemoryEventPage } from './pages/memory-event-page.js';
import { MemoryEventsPage } from './pages/memory-events-page.js';

/** The memory views (read only): events, one event, one entity with its graph neighbours. */
export function memoryRoutes(app: Hono, auth: ConsoleAuth): void {
  app.get(
    '/console/memory',
    consoleRoute(auth, async (c, { caller, frame }) => {
      const cursor = c.req.query('cursor') || undefined;
      const { events, nextCursor } = await caller.api.call('memory/events/list', { limit: 50, ...(cursor ? { cursor } : {}) });
      return c.html(<MemoryEventsPage frame={frame('Memory', 'memory')} events={events} nextCursor={nextCursor} />);
    }),
  );

  app.get(
    '/console/memory/events/:eventId',
    consoleRoute(auth, async (c, { caller, frame }) => {
      const { event } = await caller.api.call('memory/events/read', { eventId: c.req.param('eventId')! });
      return c.html(<MemoryEventPage frame={frame(event.title, 'memory')} event={event} />);
    }),
  );

  app.get(
    '/console/memory/entity',
    consoleRoute(auth, async (c, { caller, frame }) => {
      const type = c.req.query('type');
      const key = c.req.query('key');
      if (!type) throw invalidRequest('type: required');
      if (!key) throw invalidRequest('key: required');
      const cursor = c.req.query('cursor') || undefined;
      const [{ entity }, graph] = await Promise.all([caller.api.call('memory/entities/read', { type, key }), caller.api.call('memory/graph/neighbours', { type, key })]);
      // By the entity's own key: the one given may be an alias, and events name the key.
      const listed = await caller.api.call('memory/events/list', { entity: { type: entity.type, key: entity.key }, limit: 50, ...(cursor ? { cursor } : {}) });
      return c.html(<MemoryEntityPage frame={frame(`${entity.type} ${entity.key}`, 'memory')} entity={entity} graph={graph} events={listed.events} nextCursor={listed.nextCursor} />);
    }),
  );
}
