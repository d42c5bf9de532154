// Task events: one per transition, published by every queue the storage hands out; on PostgreSQL
// a second Storage on the same database (another process's) sees them too.
import { describe, expect, it } from 'vitest';
import type { TaskEvent } from '@lightspeed/ports';
import { taskEventPayload, MAX_NOTIFY_BYTES } from '../src/index.js';
import { BACKENDS, freshUniverse, useBackend } from './backends.js';

async function until(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.each(BACKENDS)('task events on %s', (name) => {
  const backend = useBackend(name);

  it('publishes one event per transition, in order, for the universe only', async () => {
    const storage = backend.storage();
    const universe = freshUniverse();
    const seen: TaskEvent[] = [];
    const others: TaskEvent[] = [];
    await storage.taskEvents.ready();
    const stop = storage.taskEvents.subscribe(universe, (event) => seen.push(event));
    const stopOthers = storage.taskEvents.subscribe(freshUniverse(), (event) => others.push(event));
    const queue = storage.tasks(universe);
    const { task } = await queue.enqueue({ kind: 'k', agent: 'a', payload: { big: 'x'.repeat(100) }, maxAttempts: 2, backoff: { initialDelayMs: 0, jitter: 0 } });
    expect((await queue.enqueue({ kind: 'k', agent: 'b', dedupeKey: 'd' })).deduped).toBe(false);
    expect((await queue.enqueue({ kind: 'k', agent: 'b', dedupeKey: 'd' })).deduped).toBe(true);
    let [claim] = await queue.claim({ dispatcher: 'd1', limit: 1, agents: ['a'] });
    expect(claim!.task.id).toBe(task.id);
    await queue.fail(claim!.lease, { errorClass: 'server', error: 'boom', retryable: true });
    [claim] = await queue.claim({ dispatcher: 'd1', limit: 1, agents: ['a'] });
    await queue.block(claim!.lease, { reason: 'missing /workspace/out.md' });
    await queue.retry(task.id);
    [claim] = await queue.claim({ dispatcher: 'd1', limit: 1, agents: ['a'] });
    await queue.cancel(task.id);
    await queue.cancelled(claim!.lease);
    await until(() => seen.length === 10, '10 events');
    stop();
    stopOthers();
    expect(seen.map((e) => [e.type, e.task.state, e.attempt ?? null])).toEqual([
      ['created', 'queued', null],
      ['created', 'queued', null],
      ['claimed', 'running', 1],
      ['rescheduled', 'queued', 1],
      ['claimed', 'running', 2],
      ['blocked', 'blocked', 2],
      ['retried', 'queued', null],
      ['claimed', 'running', 3],
      ['cancel_requested', 'running', null],
      ['cancelled', 'cancelled', 3],
    ]);
    // The payload never travels with an event.
    expect(JSON.stringify(seen)).not.toContain('xxxx');
    expect(seen[3]!.task.lastError).toEqual({ class: 'server', message: 'boom' });
    expect(others).toEqual([]);
  });

  it('publishes the final cancelled event and nothing for a refused transition', async () => {
    const storage = backend.storage();
    const universe = freshUniverse();
    const seen: TaskEvent[] = [];
    await storage.taskEvents.ready();
    const stop = storage.taskEvents.subscribe(universe, (event) => seen.push(event));
    const queue = storage.tasks(universe);
    const { task } = await queue.enqueue({ kind: 'k', agent: 'a' });
    await queue.cancel(task.id);
    await expect(queue.cancel(task.id)).rejects.toMatchObject({ code: 'conflict' });
    await until(() => seen.length >= 2, '2 events');
    await new Promise((resolve) => setTimeout(resolve, 100));
    stop();
    expect(seen.map((e) => e.type)).toEqual(['created', 'cancelled']);
    expect(seen[1]!.at).toBe(seen[1]!.task.updatedAt);
  });

  if (name === 'postgres') {
    it('reaches a Storage of another process on the same database', async () => {
      const gateway = await backend.open();
      const dispatcher = await backend.open();
      const universe = freshUniverse();
      const seen: TaskEvent[] = [];
      await gateway.taskEvents.ready();
      const stop = gateway.taskEvents.subscribe(universe, (event) => seen.push(event));
      const queue = dispatcher.tasks(universe);
      const { task } = await queue.enqueue({ kind: 'k', agent: 'a' });
      const [claim] = await queue.claim({ dispatcher: 'd2' });
      await queue.succeed(claim!.lease);
      await until(() => seen.length === 3, '3 events');
      stop();
      expect(seen.map((e) => `${e.type}:${e.task.id}`)).toEqual([`created:${task.id}`, `claimed:${task.id}`, `succeeded:${task.id}`]);
    });
  }
});

describe('taskEventPayload', () => {
  it('leaves the tags out of an event that would not fit in one NOTIFY', () => {
    const event: TaskEvent = {
      type: 'created',
      at: 1,
      task: { id: 't', kind: 'k', agent: 'a', state: 'queued', priority: 0, attempts: 0, maxAttempts: 3, availableAt: 1, cancelRequested: false, tags: Array.from({ length: 32 }, () => 'é'.repeat(256)), createdAt: 1, updatedAt: 1 },
    };
    const payload = taskEventPayload('u', event)!;
    expect(new TextEncoder().encode(payload).length).toBeLessThanOrEqual(MAX_NOTIFY_BYTES);
    expect(JSON.parse(payload)).toMatchObject({ k: 'u', e: { type: 'created', task: { id: 't', tags: [] } } });
  });
});
