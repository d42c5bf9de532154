import type { ResultOf } from '@lightspeed/api';
import { ListHead } from './list-head.js';
import { Layout, type PageFrame } from './layout.js';
import { when } from './format.js';
import { EntityLink, memoryEventPath } from './memory-links.js';

type Neighbours = ResultOf<'memory/graph/neighbours'>;

/**
 * One entity and its graph neighbours (one edge away): each edge with its evidence, the memory
 * events that support it, linked. memory/events/list has no entity filter, so the evidence is the
 * entity's events this page can show.
 */
export function MemoryEntityPage(props: { frame: PageFrame; entity: ResultOf<'memory/entities/read'>['entity']; graph: Neighbours }) {
  const { entity, graph } = props;
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
