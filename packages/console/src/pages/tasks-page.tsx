import type { DispatchPause, TaskView } from '@lightspeed/api';
import { DispatchControls } from './dispatch-controls.js';
import { ListHead } from './list-head.js';
import { FormToken, Layout, type PageFrame } from './layout.js';
import { when } from './format.js';

/** The task queue: counts by state, the list (optionally one state), and the create form. */
export function TasksPage(props: { frame: PageFrame; tasks: TaskView[]; counts: Map<string, number>; state?: string | undefined; agents: string[]; pauses: DispatchPause[] }) {
  const { frame } = props;
  return (
    <Layout {...frame}>
      <div id="task-live" data-events-url="/console/tasks/events">
      <nav aria-label="Task states" class="counts">
        <ul>
          <li>
            <a href="/console/tasks" aria-current={props.state === undefined ? 'page' : undefined}>
              all
            </a>
          </li>
          {[...props.counts].map(([state, count]) => (
            <li>
              <a href={`/console/tasks?state=${encodeURIComponent(state)}`} aria-current={props.state === state ? 'page' : undefined}>
                {`${state} ${count}`}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {props.tasks.length === 0 ? (
        <p class="empty">No tasks{props.state ? ` in state ${props.state}` : ''}.</p>
      ) : (
        <table class="list">
          <ListHead columns={['Task', 'State', 'Kind', 'Agent', 'Attempts', 'Updated']} />
          <tbody>
            {props.tasks.map((task) => (
              <tr>
                <td>
                  <a href={`/console/tasks/${encodeURIComponent(task.taskId)}`}>{task.subject || task.taskId}</a>
                </td>
                <td>
                  <span class={`badge badge-${task.state}`}>{task.state}</span>
                </td>
                <td>{task.kind}</td>
                <td>{task.agent}</td>
                <td>{`${task.attempts} of ${task.maxAttempts}`}</td>
                <td>{when(task.updatedAtMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      </div>
      <DispatchControls pauses={props.pauses} agents={props.agents} csrf={frame.csrf} />
      <section aria-labelledby="new-task">
        <h2 id="new-task">Queue a task</h2>
        {props.agents.length === 0 ? (
          <p class="empty">No agent profiles in this universe: a task needs one (store agents with profiles/put or .lightspeed/agents).</p>
        ) : (
          <form method="post" action="/console/tasks" class="stack">
            <FormToken csrf={frame.csrf} />
            <label for="task-agent">Agent</label>
            <select id="task-agent" name="agent" required>
              {props.agents.map((agent) => (
                <option value={agent}>{agent}</option>
              ))}
            </select>
            <label for="task-kind">Kind</label>
            <input id="task-kind" name="kind" required value="console.task" />
            <label for="task-subject">Subject</label>
            <input id="task-subject" name="subject" />
            <label for="task-payload">Payload (JSON)</label>
            <textarea id="task-payload" name="payload" rows={3}>
              {'{}'}
            </textarea>
            <button type="submit">Queue task</button>
          </form>
        )}
      </section>
    </Layout>
  );
}
