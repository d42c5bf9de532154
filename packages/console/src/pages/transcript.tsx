import type { SessionView, ToolCallView } from '@lightspeed/api';
import { FormToken } from './layout.js';
import { MarkdownText } from './markdown-text.js';
import { preview, usageText } from './format.js';
import { PlainText, runAnchor, type SessionInput } from './plain-text.js';
import { compactionsOf, runItems, type CompactionItem, type ConsoleItem } from './transcript-items.js';

export type { SessionInput } from './plain-text.js';

type ToolCall = Extract<ConsoleItem, { type: 'toolCall' }>;
type ToolResult = Extract<ConsoleItem, { type: 'toolResult' }>;

/** Arguments as the model sent them, indented when they are JSON. */
function argumentsText(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/**
 * A tool call as a card: its name, arguments (from the run's tool batches, which hold them as the
 * model sent them; the context entry holds the provider's whole call item) and, once it finished,
 * a preview of its result with "Show all" when there is more in CAS.
 */
function ToolCard(props: { sessionId: string; call: ToolCall; view: ToolCallView | undefined; result: ToolResult | undefined }) {
  const { call, view, result } = props;
  const state = result === undefined ? 'running' : result.isError ? 'failed' : 'ok';
  return (
    <article class={`tool tool-${state}`} data-call-id={call.callId} aria-label={`tool call ${call.name}`}>
      <header>
        <span class="tool-name">{call.name}</span> <span class={`badge badge-${state}`}>{state}</span>
      </header>
      <h3 class="label">Arguments</h3>
      <pre class="args">{preview(argumentsText(view?.arguments ?? call.arguments), 4000).text}</pre>
      {result !== undefined ? (
        <>
          <h3 class="label">{result.isError ? 'Error' : 'Result'}</h3>
          <PlainText text={result.text} full={{ sessionId: props.sessionId, ...result }} />
        </>
      ) : null}
    </article>
  );
}

function Message(props: { sessionId: string; item: Extract<ConsoleItem, { type: 'message' }> }) {
  const { item } = props;
  return (
    <article class={`message message-${item.role}`} aria-label={item.role === 'user' ? 'user message' : 'assistant message'}>
      <span class="role">{item.role === 'user' ? 'You' : 'Agent'}</span>
      {item.role === 'assistant' ? (
        <MarkdownText text={item.text} max={20_000} full={{ sessionId: props.sessionId, ...item }} />
      ) : (
        <PlainText text={item.text} max={20_000} full={{ sessionId: props.sessionId, ...item }} />
      )}
    </article>
  );
}

/** Reasoning, collapsed: a reader opens it when they want to know how the agent decided. */
function Reasoning(props: { text: string }) {
  return (
    <details class="reasoning">
      <summary>Reasoning</summary>
      <PlainText text={props.text} />
    </details>
  );
}

/** A compaction's summary, collapsed, where the conversation it replaced used to be. */
function Compaction(props: { sessionId: string; compaction: CompactionItem }) {
  return (
    <details class="compaction" data-compaction-id={props.compaction.compactionId}>
      <summary>{`Earlier conversation compacted (${props.compaction.compactionId})`}</summary>
      {props.compaction.outputs.map((output) => (
        <PlainText text={output.text} full={{ sessionId: props.sessionId, ...output }} />
      ))}
    </details>
  );
}

const OPEN_RUN = new Set(['queued', 'running', 'cancelling']);

/**
 * The session's transcript, run by run: messages, reasoning (collapsed), tool calls as cards
 * paired with their results, failures, a cancel button on a run still going; compaction summaries
 * first. The page renders it once and the script re-fetches it (`GET …/transcript`) when the live
 * stream reports a durable event, so one renderer (this one, escaping everything) draws both the
 * first paint and every update.
 */
export function Transcript(props: { session: SessionInput; csrf: string }) {
  const sessionId = props.session.id;
  const runs = props.session.runs ?? [];
  const compactions = compactionsOf(props.session);
  if (runs.length === 0) return <p class="empty">No runs yet: send a message below.</p>;
  return (
    <>
      {compactions.map((compaction) => (
        <Compaction sessionId={sessionId} compaction={compaction} />
      ))}
      {runs.map((run) => {
        const items = runItems(run);
        const results = new Map(items.filter((item): item is ToolResult => item.type === 'toolResult').map((item) => [item.callId, item]));
        const calls = new Map(((run as SessionView['runs'][number]).toolBatches ?? []).flatMap((batch) => batch.calls).map((callView) => [callView.callId, callView]));
        return (
          <section class="run" id={runAnchor(run.id)} data-run-id={run.id} data-run-status={run.status} aria-label={`run ${run.id}`}>
            <header class="run-head">
              <span class="run-id">{run.id}</span> <span class={`badge badge-${run.status}`}>{run.status}</span>
              <span class="usage">{usageText(run.usage)}</span>
              {OPEN_RUN.has(run.status) ? (
                <form method="post" action={`/console/sessions/${encodeURIComponent(sessionId)}/runs/${encodeURIComponent(run.id)}/cancel`} class="inline">
                  <FormToken csrf={props.csrf} />
                  <button type="submit" class="danger">
                    Cancel run
                  </button>
                </form>
              ) : null}
            </header>
            {items.map((item) => {
              if (item.type === 'message') return <Message sessionId={sessionId} item={item} />;
              if (item.type === 'reasoning') return <Reasoning text={item.text} />;
              if (item.type === 'toolCall') return <ToolCard sessionId={sessionId} call={item} view={calls.get(item.callId)} result={results.get(item.callId)} />;
              return null;
            })}
            {run.failure ? (
              <p class="failure" role="status">
                {`${run.failure.code}: ${run.failure.message}`}
              </p>
            ) : null}
          </section>
        );
      })}
    </>
  );
}
