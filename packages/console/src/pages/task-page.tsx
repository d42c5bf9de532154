import type { TaskAttemptView, TaskView } from '@lightspeed/api';
import { ListHead } from './list-head.js';
import { FormToken, Layout, type PageFrame } from './layout.js';
import { costText, when } from './format.js';
import { BLOB_REF, blobPagePath } from './blob-page.js';
import { runAnchor } from './plain-text.js';

const CANCELLABLE = new Set(['queued', 'scheduled', 'running', 'blocked']);
const RETRYABLE = new Set(['failed', 'cancelled', 'blocked']);

/** One task: its facts, payload, last error, attempts (each linked to its session), cancel and retry. */
export function TaskPage(props: { frame: PageFrame; task: TaskView; attempts: TaskAttemptView[] }) {
  const { frame, task } = props;
  const base = `/console/tasks/${encodeURIComponent(task.taskId)}`;
  return (
    <Layout {...frame}>
      <div id="task-live" data-events-url="/console/tasks/events">
      <dl class="facts">
        <dt>State</dt>
        <dd>
          <span class={`badge badge-${task.state}`}>{task.state}</span>
          {task.cancelRequested ? ' (cancel requested)' : ''}
        </dd>
        <dt>Kind</dt>
        <dd>{task.kind}</dd>
        <dt>Agent</dt>
        <dd>{task.agent}</dd>
        <dt>Attempts</dt>
        <dd>{`${task.attempts} of ${task.maxAttempts}`}</dd>
        <dt>Created</dt>
        <dd>{when(task.createdAtMs)}</dd>
        <dt>Updated</dt>
        <dd>{when(task.updatedAtMs)}</dd>
      </dl>
      {task.lastError ? (
        <p class="failure">
          {`${task.lastError.class}: ${task.lastError.message}`}
        </p>
      ) : null}
      <div class="actions">
        {CANCELLABLE.has(task.state) ? (
          <form method="post" action={`${base}/cancel`} class="inline">
            <FormToken csrf={frame.csrf} />
            <button type="submit" class="danger">
              Cancel task
            </button>
          </form>
        ) : null}
        {RETRYABLE.has(task.state) ? (
          <form method="post" action={`${base}/retry`} class="inline">
            <FormToken csrf={frame.csrf} />
            <button type="submit">Retry task</button>
          </form>
        ) : null}
      </div>
      <h2>Payload</h2>
      <pre class="args">{task.payload === undefined ? '(kept in CAS)' : JSON.stringify(task.payload, null, 2)}</pre>
      <h2>Attempts</h2>
      {props.attempts.length === 0 ? (
        <p class="empty">No attempt yet.</p>
      ) : (
        <table class="list">
          <ListHead columns={['#', 'Outcome', 'Session and run', 'Started', 'Ended', 'Cost', 'Evidence', 'Error']} />
          <tbody>
            {props.attempts.map((attempt) => (
              <tr>
                <td>{String(attempt.attempt)}</td>
                <td>
                  <span class={`badge badge-${attempt.outcome}`}>{attempt.outcome}</span>
                </td>
                <td>
                  {attempt.sessionId ? <a href={`/console/sessions/${encodeURIComponent(attempt.sessionId)}`}>{attempt.sessionId}</a> : '—'}
                  {attempt.sessionId && attempt.runId ? (
                    <>
                      {' · '}
                      <a href={`/console/sessions/${encodeURIComponent(attempt.sessionId)}#${encodeURIComponent(runAnchor(attempt.runId))}`}>{attempt.runId}</a>
                    </>
                  ) : null}
                </td>
                <td>{when(attempt.startedAtMs)}</td>
                <td>{when(attempt.endedAtMs)}</td>
                <td>{costText(attempt.costUsd)}</td>
                <td>
                  {attempt.evidence.length === 0 ? (
                    '—'
                  ) : (
                    <ul class="plain evidence">
                      {attempt.evidence.map((item) => (
                        <li class="text">{BLOB_REF.test(item) ? <a href={blobPagePath(item, base)}>{item}</a> : item}</li>
                      ))}
                    </ul>
                  )}
                </td>
                <td class="text">{attempt.error ? `${attempt.errorClass ? `${attempt.errorClass}: ` : ''}${attempt.error}` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      </div>
    </Layout>
  );
}
