import { describe, expect, it } from 'vitest';
import { isLightspeedError, type Clock, type TaskInput } from '@lightspeed/ports';
import { SqlBlobStore, SqlTaskQueue, retryDelayMs, type Storage } from '../src/index.js';
import { BACKENDS, freshUniverse, useBackend } from './backends.js';

const code = (c: string) => (e: unknown) => isLightspeedError(e, c as never);

class ManualClock implements Clock {
  constructor(public t = 1_000_000) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

const task = (over: Partial<TaskInput> = {}): TaskInput => ({ kind: 'github.issue.summarise', agent: 'summariser', payload: { issue: 12 }, ...over });

describe.each(BACKENDS)('SqlTaskQueue on %s', (name) => {
  const backend = useBackend(name);
  const queueWith = (clock: Clock, random = () => 0.5, universe = freshUniverse()) => {
    const storage: Storage = backend.storage();
    const blobs = storage.blobs(universe) as SqlBlobStore;
    return new SqlTaskQueue(storage.driver, universe, blobs, clock, { random, inlinePayloadBytes: 1024, maxPayloadBytes: 64 * 1024 });
  };

  it('enqueues with defaults, reports scheduled until availableAt, and claims by priority then age', async () => {
    const clock = new ManualClock();
    const queue = queueWith(clock);
    const { task: low, deduped } = await queue.enqueue(task({ subject: 'low' }));
    expect(deduped).toBe(false);
    expect(low).toMatchObject({ state: 'queued', priority: 0, attempts: 0, maxAttempts: 3, tags: [], cancelRequested: false, payload: { issue: 12 } });
    clock.advance(1);
    const high = (await queue.enqueue(task({ subject: 'high', priority: 5 }))).task;
    clock.advance(1);
    const later = (await queue.enqueue(task({ subject: 'later', priority: 9, delayMs: 60_000 }))).task;
    expect(later.state).toBe('scheduled');
    expect((await queue.counts()).byState).toMatchObject({ queued: 2, scheduled: 1, running: 0 });
    const claimed = await queue.claim({ dispatcher: 'd1', limit: 10, leaseMs: 120_000 });
    expect(claimed.map((c) => c.task.id)).toEqual([high.id, low.id]);
    expect(claimed[0]).toMatchObject({ adopted: false, task: { state: 'running', lease: { owner: 'd1' } }, attempt: { attempt: 1, claims: 1, outcome: 'running', agent: 'summariser' } });
    clock.advance(60_000);
    expect((await queue.get(later.id))?.state).toBe('queued');
    expect((await queue.claim({ dispatcher: 'd1' })).map((c) => c.task.id)).toEqual([later.id]);
  });

  it('succeeds an attempt with its facts and refuses a second settle with a stale lease', async () => {
    const clock = new ManualClock();
    const queue = queueWith(clock);
    const { task: t } = await queue.enqueue(task());
    const [claim] = await queue.claim({ dispatcher: 'd1' });
    const renewed = await queue.renew(claim!.lease, { leaseMs: 60_000, facts: { sessionId: 's-1', runId: 'r-1', agentRevision: 2 } });
    expect(renewed).toMatchObject({ cancelRequested: false, lease: { expiresAt: clock.t + 60_000 } });
    clock.advance(5);
    const usage = { input: 10, cachedInput: 0, cacheWrite: 0, output: 5, reasoning: 0 };
    const done = await queue.succeed(claim!.lease, { usage, costUsd: 0.001, evidence: ['sha256:' + 'a'.repeat(64)] });
    expect(done).toMatchObject({ state: 'succeeded', attempts: 1, finishedAt: clock.t });
    expect(done.lease).toBeUndefined();
    expect(await queue.attempts(t.id)).toEqual([
      expect.objectContaining({ attempt: 1, outcome: 'succeeded', sessionId: 's-1', runId: 'r-1', agentRevision: 2, usage, costUsd: 0.001, endedAt: clock.t, evidence: ['sha256:' + 'a'.repeat(64)] }),
    ]);
    await expect(queue.succeed(claim!.lease)).rejects.toSatisfy(code('conflict'));
    await expect(queue.renew(claim!.lease)).rejects.toSatisfy(code('conflict'));
  });

  it('retries a transient failure with exponential backoff, honours Retry-After, and fails when attempts are exhausted', async () => {
    const clock = new ManualClock();
    const queue = queueWith(clock, () => 0);
    const { task: t } = await queue.enqueue(task({ maxAttempts: 3, backoff: { initialDelayMs: 1_000, multiplier: 2, maxDelayMs: 30_000, jitter: 0.5 } }));
    let [claim] = await queue.claim({ dispatcher: 'd1' });
    let after = await queue.fail(claim!.lease, { errorClass: 'server', error: 'HTTP 500', retryable: true });
    expect(after).toMatchObject({ state: 'scheduled', attempts: 1, availableAt: clock.t + 1_000, lastError: { class: 'server', message: 'HTTP 500' } });
    expect(await queue.claim({ dispatcher: 'd1' })).toEqual([]);
    clock.advance(1_000);
    [claim] = await queue.claim({ dispatcher: 'd1' });
    expect(claim!.attempt.attempt).toBe(2);
    after = await queue.fail(claim!.lease, { errorClass: 'rate_limit', error: '429', retryable: true, retryAfterMs: 20_000 });
    expect(after.availableAt).toBe(clock.t + 20_000);
    clock.advance(20_000);
    [claim] = await queue.claim({ dispatcher: 'd1' });
    after = await queue.fail(claim!.lease, { errorClass: 'server', error: 'HTTP 500', retryable: true });
    expect(after).toMatchObject({ state: 'failed', attempts: 3 });
    const attempts = await queue.attempts(t.id);
    expect(attempts.map((a) => [a.attempt, a.outcome, a.errorClass])).toEqual([
      [1, 'failed', 'server'],
      [2, 'failed', 'rate_limit'],
      [3, 'failed', 'server'],
    ]);
    expect(attempts[1]!.retryAt).toBe(after.updatedAt);
    // A non-retryable failure fails at once, whatever attempts remain.
    await queue.enqueue(task({ maxAttempts: 5 }));
    [claim] = await queue.claim({ dispatcher: 'd1' });
    expect(await queue.fail(claim!.lease, { errorClass: 'auth', error: 'bad key', retryable: false })).toMatchObject({ state: 'failed', attempts: 1 });
  });

  it('computes backoff capped, with jitter reducing it, and Retry-After as a capped floor', () => {
    const policy = { initialDelayMs: 1_000, multiplier: 2, maxDelayMs: 10_000, jitter: 0.5 };
    expect([1, 2, 3, 4, 5, 9].map((n) => retryDelayMs(policy, n, 0))).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    expect(retryDelayMs(policy, 3, 1)).toBe(2_000);
    expect(retryDelayMs(policy, 1, 0, 5_000)).toBe(5_000);
    expect(retryDelayMs(policy, 1, 0, 600_000)).toBe(10_000);
  });

  it('re-claims a task whose lease expired as the same attempt, adopted, without spending an attempt (maxAttempts 1 is no trap)', async () => {
    const clock = new ManualClock();
    const queue = queueWith(clock);
    const { task: t } = await queue.enqueue(task({ maxAttempts: 1 }));
    const [first] = await queue.claim({ dispatcher: 'crashed', leaseMs: 10_000 });
    expect(await queue.claim({ dispatcher: 'd2' })).toEqual([]);
    clock.advance(10_000);
    expect((await queue.counts()).expiredLeases).toBe(1);
    const [second] = await queue.claim({ dispatcher: 'd2', leaseMs: 10_000 });
    expect(second).toMatchObject({ adopted: true, attempt: { attempt: 1, claims: 2, dispatcher: 'd2' }, task: { attempts: 0, lease: { owner: 'd2' } } });
    await expect(queue.succeed(first!.lease)).rejects.toSatisfy(code('conflict'));
    expect(await queue.succeed(second!.lease)).toMatchObject({ state: 'succeeded', attempts: 1 });
    expect(await queue.attempts(t.id)).toEqual([expect.objectContaining({ attempt: 1, claims: 2, outcome: 'succeeded' })]);
  });

  it('dedupes per universe while a task is queued or running, and frees the key once it finishes', async () => {
    const clock = new ManualClock();
    const universe = freshUniverse();
    const queue = queueWith(clock, undefined, universe);
    const first = await queue.enqueue(task({ dedupeKey: 'issue-12' }));
    const again = await queue.enqueue(task({ dedupeKey: 'issue-12', subject: 'different' }));
    expect(again).toMatchObject({ deduped: true, task: { id: first.task.id } });
    expect((await queueWith(clock).enqueue(task({ dedupeKey: 'issue-12' }))).deduped).toBe(false);
    const [claim] = await queue.claim({ dispatcher: 'd1' });
    expect((await queue.enqueue(task({ dedupeKey: 'issue-12' }))).task.id).toBe(first.task.id);
    await queue.succeed(claim!.lease);
    const fresh = await queue.enqueue(task({ dedupeKey: 'issue-12' }));
    expect(fresh.deduped).toBe(false);
    expect(fresh.task.id).not.toBe(first.task.id);
    // Retrying the finished one while the fresh one waits would make two holders: refused.
    await expect(queue.retry(first.task.id)).rejects.toSatisfy(code('conflict'));
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => queue.enqueue(task({ dedupeKey: 'burst' }))));
    expect(new Set(concurrent.map((r) => r.task.id)).size).toBe(1);
    expect(concurrent.filter((r) => !r.deduped)).toHaveLength(1);
  });

  it('cancels a queued task, flags a running one for its dispatcher, and refuses to cancel a finished one', async () => {
    const clock = new ManualClock();
    const queue = queueWith(clock);
    const { task: waiting } = await queue.enqueue(task());
    expect(await queue.cancel(waiting.id, 'not needed')).toMatchObject({ state: 'cancelled', lastError: { class: 'cancelled', message: 'not needed' } });
    const { task: t } = await queue.enqueue(task({ maxAttempts: 3 }));
    const [claim] = await queue.claim({ dispatcher: 'd1' });
    await expect(queue.cancelled(claim!.lease)).rejects.toSatisfy(code('conflict'));
    expect(await queue.cancel(t.id)).toMatchObject({ state: 'running', cancelRequested: true });
    expect((await queue.renew(claim!.lease)).cancelRequested).toBe(true);
    expect((await queue.counts()).cancelRequested).toBe(1);
    expect(await queue.cancelled(claim!.lease)).toMatchObject({ state: 'cancelled', attempts: 1, cancelRequested: false });
    const err = await queue.cancel(t.id).catch((e: unknown) => e);
    expect(err).toSatisfy(code('conflict'));
    expect(err).toMatchObject({ details: { state: 'cancelled', action: 'cancel' } });
    await expect(queue.cancel('task_missing')).rejects.toSatisfy(code('not_found'));
    // A retryable failure of a cancel-requested task does not retry.
    const { task: u } = await queue.enqueue(task());
    const [c2] = await queue.claim({ dispatcher: 'd1' });
    await queue.cancel(u.id);
    expect(await queue.fail(c2!.lease, { errorClass: 'server', error: 'aborted', retryable: true })).toMatchObject({ state: 'cancelled' });
  });

  it('retries a failed or blocked task now, with one more attempt when they were spent', async () => {
    const clock = new ManualClock();
    const queue = queueWith(clock);
    const { task: t } = await queue.enqueue(task({ maxAttempts: 1 }));
    let [claim] = await queue.claim({ dispatcher: 'd1' });
    expect(await queue.block(claim!.lease, { reason: 'missing: report.md' })).toMatchObject({ state: 'blocked', lastError: { class: 'blocked', message: 'missing: report.md' } });
    await expect(queue.retry((await queue.enqueue(task())).task.id)).rejects.toSatisfy(code('conflict'));
    expect(await queue.retry(t.id)).toMatchObject({ state: 'queued', maxAttempts: 2, attempts: 1 });
    // The queued task enqueued above is older, so claim both and find ours as attempt 2.
    const claims = await queue.claim({ dispatcher: 'd1', limit: 5 });
    claim = claims.find((c) => c.task.id === t.id);
    expect(claim!.attempt.attempt).toBe(2);
  });

  it('refuses bad input with typed errors naming the field, and enqueues nothing', async () => {
    const queue = queueWith(new ManualClock());
    const refused = async (input: TaskInput, errorCode: string, field: string) => {
      const error = await queue.enqueue(input).catch((e: unknown) => e);
      expect(error).toSatisfy(code(errorCode));
      expect(error).toMatchObject({ details: { field } });
    };
    await refused(task({ delayMs: -1 }), 'invalid', 'delayMs');
    await refused(task({ maxAttempts: 0 }), 'invalid', 'maxAttempts');
    await refused(task({ priority: 1.5 }), 'invalid', 'priority');
    await refused(task({ kind: '' }), 'invalid', 'kind');
    await refused(task({ backoff: { jitter: 2 } }), 'invalid', 'backoff.jitter');
    await refused(task({ backoff: { base: 1 } as never }), 'invalid', 'backoff.base');
    await refused({ ...task(), colour: 'red' } as never, 'invalid', 'colour');
    await refused(task({ model: { providerId: 'p', apiKind: 'nope' as never, model: 'm' } }), 'invalid', 'model.apiKind');
    await refused(task({ payload: { big: 'x'.repeat(70_000) } }), 'too_large', 'payload');
    expect((await queue.counts()).byState.queued).toBe(0);
    await expect(queue.claim({ dispatcher: 'd', limit: 0 })).rejects.toSatisfy(code('invalid'));
  });

  it('keeps a large payload in CAS, reads it back, and garbage collection keeps it while the task exists', async () => {
    const universe = freshUniverse();
    const queue = queueWith(new ManualClock(), undefined, universe);
    const payload = { body: 'y'.repeat(5_000), n: [1, 2, 3] };
    const { task: t } = await queue.enqueue(task({ payload }));
    expect(t.payload).toBeUndefined();
    expect(t.payloadRef).toMatch(/^sha256:/);
    const report = await backend.storage().gc({ graceMs: 0, universe, now: Date.now() + 60_000 });
    expect(report.swept).toEqual([]);
    expect(await queue.payload((await queue.get(t.id))!)).toEqual(payload);
  });

  it('limits running tasks per concurrency key and per agent at claim time', async () => {
    const clock = new ManualClock();
    const queue = queueWith(clock);
    for (let i = 0; i < 3; i++) await queue.enqueue(task({ concurrencyKey: 'repo-a' }));
    await queue.enqueue(task({ concurrencyKey: 'repo-b' }));
    for (let i = 0; i < 3; i++) await queue.enqueue(task({ agent: 'writer' }));
    const limits = { maxRunningPerKey: 1, maxRunningPerAgent: { byAgent: { writer: 2 } } };
    const first = await queue.claim({ dispatcher: 'd1', limit: 10, ...limits });
    const keys = first.map((c) => c.task.concurrencyKey ?? c.task.agent).sort();
    expect(keys).toEqual(['repo-a', 'repo-b', 'writer', 'writer']);
    expect(await queue.claim({ dispatcher: 'd2', limit: 10, ...limits })).toEqual([]);
    const a = first.find((c) => c.task.concurrencyKey === 'repo-a')!;
    await queue.succeed(a.lease);
    const next = await queue.claim({ dispatcher: 'd2', limit: 10, ...limits });
    expect(next.map((c) => c.task.concurrencyKey)).toEqual(['repo-a']);
    // A default per-agent cap applies to every agent.
    expect(await queue.claim({ dispatcher: 'd3', limit: 10, maxRunningPerAgent: { default: 2 } })).toEqual([]);
  });

  it('is fair across concurrency keys: a 1-task key is served next, not after a 10,000-task backlog', async () => {
    const clock = new ManualClock();
    const queue = queueWith(clock);
    const storage = backend.storage();
    const universe = (queue as unknown as { universe: string }).universe;
    // 200 through enqueue, 8 at a time (concurrent enqueues of one key must not share a tag), then
    // the rest in one statement continuing the tags, for speed.
    for (let i = 0; i < 200; i += 8) await Promise.all(Array.from({ length: 8 }, () => queue.enqueue(task({ concurrencyKey: 'big' }))));
    const { rows } = await storage.driver.query<{ n: unknown }>(`SELECT count(DISTINCT fair_tag) AS n FROM ls_tasks WHERE universe = $1`, [universe]);
    expect(Number(rows[0]!.n)).toBe(200);
    await storage.driver.query(
      `INSERT INTO ls_tasks (universe, task_id, kind, payload, agent, priority, state, available_at, fair_tag, max_attempts, attempts, backoff, concurrency_key, tags, cancel_requested, created_at, updated_at)
       SELECT $1, 'bulk-' || g, 'k', 'null', 'summariser', 0, 'queued', $2, 200 + g, 3, 0, '{}', 'big', '[]', false, $2, $2 FROM generate_series(0, 9799) g`,
      [universe, clock.t],
    );
    clock.advance(1);
    const { task: small } = await queue.enqueue(task({ concurrencyKey: 'small' }));
    let position = 0;
    for (;;) {
      const [claim] = await queue.claim({ dispatcher: 'd1' });
      position++;
      if (claim!.task.id === small.id) break;
      await queue.succeed(claim!.lease);
    }
    // Fair share with two keys: every second claim. It is served at the first or second.
    expect(position).toBeLessThanOrEqual(2);
  });

  it('lists with filters and keyset paging, newest first', async () => {
    const clock = new ManualClock();
    const queue = queueWith(clock);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await queue.enqueue(task({ source: i % 2 ? 'github' : 'discord', tags: [`n${i}`], concurrencyKey: 'k' }))).task.id);
      clock.advance(1);
    }
    await queue.enqueue(task({ kind: 'other', delayMs: 1_000 }));
    const page1 = await queue.list({ kind: 'github.issue.summarise', limit: 2 });
    expect(page1.tasks.map((t) => t.id)).toEqual([ids[4], ids[3]]);
    const page2 = await queue.list({ kind: 'github.issue.summarise', limit: 2, cursor: page1.nextCursor! });
    expect(page2.tasks.map((t) => t.id)).toEqual([ids[2], ids[1]]);
    const page3 = await queue.list({ kind: 'github.issue.summarise', limit: 2, cursor: page2.nextCursor! });
    expect(page3).toEqual({ tasks: [expect.objectContaining({ id: ids[0] })] });
    expect((await queue.list({ source: 'github' })).tasks.map((t) => t.id)).toEqual([ids[3], ids[1]]);
    expect((await queue.list({ tag: 'n2' })).tasks.map((t) => t.id)).toEqual([ids[2]]);
    expect((await queue.list({ states: ['scheduled'] })).tasks.map((t) => t.kind)).toEqual(['other']);
    expect((await queue.list({ states: ['queued'], concurrencyKey: 'k' })).tasks).toHaveLength(5);
    await expect(queue.list({ cursor: 'junk' })).rejects.toSatisfy(code('invalid'));
    await expect(queue.list({ states: ['done' as never] })).rejects.toSatisfy(code('invalid'));
  });

  if (name === 'postgres') {
    it('never claims one task twice across parallel claimers on separate connections', async () => {
      const clock = new ManualClock();
      const universe = freshUniverse();
      const queue = queueWith(clock, undefined, universe);
      const total = 300;
      for (let i = 0; i < total; i += 50) {
        await Promise.all(Array.from({ length: 50 }, (_, j) => queue.enqueue(task({ subject: `t${i + j}`, concurrencyKey: `k${(i + j) % 7}` }))));
      }
      const others = await Promise.all([backend.open(), backend.open(), backend.open()]);
      const queues = others.map((s) => new SqlTaskQueue(s.driver, universe, s.blobs(universe) as SqlBlobStore, clock));
      const seen: string[] = [];
      await Promise.all(
        queues.flatMap((q, qi) =>
          Array.from({ length: 3 }, async (_, w) => {
            for (;;) {
              const claims = await q.claim({ dispatcher: `d${qi}-${w}`, limit: 4 });
              if (claims.length === 0) return;
              for (const c of claims) {
                seen.push(c.task.id);
                await q.succeed(c.lease);
              }
            }
          }),
        ),
      );
      expect(seen).toHaveLength(total);
      expect(new Set(seen).size).toBe(total);
      expect((await queue.counts()).byState.succeeded).toBe(total);
    });

    it('adopts each expired lease exactly once across parallel claimers', async () => {
      const clock = new ManualClock();
      const universe = freshUniverse();
      const queue = queueWith(clock, undefined, universe);
      for (let i = 0; i < 30; i++) await queue.enqueue(task());
      expect(await queue.claim({ dispatcher: 'dead', limit: 30, leaseMs: 1_000 })).toHaveLength(30);
      clock.advance(1_000);
      const others = await Promise.all([backend.open(), backend.open()]);
      const queues = others.map((s) => new SqlTaskQueue(s.driver, universe, s.blobs(universe) as SqlBlobStore, clock));
      const claims = (await Promise.all(queues.flatMap((q, i) => Array.from({ length: 4 }, (_, w) => q.claim({ dispatcher: `d${i}-${w}`, limit: 5 }))))).flat();
      expect(claims).toHaveLength(30);
      expect(new Set(claims.map((c) => c.task.id)).size).toBe(30);
      expect(claims.every((c) => c.adopted && c.attempt.attempt === 1 && c.attempt.claims === 2)).toBe(true);
    });

    it('holds a per-key limit of 1 exactly under parallel claimers', async () => {
      const clock = new ManualClock();
      const universe = freshUniverse();
      const queue = queueWith(clock, undefined, universe);
      for (let i = 0; i < 40; i++) await queue.enqueue(task({ concurrencyKey: `repo-${i % 4}` }));
      const others = await Promise.all([backend.open(), backend.open()]);
      const queues = others.map((s) => new SqlTaskQueue(s.driver, universe, s.blobs(universe) as SqlBlobStore, clock));
      const claims = (await Promise.all(queues.flatMap((q, i) => Array.from({ length: 4 }, (_, w) => q.claim({ dispatcher: `d${i}-${w}`, limit: 3, maxRunningPerKey: 1 }))))).flat();
      const perKey = new Map<string, number>();
      for (const c of claims) perKey.set(c.task.concurrencyKey!, (perKey.get(c.task.concurrencyKey!) ?? 0) + 1);
      expect([...perKey.values()].every((n) => n === 1)).toBe(true);
      expect(perKey.size).toBe(4);
    });
  }
});
