import type { ResultOf } from '@lightspeed/api';
import { FormToken, Layout, type PageFrame } from './layout.js';
import { memoryEntityPath, memoryEventPath } from './memory-links.js';

export type MemoryAnswer = ResultOf<'memory/answer'>;
type Citation = MemoryAnswer['citations'][number];

function citationHref(citation: Citation): string {
  if (citation.kind === 'event') return memoryEventPath(citation.id);
  const at = citation.id.indexOf(':');
  return memoryEntityPath({ type: citation.id.slice(0, at), key: citation.id.slice(at + 1) });
}

/**
 * The answer as text, its verified citations (`[id]`, the only ones memory/answer leaves in)
 * as links. Split on the ids, never parsed as markup: the model's text stays text.
 */
function AnswerText(props: { answer: string; citations: Citation[] }) {
  const byId = new Map(props.citations.map((citation) => [citation.id, citation]));
  const parts = props.answer.split(/(\[[^\][]+\])/);
  return (
    <p id="memory-answer-text" class="answer">
      {parts.map((part) => {
        const ids = part.startsWith('[') && part.endsWith(']') ? part.slice(1, -1).split(',').map((id) => id.trim()) : [];
        if (ids.length === 0 || !ids.every((id) => byId.has(id))) return part;
        return (
          <>
            [
            {ids.map((id, i) => (
              <>
                {i > 0 ? ', ' : ''}
                <a href={citationHref(byId.get(id)!)}>{id}</a>
              </>
            ))}
            ]
          </>
        );
      })}
    </p>
  );
}

export function MemoryAskForm(props: { csrf: string; question: string }) {
  return (
    <form method="post" action="/console/memory/ask" class="stack">
      <FormToken csrf={props.csrf} />
      <label for="memory-question">Ask memory</label>
      <textarea id="memory-question" name="question" rows={3} required>
        {props.question}
      </textarea>
      <button type="submit">Ask</button>
    </form>
  );
}

/** Ask a question (the shipped or stored `answer` agent runs as an ordinary session) and read the verified answer. */
export function MemoryAnswerPage(props: { frame: PageFrame; question: string; answer?: MemoryAnswer }) {
  const { answer } = props;
  return (
    <Layout {...props.frame}>
      <MemoryAskForm csrf={props.frame.csrf} question={props.question} />
      {answer ? (
        <section id="memory-answer" aria-label="Answer">
          <h2>Answer</h2>
          {answer.status === 'completed' ? (
            <AnswerText answer={answer.answer} citations={answer.citations} />
          ) : (
            <p>{`The run is ${answer.status}${answer.error ? `: ${answer.error}` : ''}.`}</p>
          )}
          {answer.status === 'completed' && !answer.grounded ? <p class="notice">No valid citation: memory does not support this answer.</p> : null}
          <p>
            <a href={`/console/sessions/${encodeURIComponent(answer.sessionId)}`}>The run that answered</a>
          </p>
          <h3>Citations</h3>
          {answer.citations.length === 0 ? (
            <p class="empty">None.</p>
          ) : (
            <ul id="memory-citations">
              {answer.citations.map((citation) => (
                <li>
                  <a href={citationHref(citation)}>{citation.id}</a>
                  {` (${citation.kind}, shown by ${citation.callIds.length} tool call${citation.callIds.length === 1 ? '' : 's'})`}
                </li>
              ))}
            </ul>
          )}
          {answer.droppedCitations.length > 0 ? (
            <>
              <h3>Dropped citations</h3>
              <ul id="memory-dropped">
                {answer.droppedCitations.map((dropped) => (
                  <li>{`${dropped.id}: ${dropped.reason === 'not_found' ? 'no such event or entity in this universe' : 'real, but no tool result of the run showed it'}`}</li>
                ))}
              </ul>
            </>
          ) : null}
        </section>
      ) : null}
    </Layout>
  );
}
