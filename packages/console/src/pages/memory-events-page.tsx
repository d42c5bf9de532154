import type { ResultOf } from '@lightspeed/api';
import { ListHead } from './list-head.js';
import { Layout, type PageFrame } from './layout.js';
import { when } from './format.js';
import { EntityLink, memoryEventPath } from './memory-links.js';
import { MemorySearchForm } from './memory-search-page.js';

export type MemoryEventRow = ResultOf<'memory/events/read'>['event'];

/** Memory events as a table (the list page and an entity's page), with a link to the next page. */
export function MemoryEventsTable(props: { events: MemoryEventRow[]; nextCursor?: string | null | undefined; nextHref: (cursor: string) => string; empty: string }) {
  return (
    <>
      {props.events.length === 0 ? (
        <p class="empty">{props.empty}</p>
      ) : (
        <table class="list" id="memory-events">
          <ListHead columns={['Event', 'Provider', 'Type', 'Entity', 'Significance', 'Occurred']} />
          <tbody>
            {props.events.map((event) => (
              <tr>
                <td>
                  <a href={memoryEventPath(event.eventId)}>{event.title}</a>
                </td>
                <td>{event.provider}</td>
                <td>{event.action ? `${event.type} ${event.action}` : event.type}</td>
                <td>
                  <EntityLink entity={event.primary} />
                </td>
                <td>{String(event.significance)}</td>
                <td>{when(event.occurredAtMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.nextCursor ? (
        <p>
          <a href={props.nextHref(props.nextCursor)}>Older events</a>
        </p>
      ) : null}
    </>
  );
}

/** Memory events (canonical provider events), newest first by occurrence. */
export function MemoryEventsPage(props: { frame: PageFrame; events: MemoryEventRow[]; nextCursor?: string | null | undefined }) {
  return (
    <Layout {...props.frame}>
      <MemorySearchForm query="" />
      <p>
        <a href="/console/memory/ask">Ask memory a question</a>
      </p>
      <MemoryEventsTable
        events={props.events}
        nextCursor={props.nextCursor}
        nextHref={(cursor) => `/console/memory?cursor=${encodeURIComponent(cursor)}`}
        empty="No memory events yet (connect a source with memory/sources/put, or import recorded deliveries)."
      />
    </Layout>
  );
}
