import { invalidRequest } from '@lightspeed/api';
import type { Hono } from 'hono';
import type { ConsoleAuth } from './console-auth.js';
import { consoleRoute } from './console-context.js';
import { MemoryEntityPage } from './pages/memory-entity-page.js';
import { MemoryEventPage } from './pages/memory-event-page.js';
import { MemoryEventsPage } from './pages/memory-events-page.js';
import { MemorySearchPage } from './pages/memory-search-page.js';
import { MemoryAnswerPage } from './pages/memory-answer-page.js';

/** The memory views: events, one event, one entity with its graph neighbours, search, and answers with verified citations. */
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

  app.get(
    '/console/memory/search',
    consoleRoute(auth, async (c, { caller, frame }) => {
      const query = (c.req.query('q') ?? '').trim();
      if (!query) throw invalidRequest('q: what to search for');
      const cursor = c.req.query('cursor') || undefined;
      const result = await caller.api.call('memory/search', { query, limit: 20, ...(cursor ? { cursor } : {}) });
      return c.html(<MemorySearchPage frame={frame(`Search: ${query}`, 'memory')} query={query} result={result} />);
    }),
  );

  app.get(
    '/console/memory/ask',
    consoleRoute(auth, (c, { frame }) => Promise.resolve(c.html(<MemoryAnswerPage frame={frame('Ask memory', 'memory')} question={c.req.query('q') ?? ''} />))),
  );

  // Waits for the answer run (memory/answer's default wait); the page links the session either way.
  app.post(
    '/console/memory/ask',
    consoleRoute(auth, async (c, { caller, frame }, form) => {
      const question = (form.question ?? '').trim();
      const answer = await caller.api.call('memory/answer', { question });
      return c.html(<MemoryAnswerPage frame={frame('Ask memory', 'memory')} question={question} answer={answer} />);
    }),
  );
}
