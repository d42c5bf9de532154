import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperations, type Operations } from '@lightspeed/schedules';
import { openStorage, type Storage } from '@lightspeed/store-sql';
import type { Hono } from 'hono';
import { singleUserAuth } from '../src/auth/gateway-auth.js';
import { createRpcGateway } from '../src/gateway/rpc-gateway.js';
import { operationsMethods } from '../src/handlers/operations-methods.js';
import { inProcessRpc } from './support/in-process-rpc.js';

class ManualClock {
  constructor(public t = Date.now()) {}
  now() {
    return this.t;
  }
}

describe('schedules/*, triggers/*, events/* and POST /hooks through the gateway', () => {
  const clock = new ManualClock();
  let storage: Storage;
  let ops: Operations;
  let app: Hono;

  beforeAll(async () => {
    storage = await openStorage({ kind: 'pglite', dataDir: 'memory://' }, { clock });
    ops = createOperations(storage, { clock, owner: 'test' });
    app = createRpcGateway({ auth: singleUserAuth(), handlers: operationsMethods(ops), hooks: ops.hooks, options: { onInternalError: (error) => console.error(error) } });
  });
  afterAll(async () => {
    await storage?.close();
  });

  const { rpc, call } = inProcessRpc(() => app);

  it('puts, previews, pauses, resumes, runs and deletes a schedule; refuses a bad one naming the field', async () => {
    const put = await call('schedules/put', {
      schedule: { scheduleId: 'weekday-9', spec: { kind: 'cron', expression: '0 9 * * 1-5', timezone: 'Europe/Berlin' }, task: { kind: 'standup.notes', agent: 'scribe', payload: { day: '{{fire.iso}}' } } },
    });
    expect(put.schedule).toMatchObject({ scheduleId: 'weekday-9', revision: 1, paused: false, overlap: 'skip', catchUp: { policy: 'coalesce' }, counters: { fired: 0, missed: 0, skipped: 0 } });
    expect(put.schedule.upcomingMs).toHaveLength(5);
    expect((await call('schedules/read', { scheduleId: 'weekday-9', preview: 10 })).schedule.upcomingMs).toHaveLength(10);
    expect((await call('schedules/pause', { scheduleId: 'weekday-9' })).schedule).toMatchObject({ paused: true, nextRunAtMs: null, upcomingMs: [] });
    expect((await call('schedules/resume', { scheduleId: 'weekday-9' })).schedule.paused).toBe(false);
    const run = await call('schedules/run', { scheduleId: 'weekday-9' });
    expect(run.outcome).toMatchObject({ result: 'enqueued', manual: true });
    expect(run.schedule).toMatchObject({ counters: { fired: 1 }, lastTask: { state: 'queued' }, nextRunAtMs: put.schedule.nextRunAtMs });
    expect((await call('schedules/list', {})).schedules.map((s: any) => s.scheduleId)).toEqual(['weekday-9']);
    const bad = await rpc('schedules/put', { schedule: { scheduleId: 'x', spec: { kind: 'cron', expression: '0 25 * * *' }, task: { kind: 'k', agent: 'a' } } });
    expect(bad.error.data.kind).toBe('invalid_request');
    expect(bad.error.message).toMatch(/spec\.expression/);
    expect((await rpc('schedules/put', { schedule: { scheduleId: 'y', spec: { kind: 'interval', everyMs: 60_000 }, task: { kind: 'k', agent: 'a' }, jitterMs: 5 } })).error.message).toMatch(/jitterMs/);
    expect((await call('schedules/delete', { scheduleId: 'weekday-9' })).schedule.scheduleId).toBe('weekday-9');
    expect((await rpc('schedules/read', { scheduleId: 'weekday-9' })).error.data.kind).toBe('not_found');
  });

  it('records events once through events/ingest and takes signed webhooks at POST /hooks/<hookId> (202, 200 deduped, 401, 413)', async () => {
    const secret = 'a-shared-hmac-secret-1234';
    const { trigger, secret: shown } = await call('triggers/put', { trigger: { triggerId: 'alerts', task: { kind: 'alert.triage', agent: 'oncall', payload: { alert: '{{event.payload.name}}' } }, webhook: { scheme: 'hmac-sha256', maxBodyBytes: 512 } }, secret });
    expect(shown).toBeNull();
    expect(trigger).toMatchObject({ hasSecret: true, match: { source: 'hook:alerts' }, hookPath: expect.stringMatching(/^\/hooks\/hk_/) });
    expect(JSON.stringify(await call('triggers/read', { triggerId: 'alerts' }))).not.toContain(secret);

    const body = JSON.stringify({ type: 'alert.fired', name: 'disk full' });
    const stamp = String(Math.floor(clock.t / 1000));
    const signature = `sha256=${createHmac('sha256', secret).update(`${stamp}.${body}`).digest('hex')}`;
    const post = (payload: string, sig = signature) => app.request(trigger.hookPath, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature-timestamp': stamp, 'x-signature-256': sig, 'x-delivery-id': 'al-1' }, body: payload });
    const first = await post(body);
    expect(first.status).toBe(202);
    const accepted = (await first.json()) as { eventId: string; tasks: string[] };
    expect(accepted).toMatchObject({ deduped: false, tasks: [expect.any(String)] });
    const again = await post(body);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ deduped: true, eventId: accepted.eventId });
    expect((await post(body, 'sha256=' + '0'.repeat(64))).status).toBe(401);
    expect((await post(JSON.stringify({ pad: 'x'.repeat(600) }))).status).toBe(413);

    const event = (await call('events/read', { eventId: accepted.eventId })).event;
    expect(event).toMatchObject({ source: 'hook:alerts', type: 'alert.fired', externalId: 'al-1', rawRef: expect.stringMatching(/^sha256:/), firings: [{ triggerId: 'alerts', taskId: accepted.tasks[0] }] });

    await call('triggers/put', { trigger: { triggerId: 'ci', match: { source: 'ci', type: 'build.failed' }, task: { kind: 'build.fix', agent: 'fixer', subject: '{{event.payload.repo}}' } } });
    const ingest = { source: 'ci', type: 'build.failed', externalId: 'b-7', payload: { repo: 'acme/api' } };
    const recorded = await call('events/ingest', ingest);
    expect(recorded).toMatchObject({ deduped: false, event: { firings: [{ triggerId: 'ci' }] } });
    expect(await call('events/ingest', ingest)).toMatchObject({ deduped: true, event: { eventId: recorded.event.eventId } });
    expect((await call('events/list', { source: 'ci' })).events).toHaveLength(1);
    const task = await storage.tasks('local').get(recorded.event.firings[0].taskId);
    expect(task).toMatchObject({ kind: 'build.fix', subject: 'acme/api', source: 'trigger:ci' });
  });
  it('workflows/*: lists the goal-loop template, creates idempotently, shows each step as a task, advances and cancels', async () => {
    const templates = (await call('workflows/templates/list', {})).templates;
    expect(templates.map((t: any) => t.templateId)).toContain('goal-loop');
    expect(templates.find((t: any) => t.templateId === 'goal-loop')).toMatchObject({ initial: 'plan', maxIterations: 3, states: { verify: { on: { succeeded: '@succeeded', blocked: 'plan' } } } });
    const created = await call('workflows/create', { templateId: 'goal-loop', instanceKey: 'api-1', input: { goal: 'ship it' }, agents: { verify: 'qa' } });
    expect(created).toMatchObject({ created: true, workflow: { status: 'running', state: 'plan', iteration: 1, maxIterations: 3, steps: [{ state: 'plan', outcome: null }] } });
    expect((await call('workflows/create', { templateId: 'goal-loop', instanceKey: 'api-1' })).created).toBe(false);
    expect(await storage.tasks('local').get(created.workflow.currentTaskId)).toMatchObject({ agent: 'planner', source: 'workflow:api-1', state: 'queued' });
    const moved = await call('workflows/advance', { instanceKey: 'api-1', outcome: 'succeeded', note: 'planned by hand' });
    expect(moved.workflow).toMatchObject({ state: 'execute', history: [{ to: 'plan' }, { from: 'plan', to: 'execute', outcome: 'succeeded', by: 'operator', note: 'planned by hand' }] });
    expect((await call('workflows/list', { status: 'running' })).workflows.map((w: any) => w.instanceKey)).toEqual(['api-1']);
    const cancelled = await call('workflows/cancel', { instanceKey: 'api-1', reason: 'demo over' });
    expect(cancelled.workflow).toMatchObject({ status: 'cancelled', reason: 'demo over' });
    expect((await rpc('workflows/advance', { instanceKey: 'api-1', to: 'plan' })).error.message).toMatch(/cancelled/);
    expect((await rpc('workflows/read', { instanceKey: 'nope' })).error.message).toMatch(/does not exist/);
  });
});
