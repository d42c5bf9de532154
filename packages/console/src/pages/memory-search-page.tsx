import type { ResultOf } from '@lightspeed/api';
import { ListHead } from './list-head.js';
import { Layout, type PageFrame } from './layout.js';
import { when } from './format.js';
import { EntityLink, memoryEventPath } from './memory-links.js';

export type MemorySearchResult = ResultOf<'memory/search'>;
type Hit = MemorySearchResult['hits'][number];
const PATHS = ['lexical', 'vector', 'entity'] as const;

/** The memory search box (GET: a search is a link one can share) and the ask box (POST: it starts a run). */
export function MemorySearchForm(props: { query: string }) {
  return (
    <form method="get" action="/console/memory/search" class="filters" role="search" aria-label="Search memory">
      <label for="memory-query">Search memory</label>
      <input id="memory-query" name="q" type="search" value={props.query} placeholder="words, a question, #12, ENG-42, a SHA" required />
      <button type="submit">Search</button>
    </form>
  );
}

function pathText(hit: Hit, path: (typeof PATHS)[number]): string {
  const rank = hit.paths[path];
  return rank ? `#${rank.rank} (${rank.score.toFixed(3)})` : '—';
}

/** Hits with each path's rank and score, the fused score, and how each path ran. */
export function MemorySearchPage(props: { frame: PageFrame; query: string; result: MemorySearchResult }) {
  const { result } = props;
  return (
    <Layout {...props.frame}>
      <MemorySearchForm query={props.query} />
      <p>
        <a href={`/console/memory/ask?q=${encodeURIComponent(props.query)}`}>Ask a question about this instead</a>
      </p>
      <h2>How it searched</h2>
      <dl class="facts" id="memory-explanation">
        {PATHS.map((path) => (
          <>
            <dt>{path}</dt>
            <dd>{result.explanation[path]}</dd>
          </>
        ))}
        <dt>entities in the query</dt>
        <dd>
          {result.entityKeys.length === 0
            ? 'none'
            : result.entityKeys.map((entity, i) => (
                <>
                  {i > 0 ? ', ' : ''}
                  <EntityLink entity={entity} />
                </>
              ))}
        </dd>
        <dt>latency</dt>
        <dd>{Object.entries(result.latencyMs).map(([stage, ms]) => `${stage} ${ms.toFixed(1)} ms`).join(', ')}</dd>
      </dl>
      <h2>Hits</h2>
      {result.hits.length === 0 ? (
        <p class="empty">Nothing in memory matches.</p>
      ) : (
        <table class="list" id="memory-hits">
          <ListHead columns={['Event', 'Provider', 'Occurred', 'Fused', 'Lexical', 'Vector', 'Entity']} />
          <tbody>
            {result.hits.map((hit) => (
              <tr>
                <td>
                  <a href={memoryEventPath(hit.eventId)}>{hit.event.title}</a>
                </td>
                <td>{hit.event.action ? `${hit.event.provider} ${hit.event.type} ${hit.event.action}` : `${hit.event.provider} ${hit.event.type}`}</td>
                <td>{when(hit.event.occurredAtMs)}</td>
                <td>{hit.score.toFixed(4)}</td>
                {PATHS.map((path) => (
                  <td>{pathText(hit, path)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {result.nextCursor ? (
        <p>
          <a href={`/console/memory/search?q=${encodeURIComponent(props.query)}&cursor=${encodeURIComponent(result.nextCursor)}`}>More hits</a>
        </p>
      ) : null}
    </Layout>
  );
}
