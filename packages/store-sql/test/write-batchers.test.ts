import { describe, expect, it } from 'vitest';
import { isLightspeedError } from '@lightspeed/ports';
import { BACKENDS, freshUniverse, useBackend } from './backends.js';

// The write batchers behind storage.tasks(u).enqueue and storage.events(u).record/markDispatched:
// concurrent calls share statements, and every guarantee of one-at-a-time calls still holds.
describe.each(BACKENDS)('write batchers on %s', (name) => {
  const backend = useBackend(name);

  it('concurrent enqueues of one concurrency key get the fair tags one-at-a-time enqueues would; one dedupe key makes one task', async () => {
    const storage = backend.storage();
    const universe = freshUniverse();
    const queue = storage.tasks(universe);
    await queue.enqueue({ kind: 'k', agent: 'a', concurrencyKey: 'other' });
    const made = await Promise.all(Array.from({ length: 40 }, (_, i) => queue.enqueue({ kind: 'k', agent: 'a', concurrencyKey: 'burst', subject: `t${i}` })));
    expect(made.every((m) => !m.deduped)).toBe(true);
    const { rows } = await storage.driver.query<{ fair_tag: unknown }>(`SELECT fair_tag FROM ls_tasks WHERE universe = $1 AND concurrency_key = 'burst' ORDER BY fair_tag`, [universe]);
    const tags = rows.map((row) => Number(row.fair_tag));
    // Distinct and consecutive from the key's first tag, like 40 enqueues in a row.
    expect(tags).toEqual(Array.from({ length: 40 }, (_, i) => tags[0]! + i));
    const same = await Promise.all(Array.from({ length: 12 }, () => queue.enqueue({ kind: 'k', agent: 'a', concurrencyKey: 'burst', dedupeKey: 'once' })));
    expect(same.filter((m) => !m.deduped)).toHaveLength(1);
    expect(new Set(same.map((m) => m.task.id)).size).toBe(1);
    expect((await queue.list({ limit: 1000 })).tasks).toHaveLength(42);
  });

  it('concurrent records of one dedupe key make one event, each raw body stored in CAS with its event; dispatch marks keep their own firings', async () => {
    const storage = backend.storage();
    const universe = freshUniverse();
    const events = storage.events(universe);
    const raw = (n: number) => ({ bytes: new TextEncoder().encode(`{"n":${n}}`), mediaType: 'application/json' });
    const recorded = await Promise.all([
      ...Array.from({ length: 30 }, () => events.record({ source: 'hook:t', type: 'push', externalId: 'same', payload: { n: 0 }, raw: raw(0) })),
      ...Array.from({ length: 20 }, (_, i) => events.record({ source: 'hook:t', type: 'push', externalId: `d${i + 1}`, payload: { n: i + 1 }, raw: raw(i + 1) })),
    ]);
    const repeats = recorded.slice(0, 30);
    expect(repeats.filter((r) => !r.deduped)).toHaveLength(1);
    expect(new Set(repeats.map((r) => r.event.id)).size).toBe(1);
    expect(recorded.slice(30).every((r) => !r.deduped)).toBe(true);
    const { events: listed } = await events.list({ limit: 100 });
    expect(listed).toHaveLength(21);
    for (const event of listed) {
      expect(event.rawRef).toMatch(/^sha256:/);
      expect(new TextDecoder().decode(await storage.blobs(universe).get(event.rawRef!))).toBe(JSON.stringify(event.payload));
    }
    const marked = await Promise.all(listed.map((event, i) => events.markDispatched(event.id, [{ triggerId: `t${i}` }])));
    marked.forEach((event, i) => expect(event).toMatchObject({ id: listed[i]!.id, firings: [{ triggerId: `t${i}` }], dispatchedAt: expect.any(Number) }));
    expect(await events.undispatched(Number.MAX_SAFE_INTEGER, 100)).toEqual([]);
    await expect(events.markDispatched('evt_nope', [])).rejects.toSatisfy((e: unknown) => isLightspeedError(e, 'not_found'));
    await expect(events.record({ source: 's', type: 't', externalId: 'x', payload: null, raw: raw(1), rawRef: listed[0]!.rawRef! })).rejects.toSatisfy((e: unknown) => isLightspeedError(e, 'invalid'));
  });
});
