import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import type { Storage } from '@lightspeed/store-sql';
import { EventIntake, HookIngress, signDelivery, TriggerService, type BodyRead } from '../src/index.js';
import { freshUniverse, ManualClock, useSqlBackend } from './sql-backend.js';

function parts(storage: Storage, clock: ManualClock, rate?: { ratePerSecond: number; burst: number }) {
  const intake = new EventIntake({ events: (u) => storage.events(u), triggers: (u) => storage.triggers(u), tasks: (u) => storage.tasks(u), clock });
  const ingress = new HookIngress({ hooks: storage.hooks(), intake, clock, ...(rate ?? {}) });
  return { intake, ingress, triggers: new TriggerService((u) => storage.triggers(u)) };
}

const bodyOf = (bytes: Uint8Array) => async (max: number): Promise<BodyRead> => (bytes.byteLength > max ? { ok: false, reason: 'too_large' } : { ok: true, bytes });

describe.each(['pglite', 'postgres'] as const)('triggers and sensor events on %s', (kind) => {
  const backend = useSqlBackend(kind);

  it('the same Standard Webhooks delivery 50 times concurrently makes one event and one task', async () => {
    const clock = new ManualClock(Date.now());
    const storage = await backend.open(clock);
    const { ingress, triggers } = parts(storage, clock, { ratePerSecond: 1000, burst: 1000 });
    const u = freshUniverse();
    const { record, secret } = await triggers.put(u, {
      triggerId: 'deploys',
      match: { filter: { 'data.environment': ['production', 'staging'] } },
      task: { kind: 'deploy.review', agent: 'reviewer', subject: 'deploy {{event.payload.data.sha}}', payload: { sha: '{{event.payload.data.sha}}', env: '{{event.payload.data.environment}}' } },
      webhook: { scheme: 'standard-webhooks' },
    });
    expect(secret).toMatch(/^whsec_/);
    expect(record).toMatchObject({ hasSecret: true, hookId: expect.stringMatching(/^hk_/) });
    const body = Buffer.from(JSON.stringify({ type: 'deploy.finished', data: { sha: 'abc123', environment: 'production' } }));
    // Signed by the reference package, as a sender would.
    const headers = { 'webhook-id': 'msg_2x', 'webhook-timestamp': String(Math.floor(clock.t / 1000)), 'webhook-signature': new Webhook(secret!).sign('msg_2x', new Date(Math.floor(clock.t / 1000) * 1000), body) };
    const answers = await Promise.all(Array.from({ length: 50 }, () => ingress.handle(record.hookId!, headers, bodyOf(body))));
    expect(answers.filter((a) => a.status === 202).length).toBe(1);
    expect(answers.filter((a) => a.status === 200).length).toBe(49);
    expect(new Set(answers.map((a) => a.body.eventId)).size).toBe(1);
    const { events } = await storage.events(u).list();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ source: 'hook:deploys', type: 'deploy.finished', externalId: 'msg_2x', firings: [{ triggerId: 'deploys' }] });
    expect(await storage.blobs(u).get(events[0]!.rawRef!)).toEqual(new Uint8Array(body));
    const { tasks } = await storage.tasks(u).list();
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ kind: 'deploy.review', agent: 'reviewer', subject: 'deploy abc123', payload: { sha: 'abc123', env: 'production' }, source: 'trigger:deploys' });
  });

  it('refuses bad, expired and unsigned deliveries (401), an oversized body (413), and answers 429 with Retry-After over the rate', async () => {
    const clock = new ManualClock(Date.now());
    const storage = await backend.open(clock);
    const { ingress, triggers } = parts(storage, clock, { ratePerSecond: 2, burst: 6 });
    const u = freshUniverse();
    const secret = 'an-hmac-secret-of-enough-length';
    const { record } = await triggers.put(u, { triggerId: 'generic', task: { kind: 'hook.seen', agent: 'triage' }, webhook: { scheme: 'hmac-sha256', maxBodyBytes: 1024 } }, { secret });
    const hook = record.hookId!;
    const body = Buffer.from('{"type":"ping"}');
    const signed = signDelivery({ scheme: 'hmac-sha256' }, secret, body, new Date(clock.t), 'd-1');
    const forged = signDelivery({ scheme: 'hmac-sha256' }, 'not-the-secret-at-all-000', body, new Date(clock.t), 'd-1');
    const stale = signDelivery({ scheme: 'hmac-sha256' }, secret, body, new Date(clock.t - 6 * 60_000), 'd-1');
    expect((await ingress.handle(hook, forged, bodyOf(body))).body).toMatchObject({ error: { kind: 'bad_signature' } });
    expect((await ingress.handle(hook, stale, bodyOf(body))).body).toMatchObject({ error: { kind: 'expired' } });
    expect((await ingress.handle(hook, {}, bodyOf(body))).status).toBe(401);
    const tampered = Buffer.from('{"type":"pong"}');
    expect((await ingress.handle(hook, signed, bodyOf(tampered))).status).toBe(401);
    expect((await ingress.handle(hook, signed, bodyOf(Buffer.alloc(2048, 32)))).status).toBe(413);
    expect((await ingress.handle('hk_nothing-here', signed, bodyOf(body))).status).toBe(404);
    expect((await ingress.handle(hook, signed, bodyOf(body))).status).toBe(202);
    const limited = await ingress.handle(hook, signed, bodyOf(body));
    expect(limited).toMatchObject({ status: 429, headers: { 'retry-after': '1' } });
    clock.advance(1_000);
    expect((await ingress.handle(hook, signed, bodyOf(body))).status).toBe(200); // a replay inside the window: deduped
    expect((await storage.tasks(u).list()).tasks).toHaveLength(1);
  });

  it('events/ingest records once per dedupe key, runs matching triggers only, and repairs an interrupted dispatch', async () => {
    const clock = new ManualClock();
    const storage = await backend.open(clock);
    const { intake, triggers } = parts(storage, clock);
    const u = freshUniverse();
    await triggers.put(u, { triggerId: 'bugs', match: { source: 'tracker', type: 'issue.opened', filter: { 'issue.labels.0': 'bug' } }, task: { kind: 'bug.triage', agent: 'triage', payload: { number: '{{event.payload.issue.number}}', title: 'Bug: {{event.payload.issue.title}}' } } });
    await triggers.put(u, { triggerId: 'off', enabled: false, match: { source: 'tracker' }, task: { kind: 'never', agent: 'nobody' } });
    const bug = { source: 'tracker', type: 'issue.opened', externalId: '41', payload: { issue: { number: 41, title: 'crash', labels: ['bug'] } } };
    const first = await intake.ingest(u, bug);
    expect(first).toMatchObject({ deduped: false, event: { dedupeKey: 'tracker:41', firings: [{ triggerId: 'bugs' }] } });
    const again = await intake.ingest(u, { ...bug, payload: { changed: true } });
    expect(again).toMatchObject({ deduped: true, event: { id: first.event.id, payload: bug.payload } });
    await intake.ingest(u, { source: 'tracker', type: 'issue.opened', externalId: '42', payload: { issue: { number: 42, labels: ['question'] } } });
    const { tasks } = await storage.tasks(u).list();
    expect(tasks.map((t) => t.payload)).toEqual([{ number: 41, title: 'Bug: crash' }]);

    // A process that recorded an event and died before its triggers ran: the sweep (or a late repeat) finishes it.
    const { event } = await storage.events(u).record({ source: 'tracker', type: 'issue.opened', externalId: '43', payload: { issue: { number: 43, title: 'hang', labels: ['bug'] } } });
    expect(await intake.repair(u)).toBe(0); // too fresh: its own delivery may still be dispatching
    clock.advance(31_000);
    expect(await intake.repair(u)).toBe(1);
    expect((await storage.events(u).get(event.id))?.dispatchedAt).toBe(clock.t);
    expect((await storage.tasks(u).list()).tasks).toHaveLength(2);
    expect(await intake.repair(u)).toBe(0);
  });
});

describe.each(['pglite', 'postgres'] as const)('trigger revisions on %s', (kind) => {
  const backend = useSqlBackend(kind);

  it('an edit guarded by the current revision replaces the trigger; a stale or missing one is a conflict and creates nothing', async () => {
    const clock = new ManualClock(Date.now());
    const storage = await backend.open(clock);
    const { triggers } = parts(storage, clock);
    const u = freshUniverse();
    const input = (subject: string) => ({ triggerId: 'deploys', match: { source: 'hook:deploys' }, task: { kind: 'deploy.review', agent: 'reviewer', subject } });
    expect((await triggers.put(u, input('one'), { expectedRevision: 0 })).record.revision).toBe(1);
    const edited = await triggers.put(u, input('two'), { expectedRevision: 1 });
    expect(edited.record).toMatchObject({ revision: 2, definition: { task: { subject: 'two' } } });
    await expect(triggers.put(u, input('three'), { expectedRevision: 1 })).rejects.toMatchObject({ code: 'conflict', details: { expectedRevision: 1, actualRevision: 2 } });
    await expect(triggers.put(u, { ...input('x'), triggerId: 'never-made' }, { expectedRevision: 2 })).rejects.toMatchObject({ code: 'conflict', details: { actualRevision: 0 } });
    expect(await storage.triggers(u).get('never-made')).toBeUndefined();
  });
});
