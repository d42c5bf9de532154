import type { ResultOf } from '@lightspeed/api';
import { FormToken } from './layout.js';

export type WaitView = ResultOf<'session/waits/list'>['waits'][number];

/** Where a wait's answer is posted (`…/waits/:promiseId/<action>`). */
function waitAction(sessionId: string, wait: WaitView, action: 'answer' | 'approve' | 'deny'): string {
  return `/console/sessions/${encodeURIComponent(sessionId)}/waits/${encodeURIComponent(wait.promiseId)}/${action}`;
}

function Approval(props: { sessionId: string; wait: WaitView; csrf: string }) {
  const { sessionId, wait, csrf } = props;
  const reasonId = `deny-reason-${wait.promiseId}`;
  return (
    <article class="wait wait-approval" aria-label={`approval for ${wait.toolName ?? 'a tool call'}`}>
      <p>
        {'Approve the call of '}
        <span class="tool-name">{wait.toolName ?? 'a tool'}</span>?
      </p>
      <pre class="args">{`${wait.arguments ?? ''}${wait.argumentsTruncated ? ' …' : ''}`}</pre>
      <div class="actions">
        <form method="post" action={waitAction(sessionId, wait, 'approve')} class="inline">
          <FormToken csrf={csrf} />
          <button type="submit">Approve</button>
        </form>
        <form method="post" action={waitAction(sessionId, wait, 'approve')} class="inline">
          <FormToken csrf={csrf} />
          <input type="hidden" name="forSession" value="on" />
          <button type="submit">Approve for this session</button>
        </form>
        <form method="post" action={waitAction(sessionId, wait, 'deny')} class="inline">
          <FormToken csrf={csrf} />
          <label for={reasonId}>Reason</label> <input id={reasonId} name="reason" value="denied in the console" required />{' '}
          <button type="submit" class="danger">
            Deny
          </button>
        </form>
      </div>
    </article>
  );
}

function Question(props: { sessionId: string; wait: WaitView; csrf: string }) {
  const { sessionId, wait, csrf } = props;
  const answerId = `answer-${wait.promiseId}`;
  return (
    <article class="wait wait-question" aria-label="question from the agent">
      <p class="text">{wait.question ?? wait.preview ?? ''}</p>
      <form method="post" action={waitAction(sessionId, wait, 'answer')} class="stack">
        <FormToken csrf={csrf} />
        {wait.choices && wait.choices.length > 0 ? (
          <fieldset>
            <legend>Answer</legend>
            {wait.choices.map((choice, index) => (
              <label class="check">
                <input type="radio" name="answer" value={choice} required checked={index === 0} /> {choice}
              </label>
            ))}
          </fieldset>
        ) : (
          <>
            <label for={answerId}>Answer</label>
            <textarea id={answerId} name="answer" rows={2} required></textarea>
          </>
        )}
        <button type="submit">Answer</button>
      </form>
    </article>
  );
}

/** The session's open questions and approvals, answered inline (timers and child waits only show). */
export function Waits(props: { sessionId: string; waits: WaitView[]; csrf: string }) {
  if (props.waits.length === 0) return null;
  return (
    <section class="waits" aria-label="waiting for you">
      <h2>Waiting</h2>
      {props.waits.map((wait) => {
        if (wait.kind === 'approval') return <Approval sessionId={props.sessionId} wait={wait} csrf={props.csrf} />;
        if (wait.kind === 'question') return <Question sessionId={props.sessionId} wait={wait} csrf={props.csrf} />;
        return (
          <p class="wait">
            {`${wait.kind} wait for ${wait.toolName ?? 'a tool'}${wait.preview ? `: ${wait.preview}` : ''}`}
          </p>
        );
      })}
    </section>
  );
}
