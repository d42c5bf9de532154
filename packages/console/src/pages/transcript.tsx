import { transcriptOf, type SessionView, type ToolCallView, type TranscriptItem } from '@lightspeed/api';
import { FormToken } from './layout.js';
import { preview, usageText } from './format.js';

export type SessionInput = Parameters<typeof transcriptOf>[0];

/** Text as the agent or a tool gave it: never markup, whitespace kept (CSS pre-wrap). */
function PlainText(props: { text: string; max?: number }) {
  const shown = preview(props.text, props.max);
  return (
    <div class="text">
      {shown.text}
      {shown.cut > 0 ? <span class="cut">{` … ${shown.cut} more characters`}</span> : null}
    </div>
  );
}

type ToolCall = Extract<TranscriptItem, { type: 'toolCall' }>;
type ToolResult = Extract<TranscriptItem, { type: 'toolResult' }>;

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
 * a preview of its result.
 */
function ToolCard(props: { call: ToolCall; view: ToolCallView | undefined; result: ToolResult | undefined }) {
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
          <h3 class="label">Result</h3>
          <PlainText text={result.text} />
        </>
      ) : null}
    </article>
  );
}

function Message(props: { role: 'user' | 'assistant'; text: string }) {
  return (
    <article class={`message message-${props.role}`} aria-label={props.role === 'user' ? 'user message' : 'assistant message'}>
      <span class="role">{props.role === 'user' ? 'You' : 'Agent'}</span>
      <PlainText text={props.text} max={20_000} />
    </article>
  );
}

const OPEN_RUN = new Set(['queued', 'running', 'cancelling']);

/**
 * The session's transcript, run by run: messages, tool calls as cards paired with their results,
 * a cancel button on a run still going. The page renders it once and the script re-fetches it
 * (`GET …/transcript`) when the live stream reports a durable event, so one renderer (this one,
 * escaping everything) draws both the first paint and every update.
 */
export function Transcript(props: { session: SessionInput; csrf: string }) {
  const transcript = transcriptOf(props.session);
  const runsById = new Map((props.session.runs ?? []).map((run) => [run.id, run]));
  if (transcript.runs.length === 0) return <p class="empty">No runs yet: send a message below.</p>;
  return (
    <>
      {transcript.runs.map((run) => {
        const results = new Map(run.items.filter((item): item is ToolResult => item.type === 'toolResult').map((item) => [item.callId, item]));
        const view = runsById.get(run.runId) as SessionView['runs'][number] | undefined;
        const calls = new Map((view?.toolBatches ?? []).flatMap((batch) => batch.calls).map((callView) => [callView.callId, callView]));
        return (
          <section class="run" data-run-id={run.runId} data-run-status={run.status} aria-label={`run ${run.runId}`}>
            <header class="run-head">
              <span class="run-id">{run.runId}</span> <span class={`badge badge-${run.status}`}>{run.status}</span>
              <span class="usage">{usageText(view?.usage)}</span>
              {OPEN_RUN.has(run.status) ? (
                <form method="post" action={`/console/sessions/${encodeURIComponent(props.session.id)}/runs/${encodeURIComponent(run.runId)}/cancel`} class="inline">
                  <FormToken csrf={props.csrf} />
                  <button type="submit" class="danger">
                    Cancel run
                  </button>
                </form>
              ) : null}
            </header>
            {run.items.map((item) => {
              if (item.type === 'message') return <Message role={item.role} text={item.text} />;
              if (item.type === 'toolCall') return <ToolCard call={item} view={calls.get(item.callId)} result={results.get(item.callId)} />;
              return null;
            })}
            {run.failure ? (
              <p class="failure" role="status">
                {run.failure}
              </p>
            ) : null}
          </section>
        );
      })}
    </>
  );
}
