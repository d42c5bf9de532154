import { describe, expect, it } from 'vitest';
import { SecretBox, signDelivery, type BodyRead } from '../src/index.js';
import { createMemory } from '../src/memory-service.js';
import { freshUniverse, ManualClock, useStorage } from './backends.js';

/*
 * Group commit (sql-memory-event-writer.ts): concurrent deliveries of a universe share one
 * transaction. One that the database refuses must fail alone — answered with an error, never 202 —
 * and the others of its batch must be stored whole, graph included.
 */

const box = SecretBox.fromKey(new Uint8Array(32).fill(9));

/** A GitHub issue opened; `title` lands in the event row and the issue entity. */
function issueOpened(n: number, title: string): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      action: 'opened',
      issue: { number: n, title, body: `see #${n + 100}`, state: 'open', user: { login: 'octocat' }, created_at: '2026-06-01T00:00:00Z', updated_at: `2026-06-01T00:00:${String(n % 60).padStart(2, '0')}Z` },
      repository: { full_name: 'octo/app', name: 'app', owner: { login: 'octo' } },
      sender: { login: 'octocat' },
    }),
  );
}

describe.each(['pglite', 'postgres'] as const)('a batch of memory events on %s', (kind) => {
  const clock = new ManualClock();
  const storage = useStorage(kind, clock);

  it('an event the database refuses (a NUL in its title) fails alone; the rest of its batch is stored with its graph', async () => {
    const u = freshUniverse();
    const memory = createMemory(storage(), { box, clock, ratePerSecond: 1_000_000 });
    await memory.sources.put(u, { sourceId: 'gh', provider: 'github', secret: 's3cret' });
    const { webhookId } = await memory.sources.read(u, 'gh');
    // PostgreSQL text cannot hold U+0000: the row insert fails inside the shared transaction.
    const titles = Array.from({ length: 12 }, (_, i) => (i === 5 ? 'broken \u0000 title' : `issue ${i + 1}`));
    const deliveries = await Promise.all(
      titles.map(async (title, i) => {
        const body = issueOpened(i + 1, title);
        return { body, headers: await signDelivery('github', 's3cret', body, { eventType: 'issues', deliveryId: `d-${i}` }) };
      }),
    );
    // All at once: the first goes out alone, the others gather into the next transaction.
    const answers = await Promise.allSettled(deliveries.map(({ body, headers }) => memory.ingress.handle({ provider: 'github', webhookId, headers, readBody: async (): Promise<BodyRead> => ({ ok: true, bytes: body }) })));
    const broken = answers[5]!;
    expect(broken.status === 'rejected' || broken.value.status !== 202).toBe(true);
    const accepted = answers.filter((a, i) => i !== 5 && a.status === 'fulfilled' && a.value.status === 202);
    expect(accepted).toHaveLength(11);

    const { events } = await memory.events(u).list({ limit: 100 });
    expect(events.map((e) => e.title).sort()).toEqual(titles.flatMap((title, i) => (i === 5 ? [] : [`Issue #${i + 1} opened: ${title}`])).sort());
    for (const event of events) expect(event.rawRef).toMatch(/^sha256:/);
    // Each stored event's graph is whole: its issue, the author edge and the text reference, with the event as evidence.
    for (const i of titles.keys()) {
      const issue = await memory.graph(u).neighbours({ type: 'issue', key: `github:octo/app#${i + 1}` });
      if (i === 5) {
        expect(issue).toBeUndefined();
        continue;
      }
      const event = events.find((e) => e.primary?.key === `github:octo/app#${i + 1}`)!;
      expect(issue!.root).toMatchObject({ title: event.title, eventCount: 1 });
      const references = issue!.edges.find((e) => e.type === 'references');
      expect(references).toMatchObject({ to: { type: 'issue', key: `github:octo/app#${i + 101}` }, evidence: [event.eventId] });
      expect(issue!.edges.find((e) => e.type === 'authored_by')).toMatchObject({ to: { type: 'person', key: 'github:octocat' }, evidence: [event.eventId] });
    }
    const author = await memory.graph(u).entity({ type: 'person', key: 'github:octocat' });
    expect(author?.eventCount).toBe(11);

    // The refused delivery, fixed and sent again, is stored; a repeat of a stored one is deduped.
    const fixed = issueOpened(6, 'issue 6');
    const again = await memory.ingress.handle({ provider: 'github', webhookId, headers: await signDelivery('github', 's3cret', fixed, { eventType: 'issues', deliveryId: 'd-5b' }), readBody: async () => ({ ok: true, bytes: fixed }) });
    expect(again.status).toBe(202);
    const repeat = await memory.ingress.handle({ provider: 'github', webhookId, headers: deliveries[0]!.headers, readBody: async () => ({ ok: true, bytes: deliveries[0]!.body }) });
    expect(repeat.status).toBe(200);
    expect((await memory.events(u).list({ limit: 100 })).events).toHaveLength(12);
  });
});
