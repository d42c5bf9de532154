import type { DispatchPause } from '@lightspeed/api';
import { FormToken } from './layout.js';
import { when } from './format.js';

/** Who paused what, and when: the universe or one agent. */
function pauseText(pause: DispatchPause): string {
  const what = pause.agent ? `agent ${pause.agent}` : 'all agents';
  return `${what} paused ${when(pause.pausedAtMs)}${pause.pausedBy ? ` by ${pause.pausedBy}` : ''}${pause.reason ? `: ${pause.reason}` : ''}`;
}

/**
 * Dispatch pauses with a Resume for each, and a form to pause the universe or one agent
 * (`dispatch/pause`, `dispatch/resume`): running tasks go on, queued ones wait.
 */
export function DispatchControls(props: { pauses: DispatchPause[]; agents: string[]; csrf: string }) {
  return (
    <section aria-labelledby="dispatch-title">
      <h2 id="dispatch-title">Dispatch</h2>
      {props.pauses.length === 0 ? (
        <p class="hint" id="dispatch-state">Dispatch is running: queued tasks start as dispatchers claim them.</p>
      ) : (
        <ul class="plain" id="dispatch-state">
          {props.pauses.map((pause) => (
            <li class="pause">
              <span class="badge badge-paused">paused</span> {pauseText(pause)}{' '}
              <form method="post" action="/console/dispatch/resume" class="inline">
                <FormToken csrf={props.csrf} />
                {pause.agent ? <input type="hidden" name="agent" value={pause.agent} /> : null}
                <button type="submit">{pause.agent ? `Resume ${pause.agent}` : 'Resume all'}</button>
              </form>
            </li>
          ))}
        </ul>
      )}
      <form method="post" action="/console/dispatch/pause" class="filters">
        <FormToken csrf={props.csrf} />
        <label for="pause-agent">Pause</label>
        <select id="pause-agent" name="agent">
          <option value="">all agents</option>
          {props.agents.map((agent) => (
            <option value={agent}>{agent}</option>
          ))}
        </select>
        <label for="pause-reason">Reason</label>
        <input id="pause-reason" name="reason" maxlength={1024} />
        <button type="submit" class="danger">
          Pause dispatch
        </button>
      </form>
    </section>
  );
}
