import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperations } from '@lightspeed/schedules';
import { openStorage, type Storage } from '@lightspeed/store-sql';
import { createMemory, SecretBox, signDelivery, type BodyRead } from '../src/index.js';

const bodyOf = (bytes: Uint8Array) => async (): Promise<BodyRead> => ({ ok: true, bytes });

describe('memory events are sensor events: a trigger rule acts on them without glue', () => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await openStorage({ kind: 'pglite', dataDir: 'memory://' });
  });
  afterAll(async () => {
    await storage?.close();
  });

  it('"a Sentry issue with significance ≥ 70 → a triage task for agent X"; a redelivery makes no second task', async () => {
    const ops = createOperations(storage, { owner: 'test' });
    const memory = createMemory(storage, { box: SecretBox.fromKey(new Uint8Array(32).fill(9)), sensors: ops.intake });
    const u = 'u-sensor-bridge';
    await ops.triggers.put(u, { triggerId: 'triage', match: { source: 'memory:sentry', filter: { band: 'high' } }, task: { kind: 'sentry.triage', agent: 'x', subject: '{{event.payload.title}}', payload: { eventId: '{{event.payload.eventId}}' } } });
    const { source } = await memory.sources.put(u, { sourceId: 'sentry', provider: 'sentry', secret: 'client-secret' });
    const deliver = async (file: string, requestId: string) => {
      const bytes = new Uint8Array(readFileSync(new URL(`./fixtures/${file}`, import.meta.url)));
      const headers = await signDelivery('sentry', 'client-secret', bytes, { eventType: file.includes('metric') ? 'metric_alert' : 'issue', deliveryId: requestId });
      return memory.ingress.handle({ provider: 'sentry', webhookId: source.webhookId, headers, readBody: bodyOf(bytes) });
    };
    // A new Sentry issue scores 50 (medium): recorded, no task.
    expect((await deliver('sentry-issue-created.json', 'r1')).status).toBe(202);
    // A critical metric alert scores 55: medium too.
    const metric = await deliver('sentry-metric-alert-critical.json', 'r2');
    expect(metric.body.significance).toBeLessThan(70);
    expect((await storage.tasks(u).list({})).tasks).toHaveLength(0);
    // An outage issue crosses 70: one task, once, however often Sentry redelivers.
    const outage = new TextEncoder().encode(
      JSON.stringify({ action: 'created', data: { issue: { id: '42', shortId: 'APP-9', title: 'Outage: checkout returns 500', level: 'fatal', status: 'unresolved', firstSeen: '2026-06-01T09:00:00Z', project: { slug: 'app' } } } }),
    );
    const headers = await signDelivery('sentry', 'client-secret', outage, { eventType: 'issue', deliveryId: 'r3' });
    const answers = await Promise.all([1, 2, 3].map(() => memory.ingress.handle({ provider: 'sentry', webhookId: source.webhookId, headers, readBody: bodyOf(outage) })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 202]);
    const { tasks } = await storage.tasks(u).list({});
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ kind: 'sentry.triage', agent: 'x', subject: 'Sentry APP-9 created: Outage: checkout returns 500', payload: { eventId: answers.find((a) => a.status === 202)!.body.eventId } });
    const sensor = (await storage.events(u).list({ source: 'memory:sentry' })).events;
    expect(sensor.map((e) => e.type).sort()).toEqual(['issue.created', 'issue.created', 'metric_alert.critical']);
  });
});
