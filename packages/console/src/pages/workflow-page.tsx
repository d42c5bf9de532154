import type { ResultOf } from '@lightspeed/api';
import { ListHead } from './list-head.js';
import { FormToken, Layout, type PageFrame } from './layout.js';
import { eventPath } from './events-page.js';
import { when } from './format.js';
import { workflowPath, type WorkflowRow } from './workflows-page.js';

export type WorkflowTemplateRow = ResultOf<'workflows/templates/list'>['templates'][number];

const taskLink = (taskId: string | null | undefined) => (taskId ? <a href={`/console/tasks/${encodeURIComponent(taskId)}`}>{taskId}</a> : '—');

/** The operator's controls on a running instance: advance (to a state, or by the step's outcome) and cancel. */
function Controls(props: { csrf: string; workflow: WorkflowRow; states: string[] }) {
  const base = workflowPath(props.workflow.instanceKey);
  return (
    <div class="actions">
      <form method="post" action={`${base}/advance`} class="stack narrow">
        <FormToken csrf={props.csrf} />
        <label for="advance-to">Advance to</label>
        <select id="advance-to" name="to">
          <option value="">the template's next state for the step's outcome</option>
          {props.states.map((state) => (
            <option value={state}>{state === props.workflow.state ? `${state} (retry this step)` : state}</option>
          ))}
          <option value="@succeeded">@succeeded (complete)</option>
          <option value="@failed">@failed</option>
        </select>
        <label for="advance-note">Note</label>
        <input id="advance-note" name="note" />
        <button type="submit">Advance</button>
      </form>
      <form method="post" action={`${base}/cancel`} class="stack narrow">
        <FormToken csrf={props.csrf} />
        <label for="cancel-reason">Reason</label>
        <input id="cancel-reason" name="reason" />
        <button type="submit" class="danger">
          Cancel workflow
        </button>
      </form>
    </div>
  );
}

/** One workflow instance: facts, its template's states (the current one marked), steps and transition history, each linked to its task. */
export function WorkflowPage(props: { frame: PageFrame; workflow: WorkflowRow; template: WorkflowTemplateRow | undefined }) {
  const { workflow, template } = props;
  const states = template ? Object.keys(template.states) : [];
  return (
    <Layout {...props.frame}>
      <dl class="facts">
        <dt>Template</dt>
        <dd>{workflow.templateId}</dd>
        <dt>Status</dt>
        <dd>
          <span class={`badge badge-${workflow.status}`}>{workflow.status}</span>
          {workflow.reason ? ` ${workflow.reason}` : ''}
        </dd>
        <dt>State</dt>
        <dd>{workflow.state}</dd>
        <dt>Iteration</dt>
        <dd>{`${workflow.iteration} of ${workflow.maxIterations}`}</dd>
        <dt>Current task</dt>
        <dd>{taskLink(workflow.currentTaskId)}</dd>
        <dt>Created</dt>
        <dd>{when(workflow.createdAtMs)}</dd>
        <dt>Finished</dt>
        <dd>{when(workflow.finishedAtMs)}</dd>
      </dl>
      {workflow.status === 'running' ? <Controls csrf={props.frame.csrf} workflow={workflow} states={states} /> : null}
      <h2>States</h2>
      {template ? (
        <table class="list" id="workflow-states">
          <ListHead columns={['State', 'Description', "Task (the template's agent; an instance may override it)", 'On outcome']} />
          <tbody>
            {Object.entries(template.states).map(([name, state]) => (
              <tr class={name === workflow.state ? 'current' : undefined} aria-current={name === workflow.state ? 'step' : undefined}>
                <td>{name === template.initial ? `${name} (initial)` : name}</td>
                <td>{state.description ?? ''}</td>
                <td>{`${state.task.kind} → ${state.task.agent}`}</td>
                <td>{Object.entries(state.on).map(([outcome, next]) => `${outcome} → ${next}`).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="empty">{`The template ${workflow.templateId} is no longer served by this server.`}</p>
      )}
      <h2>Steps</h2>
      <table class="list" id="workflow-steps">
        <ListHead columns={['State', 'Iteration', 'Task', 'Outcome', 'Started', 'Ended', 'Error']} />
        <tbody>
          {workflow.steps.map((step) => (
            <tr>
              <td>{step.state}</td>
              <td>{String(step.iteration)}</td>
              <td>{taskLink(step.taskId)}</td>
              <td>{step.outcome ? <span class={`badge badge-${step.outcome}`}>{step.outcome}</span> : 'not ended'}</td>
              <td>{when(step.startedAtMs)}</td>
              <td>{when(step.endedAtMs)}</td>
              <td>{step.error ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>History</h2>
      <table class="list" id="workflow-history">
        <ListHead columns={['At', 'From', 'To', 'Outcome', 'By', 'Task', 'Note']} />
        <tbody>
          {workflow.history.map((move) => (
            <tr>
              <td>{when(move.atMs)}</td>
              <td>{move.from ?? '—'}</td>
              <td>{move.to}</td>
              <td>{move.outcome ?? '—'}</td>
              <td>
                {move.by}
                {move.eventId ? (
                  <>
                    {' '}
                    <a href={eventPath(move.eventId)}>{move.eventId}</a>
                  </>
                ) : null}
              </td>
              <td>{taskLink(move.taskId)}</td>
              <td class="text">{move.note ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}
