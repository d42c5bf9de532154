import type { ResultOf } from '@lightspeed/api';
import { ListHead } from './list-head.js';
import { Layout, type PageFrame } from './layout.js';
import { when } from './format.js';
import { EntityLink, memoryEventPath } from './memory-links.js';

export type MemoryEventRow = ResultOf<'memory/events/read'>['event'];

/** Memory events (canonical provider events), newest first by occurrence. */
export function MemoryEventsPage(props: { frame: PageFrame; events: MemoryEventRow[]; nextCursor?: string | null | undefined }) {
  return (
    <Layout {...props.frame}>
      {props.events.length === 0 ? (
        <p class="empty">No memory events yet (connect a source with memory/sources/put, or import recorded deliveries).</p>
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
          <a href={`/console/memory?cursor=${encodeURIComponent(props.nextCursor)}`}>Older events</a>
        </p>
      ) : null}
    </Layout>
  );
}
