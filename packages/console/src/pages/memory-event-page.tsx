import { Layout, type PageFrame } from './layout.js';
import { when } from './format.js';
import { EntityLink } from './memory-links.js';
import type { MemoryEventRow } from './memory-events-page.js';

/** One memory event: facts, its entities (linked), significance factors, attributes and body as text. */
export function MemoryEventPage(props: { frame: PageFrame; event: MemoryEventRow }) {
  const { event } = props;
  return (
    <Layout {...props.frame}>
      <dl class="facts">
        <dt>Provider</dt>
        <dd>{`${event.provider} (source ${event.sourceId})`}</dd>
        <dt>Type</dt>
        <dd>{event.action ? `${event.type} ${event.action}` : event.type}</dd>
        <dt>Entity</dt>
        <dd>
          <EntityLink entity={event.primary} />
        </dd>
        <dt>Significance</dt>
        <dd>{`${event.significance} (${event.factors.map((factor) => `${factor.rule} ${factor.points > 0 ? '+' : ''}${factor.points}`).join(', ') || 'no rule'})`}</dd>
        <dt>Occurred</dt>
        <dd>{when(event.occurredAtMs)}</dd>
        <dt>Received</dt>
        <dd>{when(event.receivedAtMs)}</dd>
        <dt>Dedupe key</dt>
        <dd>{event.sourceKey}</dd>
      </dl>
      <h2>Related</h2>
      {event.related.length === 0 ? (
        <p class="empty">No related entity.</p>
      ) : (
        <ul id="memory-related">
          {event.related.map((related) => (
            <li>
              {`${related.relation}: `}
              <EntityLink entity={related} />
            </li>
          ))}
        </ul>
      )}
      <h2>Body</h2>
      <p class="text">{event.body ?? '—'}</p>
      <h2>Attributes</h2>
      <pre class="args">{JSON.stringify(event.attributes, null, 2)}</pre>
    </Layout>
  );
}
