import { invalidRequest, type ParamsInputOf } from '@lightspeed/api';
import { FormToken, Layout, type PageFrame } from './layout.js';
import type { ScheduleRow } from './schedules-page.js';

type ScheduleInput = ParamsInputOf<'schedules/put'>['schedule'];

function jsonOf(text: string | undefined, field: string): unknown {
  const source = (text ?? '').trim();
  if (source === '') return undefined;
  try {
    return JSON.parse(source);
  } catch {
    throw invalidRequest(`${field}: not valid JSON`);
  }
}

/**
 * The schedule a posted form describes, for `schedules/put`. Only the form's own shape is checked
 * here (a number is a number, the payload is JSON); everything else is the API's to refuse, by
 * field name (`schedule.spec.expression: …`).
 */
function revisionOf(text: string | undefined): number {
  const revision = Number(text);
  if (!Number.isInteger(revision) || revision < 1) throw invalidRequest('revision: the revision the schedule was read at');
  return revision;
}

export function scheduleOfForm(form: Record<string, string>): { schedule: ScheduleInput; expectedRevision?: number } {
  const spec =
    form.specKind === 'interval'
      ? { kind: 'interval' as const, everyMs: Math.round(Number(form.everySeconds) * 1000) }
      : { kind: 'cron' as const, expression: (form.expression ?? '').trim(), ...(form.timezone?.trim() ? { timezone: form.timezone.trim() } : {}) };
  if (spec.kind === 'interval' && !Number.isFinite(spec.everyMs)) throw invalidRequest('everySeconds: a number of seconds');
  const payload = jsonOf(form.payload, 'payload');
  return {
    schedule: {
      scheduleId: (form.scheduleId ?? '').trim(),
      spec,
      task: { kind: (form.kind ?? '').trim(), agent: (form.agent ?? '').trim(), ...(payload !== undefined ? { payload } : {}), ...(form.subject?.trim() ? { subject: form.subject.trim() } : {}) },
      ...(form.overlap ? { overlap: form.overlap as 'skip' } : {}),
      ...(form.description?.trim() ? { description: form.description.trim() } : {}),
    },
    // A create must not overwrite (0: must not exist yet); an edit saves over the revision it was
    // read at, so a concurrent edit is a conflict, not silently lost.
    expectedRevision: form.edit === 'on' ? revisionOf(form.revision) : 0,
  };
}

/** Create (no schedule) or edit a schedule: its spec, the task it creates, overlap and description. */
export function ScheduleFormPage(props: { frame: PageFrame; schedule?: ScheduleRow; agents: string[] }) {
  const { frame, schedule } = props;
  const spec = schedule?.spec;
  return (
    <Layout {...frame}>
      <form method="post" action="/console/schedules" class="stack" id="schedule-form">
        <FormToken csrf={frame.csrf} />
        {schedule ? <input type="hidden" name="edit" value="on" /> : null}
        {schedule ? <input type="hidden" name="revision" value={String(schedule.revision)} /> : null}
        <label for="schedule-id">Schedule id</label>
        <input id="schedule-id" name="scheduleId" required value={schedule?.scheduleId ?? ''} readonly={schedule !== undefined} />
        <fieldset>
          <legend>When</legend>
          <label class="check">
            <input type="radio" name="specKind" value="cron" checked={spec?.kind !== 'interval'} /> Cron
          </label>
          <label for="schedule-expression">Cron expression (5 fields, or @hourly, @daily…)</label>
          <input id="schedule-expression" name="expression" value={spec?.kind === 'cron' ? spec.expression : ''} />
          <label for="schedule-timezone">Timezone (IANA, default UTC)</label>
          <input id="schedule-timezone" name="timezone" value={spec?.kind === 'cron' ? (spec.timezone ?? '') : ''} />
          <label class="check">
            <input type="radio" name="specKind" value="interval" checked={spec?.kind === 'interval'} /> Every
          </label>
          <label for="schedule-every">Seconds between fires (at least 1)</label>
          <input id="schedule-every" name="everySeconds" inputmode="numeric" value={spec?.kind === 'interval' ? String(spec.everyMs / 1000) : ''} />
        </fieldset>
        <label for="schedule-agent">Agent</label>
        <select id="schedule-agent" name="agent" required>
          {props.agents.map((agent) => (
            <option value={agent} selected={schedule?.task.agent === agent}>
              {agent}
            </option>
          ))}
        </select>
        <label for="schedule-kind">Task kind</label>
        <input id="schedule-kind" name="kind" required value={schedule?.task.kind ?? 'console.schedule'} />
        <label for="schedule-subject">Task subject</label>
        <input id="schedule-subject" name="subject" value={schedule?.task.subject ?? ''} />
        <label for="schedule-payload">Task payload (JSON; strings may hold {'{{fire.iso}}'} and other placeholders)</label>
        <textarea id="schedule-payload" name="payload" rows={3}>
          {schedule?.task.payload === undefined ? '' : JSON.stringify(schedule.task.payload, null, 2)}
        </textarea>
        <label for="schedule-overlap">While the previous task is still going</label>
        <select id="schedule-overlap" name="overlap">
          {(['skip', 'buffer_one', 'allow'] as const).map((overlap) => (
            <option value={overlap} selected={(schedule?.overlap ?? 'skip') === overlap}>
              {overlap}
            </option>
          ))}
        </select>
        <label for="schedule-description">Description</label>
        <input id="schedule-description" name="description" value={schedule?.description ?? ''} />
        <button type="submit">{schedule ? 'Save schedule' : 'Create schedule'}</button>
      </form>
    </Layout>
  );
}
