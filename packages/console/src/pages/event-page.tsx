import { Layout, type PageFrame } from './layout.js';
import { Firings, type SensorEventRow } from './event-firings.js';
import { when } from './format.js';

/** One sensor event: its facts, payload (as JSON text, never markup) and trigger firings. */
export function EventPage(props: { frame: PageFrame; event: SensorEventRow }) {
  const { event } = props;
  return (
    <Layout {...props.frame}>
      <dl class="facts">
        <dt>Source</dt>
        <dd>{event.source}</dd>
        <dt>Type</dt>
        <dd>{event.type}</dd>
        <dt>Subject</dt>
        <dd class="text">{event.subject ?? '—'}</dd>
        <dt>External id</dt>
        <dd>{event.externalId ?? '—'}</dd>
        <dt>Dedupe key</dt>
        <dd>{event.dedupeKey}</dd>
        <dt>Received</dt>
        <dd>{when(event.receivedAtMs)}</dd>
        <dt>Dispatched</dt>
        <dd>{when(event.dispatchedAtMs)}</dd>
        <dt>Raw delivery</dt>
        <dd>{event.rawRef ?? '—'}</dd>
      </dl>
      <h2>Firings</h2>
      <div id="event-firings">
        <Firings event={event} />
      </div>
      <h2>Payload</h2>
      <pre class="args" id="event-payload">
        {JSON.stringify(event.payload, null, 2)}
      </pre>
      <p>
        <a href="/console/events">All events</a>
      </p>
    </Layout>
  );
}
