import { ListHead } from './list-head.js';
import { Layout, type PageFrame } from './layout.js';
import { Firings, type SensorEventRow } from './event-firings.js';
import { when } from './format.js';

export const eventPath = (eventId: string) => `/console/events/${encodeURIComponent(eventId)}`;

/** Sensor events, newest first, with what their triggers created. */
export function EventsPage(props: { frame: PageFrame; events: SensorEventRow[]; nextCursor?: string | null | undefined }) {
  return (
    <Layout {...props.frame}>
      <p class="hint">
        An event is recorded once per dedupe key: a repeated delivery is answered as deduped and recorded no second time. A firing is deduped when its task existed already.
      </p>
      {props.events.length === 0 ? (
        <p class="empty">No sensor events yet (events/ingest or a webhook delivery records one).</p>
      ) : (
        <table class="list">
          <ListHead columns={['Event', 'Source', 'Type', 'Subject', 'Received', 'Firings']} />
          <tbody>
            {props.events.map((event) => (
              <tr>
                <td>
                  <a href={eventPath(event.eventId)}>{event.eventId}</a>
                </td>
                <td>{event.source}</td>
                <td>{event.type}</td>
                <td class="text">{event.subject ?? '—'}</td>
                <td>{when(event.receivedAtMs)}</td>
                <td>
                  <Firings event={event} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.nextCursor ? (
        <p>
          <a href={`/console/events?cursor=${encodeURIComponent(props.nextCursor)}`}>Older events</a>
        </p>
      ) : null}
    </Layout>
  );
}
