import type { ResultOf } from '@lightspeed/api';
import { ListHead } from './list-head.js';
import { Layout, type PageFrame } from './layout.js';
import { when } from './format.js';
import { EntityLink, memoryEventPath } from './memory-links.js';
import { MemoryEventsTable, type MemoryEventRow } from './memory-events-page.js';

type Neighbours = ResultOf<'memory/graph/neighbours'>;

/**
 * One entity: its own events (`memory/events/list` with the entity filter: it is their primary or
 * a related entity) and its graph neighbours (one edge away), each edge with its evidence, the
 * memory events that support it, linked.
 */
export function MemoryEntityPage(props: {
  frame: PageFrame;
  entity: ResultOf<'memory/entities/read'>['entity'];
  graph: Neighbours;
  events: MemoryEventRow[];
  nextCursor?: string | null | undefined;
}) {
  const { entity, graph } = props;
  const here = `/console/memory/entity?type=${encodeURIComponent(entity.type)}&key=${encodeURIComponent(entity.key)}`;
  return (
    <Layout {...props.frame}>
      <dl class="facts">
        <dt>Type</dt>
        <dd>{entity.type}</dd>
        <dt>Key</dt>
        <dd>{entity.key}</dd>
        <dt>Title</dt>
        <dd>{entity.title ?? '—'}</dd>
        <dt>Aliases</dt>
        <dd>{entity.aliases.join(', ') || '—'}</dd>
        <dt>Events</dt>
        <dd>{String(entity.eventCount)}</dd>
        <dt>Seen</dt>
        <dd>{`${when(entity.firstSeenMs)} – ${when(entity.lastSeenMs)}`}</dd>
      </dl>
      <h2>Events</h2>
      <MemoryEventsTable events={props.events} nextCursor={props.nextCursor} nextHref={(cursor) => `${here}&cursor=${encodeURIComponent(cursor)}`} empty="No event names this entity." />
      <h2>Edges</h2>
      {graph.edges.length === 0 ? (
        <p class="empty">No edge to another entity.</p>
      ) : (
        <table class="list" id="memory-edges">
          <ListHead columns={['Edge', 'From', 'To', 'Evidence', 'Confidence', 'Valid']} />
          <tbody>
            {graph.edges.map((edge) => (
              <tr>
                <td>{edge.type}</td>
                <td>
                  <EntityLink entity={edge.from} />
                </td>
                <td>
                  <EntityLink entity={edge.to} />
                </td>
                <td>
                  <ul class="plain">
                    {edge.evidence.map((eventId) => (
                      <li>
                        <a href={memoryEventPath(eventId)}>{eventId}</a>
                      </li>
                    ))}
                  </ul>
                  {edge.evidenceCount > edge.evidence.length ? `(${edge.evidenceCount} in all)` : ''}
                </td>
                <td>{String(edge.confidence)}</td>
                <td>{edge.invalidAtMs ? `until ${when(edge.invalidAtMs)}` : `since ${when(edge.settledAtMs ?? edge.firstSeenMs)}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}
