import type { ResultOf } from '@lightspeed/api';
import { ListHead } from './list-head.js';
import { FormToken, Layout, type PageFrame } from './layout.js';
import { when } from './format.js';

export type ScheduleRow = ResultOf<'schedules/read'>['schedule'];

function specText(spec: ScheduleRow['spec']): string {
  if (spec.kind === 'interval') return `every ${Math.round(spec.everyMs / 1000)} s`;
  return `cron ${spec.expression} (${spec.timezone ?? 'UTC'})`;
}

/** A same-origin POST button for one schedule action (pause, resume, run). */
function ActionButton(props: { csrf: string; scheduleId: string; action: 'pause' | 'resume' | 'run'; label: string }) {
  return (
    <form method="post" action={`/console/schedules/${encodeURIComponent(props.scheduleId)}/${props.action}`} class="inline">
      <FormToken csrf={props.csrf} />
      <button type="submit" aria-label={`${props.label} ${props.scheduleId}`}>
        {props.label}
      </button>
    </form>
  );
}

/** The schedules: spec, the next fire times (the read preview), last outcome and task, counters, and pause / resume / run now. */
export function SchedulesPage(props: { frame: PageFrame; schedules: ScheduleRow[] }) {
  const { frame } = props;
  return (
    <Layout {...frame}>
      <p>
        <a href="/console/schedules/new">New schedule</a>
      </p>
      {props.schedules.length === 0 ? (
        <p class="empty">No schedules in this universe (create one with schedules/put or `lightspeed schedules put`).</p>
      ) : (
        <table class="list">
          <ListHead columns={['Schedule', 'When', 'Task', 'Next runs', 'Last outcome', 'Fired · missed · skipped', 'Actions']} />
          <tbody>
            {props.schedules.map((schedule) => (
              <tr data-schedule-id={schedule.scheduleId}>
                <td>
                  {schedule.scheduleId}
                  {schedule.description ? <div class="hint">{schedule.description}</div> : null}
                </td>
                <td>
                  {specText(schedule.spec)}
                  {schedule.paused ? (
                    <>
                      {' '}
                      <span class="badge badge-paused">paused</span>
                    </>
                  ) : null}
                </td>
                <td>{`${schedule.task.kind} → ${schedule.task.agent}`}</td>
                <td>
                  {schedule.upcomingMs.length === 0 ? (
                    '—'
                  ) : (
                    <ul class="plain next-runs">
                      {schedule.upcomingMs.map((at) => (
                        <li>{when(at)}</li>
                      ))}
                    </ul>
                  )}
                </td>
                <td>
                  {schedule.lastOutcome ? (
                    <>
                      <span class={`badge badge-${schedule.lastOutcome.result}`}>{schedule.lastOutcome.result}</span>
                      {schedule.lastOutcome.manual ? ' (run now)' : ''}
                      {schedule.lastOutcome.taskId ? (
                        <div>
                          <a href={`/console/tasks/${encodeURIComponent(schedule.lastOutcome.taskId)}`}>{schedule.lastOutcome.taskId}</a>
                          {schedule.lastTask && schedule.lastTask.taskId === schedule.lastOutcome.taskId ? ` (${schedule.lastTask.state})` : ''}
                        </div>
                      ) : null}
                      {schedule.lastOutcome.error ? <div class="failure">{schedule.lastOutcome.error}</div> : null}
                      <div class="hint">{when(schedule.lastOutcome.atMs)}</div>
                    </>
                  ) : (
                    'never fired'
                  )}
                </td>
                <td>{`${schedule.counters.fired} · ${schedule.counters.missed} · ${schedule.counters.skipped}`}</td>
                <td>
                  {schedule.paused ? (
                    <ActionButton csrf={frame.csrf} scheduleId={schedule.scheduleId} action="resume" label="Resume" />
                  ) : (
                    <ActionButton csrf={frame.csrf} scheduleId={schedule.scheduleId} action="pause" label="Pause" />
                  )}
                  <ActionButton csrf={frame.csrf} scheduleId={schedule.scheduleId} action="run" label="Run now" />
                  <a href={`/console/schedules/${encodeURIComponent(schedule.scheduleId)}/edit`} aria-label={`Edit ${schedule.scheduleId}`}>
                    Edit
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}
