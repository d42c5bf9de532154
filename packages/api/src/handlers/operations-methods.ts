import type { ModelSelection } from '@lightspeed/engine';
import type { ScheduleOutcome, ScheduleSpec, SensorEvent, SensorEventStore, TaskJson, TaskTemplate, TriggerRecord, TriggerWorkflow } from '@lightspeed/ports';
import type { EventIntake, HookIngress, ScheduleInput, ScheduleService, ScheduleView, TriggerInput, TriggerService, WorkflowService } from '@lightspeed/schedules';
import { notFound } from '../rpc/api-error.js';
import type { MethodHandlers } from '../rpc/dispatcher.js';
import type { ParamsOf } from '../schemas/methods.js';
import { workflowMethods } from './workflow-methods.js';

/** What the gateway needs to serve `schedules/*`, `triggers/*`, `events/*` and `POST /hooks/<hookId>`. */
export interface OperationsOptions {
  schedules: ScheduleService;
  triggers: TriggerService;
  intake: EventIntake;
  events: (universe: string) => SensorEventStore;
  /** Serves `POST /hooks/<hookId>`; without it the route answers 404. */
  hooks?: HookIngress;
  /** Serves `workflows/*` (goal-loop workflows). */
  workflows?: WorkflowService;
}

/** Drops null and undefined members (the wire's `nullish` fields) so the domain sees absent ones. */
function present<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== null && item !== undefined)) as never;
}

type WireTemplate = ParamsOf<'schedules/put'>['schedule']['task'];

function templateOf(task: WireTemplate): TaskTemplate {
  const { model, ...rest } = present(task);
  return { ...(rest as Omit<TaskTemplate, 'model'>), ...(model ? { model: model as ModelSelection } : {}) };
}

function scheduleInputOf(schedule: ParamsOf<'schedules/put'>['schedule']): ScheduleInput {
  const spec: ScheduleSpec =
    schedule.spec.kind === 'interval'
      ? { kind: 'interval', everyMs: schedule.spec.everyMs, ...(schedule.spec.anchorAtMs != null ? { anchorAt: schedule.spec.anchorAtMs } : {}) }
      : { kind: 'cron', expression: schedule.spec.expression, ...(schedule.spec.timezone != null ? { timezone: schedule.spec.timezone } : {}) };
  return {
    scheduleId: schedule.scheduleId,
    spec,
    task: templateOf(schedule.task),
    ...(schedule.catchUp ? { catchUp: present(schedule.catchUp) } : {}),
    ...(schedule.overlap != null ? { overlap: schedule.overlap } : {}),
    ...(schedule.description != null ? { description: schedule.description } : {}),
  };
}

function outcomeView(outcome: ScheduleOutcome) {
  return { atMs: outcome.at, fireAtMs: outcome.fireAt, result: outcome.result, manual: outcome.manual ?? null, taskId: outcome.taskId ?? null, error: outcome.error ?? null };
}

function specView(spec: ScheduleSpec) {
  return spec.kind === 'interval' ? { kind: 'interval' as const, everyMs: spec.everyMs, anchorAtMs: spec.anchorAt ?? null } : { kind: 'cron' as const, expression: spec.expression, timezone: spec.timezone ?? 'UTC' };
}

export function scheduleView(view: ScheduleView) {
  const { record } = view;
  const { definition, state } = record;
  return {
    scheduleId: definition.scheduleId,
    spec: specView(definition.spec),
    task: definition.task,
    catchUp: definition.catchUp,
    overlap: definition.overlap,
    description: definition.description ?? null,
    revision: record.revision,
    paused: state.paused,
    nextRunAtMs: state.paused ? null : state.nextAt,
    upcomingMs: view.upcoming,
    bufferedFireAtMs: state.bufferedAt ?? null,
    lastFireAtMs: state.lastFireAt ?? null,
    lastOutcome: state.lastOutcome ? outcomeView(state.lastOutcome) : null,
    lastTask: view.lastTask
      ? { taskId: view.lastTask.id, state: view.lastTask.state, attempts: view.lastTask.attempts, updatedAtMs: view.lastTask.updatedAt, finishedAtMs: view.lastTask.finishedAt ?? null }
      : null,
    counters: { fired: state.fired, missed: state.missed, skipped: state.skipped },
    createdAtMs: record.createdAt,
    updatedAtMs: record.updatedAt,
  };
}

export function triggerView(record: TriggerRecord) {
  const { definition } = record;
  return {
    triggerId: definition.triggerId,
    enabled: definition.enabled,
    match: { source: definition.match.source, type: definition.match.type ?? null, filter: definition.match.filter ?? null },
    task: definition.task ?? null,
    workflow: definition.workflow ?? null,
    webhook: definition.webhook ? { ...definition.webhook, typeField: definition.webhook.typeField ?? null } : null,
    hookPath: record.hookId ? `/hooks/${record.hookId}` : null,
    hasSecret: record.hasSecret,
    revision: record.revision,
    createdAtMs: record.createdAt,
    updatedAtMs: record.updatedAt,
  };
}

export function sensorEventView(event: SensorEvent) {
  return {
    eventId: event.id,
    source: event.source,
    type: event.type,
    externalId: event.externalId ?? null,
    dedupeKey: event.dedupeKey,
    subject: event.subject ?? null,
    payload: event.payload,
    rawRef: event.rawRef ?? null,
    receivedAtMs: event.receivedAt,
    dispatchedAtMs: event.dispatchedAt ?? null,
    firings: event.firings.map((firing) => ({ triggerId: firing.triggerId, taskId: firing.taskId ?? null, deduped: firing.deduped ?? null, workflow: firing.workflow ?? null, error: firing.error ?? null })),
  };
}

function triggerWorkflowOf(workflow: NonNullable<ParamsOf<'triggers/put'>['trigger']['workflow']>): TriggerWorkflow {
  const { advance, agents, input, ...rest } = present(workflow);
  return {
    ...rest,
    ...(input !== undefined ? { input: input as TaskJson } : {}),
    ...(agents ? { agents } : {}),
    ...(advance ? { advance: present(advance) as TriggerWorkflow['advance'] } : {}),
  };
}

function triggerInputOf(trigger: ParamsOf<'triggers/put'>['trigger']): TriggerInput {
  const { match, task, workflow, webhook, ...rest } = present(trigger);
  return {
    ...(rest as Pick<TriggerInput, 'triggerId' | 'enabled' | 'description'>),
    ...(task ? { task: templateOf(task) } : {}),
    ...(workflow ? { workflow: triggerWorkflowOf(workflow) } : {}),
    ...(match ? { match: present(match) as TriggerInput['match'] } : {}),
    ...(webhook ? { webhook: present(webhook) as TriggerInput['webhook'] } : {}),
  };
}

const page = (limit?: number | null, cursor?: string | null) => ({ ...(limit != null ? { limit } : {}), ...(cursor != null ? { cursor } : {}) });

/** schedules/*, triggers/*, events/*, workflows/* (Lightspeed extensions, issue 15). */
export function operationsMethods(ops: OperationsOptions): MethodHandlers {
  return {
    ...(ops.workflows ? workflowMethods(ops.workflows) : {}),
    'schedules/put': async ({ schedule, expectedRevision }, { universe }) => ({
      result: { schedule: scheduleView(await ops.schedules.put(universe, scheduleInputOf(schedule), expectedRevision ?? undefined)) },
    }),
    'schedules/read': async ({ scheduleId, preview }, { universe }) => ({ result: { schedule: scheduleView(await ops.schedules.read(universe, scheduleId, preview ?? 5)) } }),
    'schedules/list': async ({ limit, cursor }, { universe }) => {
      const listed = await ops.schedules.list(universe, page(limit, cursor));
      return { result: { schedules: listed.schedules.map(scheduleView), nextCursor: listed.nextCursor ?? null } };
    },
    'schedules/delete': async ({ scheduleId }, { universe }) => ({ result: { schedule: scheduleView({ record: await ops.schedules.delete(universe, scheduleId), upcoming: [] }) } }),
    'schedules/pause': async ({ scheduleId }, { universe }) => ({ result: { schedule: scheduleView(await ops.schedules.pause(universe, scheduleId)) } }),
    'schedules/resume': async ({ scheduleId }, { universe }) => ({ result: { schedule: scheduleView(await ops.schedules.resume(universe, scheduleId)) } }),
    'schedules/run': async ({ scheduleId }, { universe }) => {
      const { view, outcome } = await ops.schedules.run(universe, scheduleId);
      return { result: { schedule: scheduleView(view), outcome: outcomeView(outcome) } };
    },
    'triggers/put': async ({ trigger, secret, expectedRevision }, { universe }) => {
      const put = await ops.triggers.put(universe, triggerInputOf(trigger), { ...(secret != null ? { secret } : {}), ...(expectedRevision != null ? { expectedRevision } : {}) });
      return { result: { trigger: triggerView(put.record), secret: put.secret ?? null } };
    },
    'triggers/read': async ({ triggerId }, { universe }) => ({ result: { trigger: triggerView(await ops.triggers.read(universe, triggerId)) } }),
    'triggers/list': async ({ limit, cursor }, { universe }) => {
      const listed = await ops.triggers.list(universe, page(limit, cursor));
      return { result: { triggers: listed.triggers.map(triggerView), nextCursor: listed.nextCursor ?? null } };
    },
    'triggers/delete': async ({ triggerId }, { universe }) => ({ result: { trigger: triggerView(await ops.triggers.delete(universe, triggerId)) } }),
    'events/ingest': async (params, { universe }) => {
      const { payload, ...rest } = present(params);
      const { event, deduped } = await ops.intake.ingest(universe, { ...(rest as { source: string; type: string }), payload: (payload ?? null) as TaskJson });
      return { result: { event: sensorEventView(event), deduped } };
    },
    'events/list': async ({ source, type, limit, cursor }, { universe }) => {
      const listed = await ops.events(universe).list({ ...(source != null ? { source } : {}), ...(type != null ? { type } : {}), ...page(limit, cursor) });
      return { result: { events: listed.events.map(sensorEventView), nextCursor: listed.nextCursor ?? null } };
    },
    'events/read': async ({ eventId }, { universe }) => {
      const event = await ops.events(universe).get(eventId);
      if (!event) throw notFound(`event ${eventId} does not exist; list them with events/list`);
      return { result: { event: sensorEventView(event) } };
    },
  };
}
