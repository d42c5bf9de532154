import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { MemorySource } from '@lightspeed/ports';
import type { Storage } from '@lightspeed/store-sql';
import { MemoryIngress, SecretBox, signDelivery, type BodyRead } from '../src/index.js';
import { freshUniverse, ManualClock, useStorage } from './backends.js';

const definitions = createRequire(import.meta.url)('@octokit/webhooks-examples') as { name: string; examples: unknown[] }[];
const box = SecretBox.fromKey(new Uint8Array(32).fill(3));
const bodyOf = (bytes: Uint8Array) => async (max: number): Promise<BodyRead> => (bytes.byteLength > max ? { ok: false, reason: 'too_large' } : { ok: true, bytes });
const enc = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

async function connect(storage: Storage, universe: string, sourceId: string, provider: MemorySource['provider'], secret: string, eventTypes: string[] = []): Promise<MemorySource> {
  return storage.memorySources(universe).put(sourceId, { provider, eventTypes, secret: { kind: 'sealed', sealed: box.seal(secret, { universe, sourceId }) } });
}

describe.each(['pglite', 'postgres'] as const)('memory sources and events on %s', (kind) => {
  const clock = new ManualClock();
  const storage = useStorage(kind, clock);
  const ingress = () =>
    new MemoryIngress({ directory: storage().memorySourceDirectory(), events: (u) => storage().memoryEvents(u), clock, box, env: { HOOK_SECRET: 'env-secret' }, maxBodyBytes: 2 * 1024 * 1024 });

  it('stores sources with their secret out of every read; put keeps the webhook id; delete removes', async () => {
    const u = freshUniverse();
    const created = await connect(storage(), u, 'gh', 'github', 'top-secret-value');
    expect(created).toMatchObject({ sourceId: 'gh', provider: 'github', secretKind: 'sealed', revision: 1, webhookId: expect.stringMatching(/^mw_/) });
    expect(JSON.stringify(created)).not.toMatch(/top-secret|v1\./);
    const updated = await storage().memorySources(u).put('gh', { provider: 'github', eventTypes: ['push'], secret: { kind: 'env', name: 'HOOK_SECRET' } }, { expectedRevision: 1 });
    expect(updated).toMatchObject({ revision: 2, webhookId: created.webhookId, secretKind: 'env', secretEnv: 'HOOK_SECRET', eventTypes: ['push'] });
    await expect(storage().memorySources(u).put('gh', { provider: 'github', eventTypes: [], secret: { kind: 'env', name: 'X' } }, { expectedRevision: 1 })).rejects.toMatchObject({ code: 'conflict', details: { actualRevision: 2 } });
    await expect(storage().memorySources(u).put('gh', { provider: 'github', eventTypes: [], secret: { kind: 'env', name: 'X' } }, { expectedRevision: 0 })).rejects.toMatchObject({ code: 'conflict' });
    expect((await storage().memorySources(u).list()).sources.map((s) => s.sourceId)).toEqual(['gh']);
    expect(await storage().memorySources(freshUniverse()).get('gh')).toBeUndefined();
    expect(await storage().memorySourceDirectory().resolve(created.webhookId)).toMatchObject({ universe: u, secret: { kind: 'env', name: 'HOOK_SECRET' } });
    expect(await storage().memorySources(u).delete('gh')).toBe(true);
    expect(await storage().memorySources(u).delete('gh')).toBe(false);
    expect(await storage().memorySourceDirectory().resolve(created.webhookId)).toBeUndefined();
  });

  it('20 concurrent redeliveries of one GitHub delivery make one event (202 once, 200 deduped after)', async () => {
    const u = freshUniverse();
    const source = await connect(storage(), u, 'gh', 'github', 'gh-secret');
    const example = definitions.find((d) => d.name === 'pull_request')!.examples[0];
    const body = enc(example);
    const headers = await signDelivery('github', 'gh-secret', body, { eventType: 'pull_request', deliveryId: 'delivery-1' });
    const answers = await Promise.all(Array.from({ length: 20 }, () => ingress().handle({ provider: 'github', webhookId: source.webhookId, headers, readBody: bodyOf(body) })));
    expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(19);
    expect(new Set(answers.map((a) => a.body.eventId)).size).toBe(1);
    for (const answer of answers) expect(JSON.stringify(answer)).not.toMatch(/gh-secret|sha256=/);
    const { events } = await storage().memoryEvents(u).list();
    expect(events).toHaveLength(1);
    const event = events[0]!;
    expect(event).toMatchObject({ provider: 'github', type: 'pull_request', action: 'opened', sourceId: 'gh', deliveryId: 'delivery-1', primary: { type: 'pr' } });
    expect(await storage().memoryEvents(u).get(event.eventId)).toEqual(event);
    // The raw delivery is in CAS, without the signature.
    const raw = JSON.parse(new TextDecoder().decode(await storage().blobs(u).get(event.rawRef!))) as { provider: string; headers: Record<string, string>; body: string };
    expect(raw.provider).toBe('github');
    expect(raw.headers['x-github-delivery']).toBe('delivery-1');
    expect(raw.headers['x-hub-signature-256']).toBeUndefined();
    expect(JSON.parse(raw.body)).toEqual(example);
    // The raw delivery is a GC root while its event exists; an unreferenced blob is swept.
    const loose = await storage().blobs(u).put(new TextEncoder().encode('unreferenced'));
    const report = await storage().gc({ graceMs: 0, universe: u, now: clock.now() + 1 });
    expect(report.swept.map((b) => b.ref)).toEqual([loose.ref]);
    expect(await storage().blobs(u).has(event.rawRef!)).toBe(true);
  });

  it('tampered body, wrong secret and stale Linear timestamp are 401 and store nothing; oversize is 413; unknown source 404', async () => {
    const u = freshUniverse();
    const gh = await connect(storage(), u, 'gh', 'github', 'gh-secret');
    const linear = await connect(storage(), u, 'lin', 'linear', 'lin-secret');
    const body = enc({ action: 'created', repository: { full_name: 'o/r' } });
    const headers = await signDelivery('github', 'gh-secret', body, { eventType: 'star', deliveryId: 'd' });
    const tampered = enc({ action: 'deleted', repository: { full_name: 'o/r' } });
    expect((await ingress().handle({ provider: 'github', webhookId: gh.webhookId, headers, readBody: bodyOf(tampered) })).status).toBe(401);
    const wrong = await signDelivery('github', 'not-the-secret', body, { eventType: 'star' });
    expect((await ingress().handle({ provider: 'github', webhookId: gh.webhookId, headers: wrong, readBody: bodyOf(body) })).status).toBe(401);
    const stale = enc({ type: 'Issue', action: 'create', webhookTimestamp: clock.now() - 61_000, data: { id: 'i' } });
    expect((await ingress().handle({ provider: 'linear', webhookId: linear.webhookId, headers: await signDelivery('linear', 'lin-secret', stale), readBody: bodyOf(stale) })).status).toBe(401);
    const huge = new Uint8Array(2 * 1024 * 1024 + 1);
    expect((await ingress().handle({ provider: 'github', webhookId: gh.webhookId, headers, readBody: bodyOf(huge) })).status).toBe(413);
    expect((await ingress().handle({ provider: 'linear', webhookId: gh.webhookId, headers, readBody: bodyOf(body) })).status).toBe(404);
    expect((await ingress().handle({ provider: 'github', webhookId: 'mw_nope', headers, readBody: bodyOf(body) })).status).toBe(404);
    expect((await storage().memoryEvents(u).list()).events).toHaveLength(0);
    // A fresh Linear delivery verifies and lands as a canonical Issue event.
    const fresh = enc({ type: 'Issue', action: 'create', webhookTimestamp: clock.now(), createdAt: '2026-06-01T00:00:00.000Z', data: { id: 'i', title: 'Broken login' } });
    const ok = await ingress().handle({ provider: 'linear', webhookId: linear.webhookId, headers: await signDelivery('linear', 'lin-secret', fresh, { deliveryId: 'ld-1' }), readBody: bodyOf(fresh) });
    expect(ok.status).toBe(202);
    expect((await storage().memoryEvents(u).list({ provider: 'linear' })).events[0]).toMatchObject({ type: 'Issue', action: 'create', title: 'Issue create: Broken login', primary: { type: 'issue', key: 'linear:issue:i' } });
  });

  it('env-referenced secrets verify; event types outside the source filter are acknowledged and not stored', async () => {
    const u = freshUniverse();
    const source = await storage().memorySources(u).put('gh', { provider: 'github', eventTypes: ['push'], secret: { kind: 'env', name: 'HOOK_SECRET' } });
    const body = enc({ action: 'created', repository: { full_name: 'o/r' } });
    const answer = await ingress().handle({ provider: 'github', webhookId: source.webhookId, headers: await signDelivery('github', 'env-secret', body, { eventType: 'star' }), readBody: bodyOf(body) });
    expect(answer).toMatchObject({ status: 200, body: { ignored: true } });
    expect((await storage().memoryEvents(u).list()).events).toHaveLength(0);
  });

  it('every @octokit/webhooks-examples body goes through verify → transform → store; a universe sees only its own events', async () => {
    const u = freshUniverse();
    const other = freshUniverse();
    const source = await connect(storage(), u, 'gh', 'github', 'gh-secret');
    let delivered = 0;
    let created = 0;
    for (const definition of definitions) {
      for (const [i, example] of definition.examples.entries()) {
        const body = enc(example);
        const headers = await signDelivery('github', 'gh-secret', body, { eventType: definition.name, deliveryId: `${definition.name}-${i}` });
        const answer = await ingress().handle({ provider: 'github', webhookId: source.webhookId, headers, readBody: bodyOf(body) });
        expect([200, 202], `${definition.name}[${i}]: ${JSON.stringify(answer.body)}`).toContain(answer.status);
        delivered += 1;
        if (answer.status === 202) created += 1;
      }
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await storage().memoryEvents(u).list({ limit: 100, ...(cursor ? { cursor } : {}) });
      seen.push(...page.events.map((e) => e.eventId));
      cursor = page.nextCursor;
    } while (cursor);
    // Some examples are variants of one fact (same object, action and update time, other org or
    // installation fields): those dedupe, so the events are the 202s, one each.
    expect(delivered).toBe(definitions.reduce((n, d) => n + d.examples.length, 0));
    expect(seen.length).toBe(created);
    expect(created).toBeGreaterThan(delivered * 0.8);
    expect(new Set(seen).size).toBe(seen.length);
    const significant = await storage().memoryEvents(u).list({ minSignificance: 40, limit: 1000 });
    expect(significant.events.every((e) => e.significance >= 40)).toBe(true);
    expect((await storage().memoryEvents(u).list({ type: 'push', limit: 1000 })).events.every((e) => e.type === 'push')).toBe(true);
    expect((await storage().memoryEvents(other).list()).events).toHaveLength(0);
    expect(await storage().memoryEvents(other).get(seen[0]!)).toBeUndefined();

    // The entity filter: an entity's events are those naming it as primary or related, none else.
    const all = (await storage().memoryEvents(u).list({ limit: 1000 })).events;
    const names = (e: (typeof all)[number], type: string, key: string) => (e.primary?.type === type && e.primary.key === key) || e.related.some((r) => r.type === type && r.key === key);
    const withPrimary = all.find((e) => e.primary !== undefined)!;
    const related = all.flatMap((e) => e.related).find((r) => r.type === 'repo' || r.relation === 'repository') ?? all.flatMap((e) => e.related)[0]!;
    for (const entity of [withPrimary.primary!, { type: related.type, key: related.key }]) {
      const listed = await storage().memoryEvents(u).list({ entity, limit: 1000 });
      const expected = all.filter((e) => names(e, entity.type, entity.key)).map((e) => e.eventId);
      expect(expected.length).toBeGreaterThan(0);
      expect(listed.events.map((e) => e.eventId)).toEqual(expected);
    }
    expect((await storage().memoryEvents(u).list({ entity: { type: 'issue', key: 'no/such#0' } })).events).toHaveLength(0);
  });
});
