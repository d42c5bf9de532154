// tasks/* over the SQL task queue, on PGlite and a real PostgreSQL, through the HTTP gateway with
// API keys (so universes come from credentials), and the task event stream GET /tasks/stream.
import { openStorage, type Storage } from '@lightspeed/store-sql';
import { startPostgres, type PostgresServer } from '@lightspeed/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryApiKeyRegistry } from '../src/auth/api-key-registry.js';
import { apiKeyAuth } from '../src/auth/gateway-auth.js';
import { createGateway } from '../src/gateway/create-gateway.js';
import { serveGateway, type ServingGateway } from '../src/gateway/serve.js';
import { startTestHost, type TestHost } from './support/embedded-host.js';
import { openSse } from './support/sse-client.js';

const summariser = {
  profileId: 'summariser',
  task: {
    schema: { type: 'object', properties: { issue: { type: 'integer', minimum: 1 }, repo: { type: 'string' } }, required: ['issue'], additionalProperties: false },
    template: 'Summarise issue {{payload.issue}} of {{payload.repo}}',
    requiredArtifacts: ['/workspace/summary.md'],
  },
};

describe.each(['pglite', 'postgres'] as const)('tasks through the API on %s', (backend) => {
  let test: TestHost;
  let storage: Storage;
  let postgres: PostgresServer | undefined;
  let server: ServingGateway;
  let registry: MemoryApiKeyRegistry;
  let n = 0;

  beforeAll(async () => {
    if (backend === 'postgres') {
      postgres = await startPostgres();
      storage = await openStorage({ kind: 'postgres', url: postgres.url }, { migrate: true });
    } else {
      storage = await openStorage({ kind: 'pglite', dataDir: 'memory://' });
    }
    test = await startTestHost();
    registry = new MemoryApiKeyRegistry();
    const app = createGateway({
      host: test.host,
      auth: apiKeyAuth(registry),
      options: {
        heartbeatMs: 300,
        taskEventReplay: 5,
        profiles: (universe) => storage.profiles(universe),
        tasks: (universe) => storage.tasks(universe),
        taskEvents: storage.taskEvents,
      },
    });
    server = await serveGateway(app);
  });
  afterAll(async () => {
    await server?.close();
    await test?.stop();
    await storage?.close();
    await postgres?.stop();
  });

  /** A fresh universe (tenant) with its key and a summariser agent. */
  async function tenant() {
    const universe = `u-${++n}-${Date.now()}`;
    const { key } = await registry.createApiKey(universe);
    const raw = async (method: string, params: unknown) => {
      const response = await fetch(`${server.url}/rpc`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
      return (await response.json()) as { result?: { result: any }; error?: { code: number; message: string; data: { kind: string } } };
    };
    const call = async (method: string, params: unknown): Promise<any> => {
      const body = await raw(method, params);
      if (body.error) throw Object.assign(new Error(`${method}: ${body.error.message}`), { code: body.error.code, kind: body.error.data.kind });
      return body.result!.result;
    };
    const failure = async (method: string, params: unknown) => {
      const body = await raw(method, params);
      expect(body.error, `${method} should fail`).toBeDefined();
      return { code: body.error!.code, kind: body.error!.data.kind, message: body.error!.message };
    };
    await call('profiles/put', { profile: summariser });
    return { universe, key, call, failure, queue: storage.tasks(universe) };
  }

  it('creates, reads, lists with filters and pages, and shows attempts with their facts', async () => {
    const { call, queue } = await tenant();
    const created = await call('tasks/create', { kind: 'github.issue.summarise', agent: 'summariser', subject: 'acme/api#12', payload: { issue: 12, repo: 'acme/api' }, tags: ['gh'], priority: 5 });
    expect(created).toMatchObject({ deduped: false, task: { kind: 'github.issue.summarise', agent: 'summariser', state: 'queued', priority: 5, attempts: 0, maxAttempts: 3, tags: ['gh'], cancelRequested: false } });
    expect(created.task.payload).toBeUndefined();
    const id = created.task.taskId;
    expect((await call('tasks/read', { taskId: id })).task).toMatchObject({ taskId: id, payload: { issue: 12, repo: 'acme/api' } });

    await call('tasks/create', { kind: 'nightly.check', agent: 'summariser', payload: { issue: 1 }, delayMs: 60_000 });
    const all = await call('tasks/list', {});
    expect(all.tasks.map((t: any) => t.kind)).toEqual(['nightly.check', 'github.issue.summarise']);
    expect(all.tasks[0].state).toBe('scheduled');
    expect((await call('tasks/list', { states: ['scheduled'] })).tasks).toHaveLength(1);
    expect((await call('tasks/list', { kind: 'github.issue.summarise' })).tasks.map((t: any) => t.taskId)).toEqual([id]);
    expect((await call('tasks/list', { tag: 'gh' })).tasks.map((t: any) => t.taskId)).toEqual([id]);
    const page = await call('tasks/list', { limit: 1 });
    expect(page.tasks).toHaveLength(1);
    const rest = await call('tasks/list', { limit: 1, cursor: page.nextCursor });
    expect(rest.tasks.map((t: any) => t.taskId)).toEqual([id]);

    // A dispatcher (the port, as the dispatcher uses it) runs an attempt that fails retryably.
    const [claim] = await queue.claim({ dispatcher: 'd-test' });
    await queue.renew(claim!.lease, { facts: { sessionId: 'sess-1', runId: 'run-1', agentRevision: 1 } });
    await queue.fail(claim!.lease, { errorClass: 'rate_limit', error: '429 slow down', retryable: true, retryAfterMs: 30_000, usage: { input: 10, cachedInput: 2, cacheWrite: 0, output: 3, reasoning: 0 }, costUsd: 0.002 });
    const { attempts } = await call('tasks/attempts/list', { taskId: id });
    expect(attempts).toEqual([
      expect.objectContaining({
        taskId: id,
        attempt: 1,
        claims: 1,
        dispatcher: 'd-test',
        sessionId: 'sess-1',
        runId: 'run-1',
        outcome: 'failed',
        errorClass: 'rate_limit',
        error: '429 slow down',
        usage: { inputTokens: 10, cachedInputTokens: 2, cacheWriteTokens: 0, outputTokens: 3, reasoningTokens: 0 },
        costUsd: 0.002,
        retryAtMs: expect.any(Number),
      }),
    ]);
    const read = (await call('tasks/read', { taskId: id })).task;
    expect(read).toMatchObject({ state: 'scheduled', attempts: 1, lastError: { class: 'rate_limit' }, availableAtMs: attempts[0].retryAtMs });
  });

  it('refuses bad input with typed errors and enqueues nothing', async () => {
    const { failure, call } = await tenant();
    const base = { kind: 'k', agent: 'summariser', payload: { issue: 3 } };
    expect(await failure('tasks/create', { ...base, agent: 'nobody' })).toMatchObject({ kind: 'not_found', code: -32004, message: expect.stringContaining('agent nobody does not exist') });
    expect(await failure('tasks/create', { ...base, payload: { issue: 'three' } })).toMatchObject({ kind: 'invalid_request', message: expect.stringContaining('payload/issue must be integer') });
    expect(await failure('tasks/create', { ...base, payload: { issue: 3, extra: true } })).toMatchObject({ kind: 'invalid_request', message: expect.stringContaining('unexpected field "extra"') });
    expect(await failure('tasks/create', { kind: 'k', agent: 'summariser' })).toMatchObject({ kind: 'invalid_request', message: expect.stringContaining('task schema of agent summariser') });
    expect(await failure('tasks/create', { ...base, delayMs: -5 })).toMatchObject({ kind: 'invalid_request', code: -32602, message: expect.stringContaining('delayMs: must not be negative') });
    expect(await failure('tasks/create', { ...base, maxAttempts: 0 })).toMatchObject({ kind: 'invalid_request', message: expect.stringContaining('maxAttempts: must be at least 1') });
    expect(await failure('tasks/create', { ...base, delayMs: 5, availableAtMs: Date.now() })).toMatchObject({ kind: 'invalid_request', message: expect.stringContaining('exclusive') });
    expect(await failure('tasks/create', { ...base, priority: 1e6 })).toMatchObject({ kind: 'invalid_request' });
    expect(await failure('tasks/create', { ...base, colour: 'red' })).toMatchObject({ kind: 'invalid_request', message: expect.stringContaining('colour') });
    // An agent without a schema takes any payload, but not an oversized one.
    await call('profiles/put', { profile: { profileId: 'free' } });
    expect(await failure('tasks/create', { kind: 'k', agent: 'free', payload: 'x'.repeat(1024 * 1024 + 1) })).toMatchObject({ kind: 'rejected', code: -32010, message: expect.stringContaining('over the limit') });
    expect((await call('tasks/list', {})).tasks).toEqual([]);
    expect((await call('tasks/create', { kind: 'k', agent: 'free', payload: ['anything'] })).task.state).toBe('queued');
  });

  it('refuses a profile whose task schema is not a usable JSON Schema', async () => {
    const { failure } = await tenant();
    expect(await failure('profiles/put', { profile: { profileId: 'bad', task: { schema: { type: 'objekt' } } } })).toMatchObject({ kind: 'invalid_request', message: expect.stringContaining('profile.task.schema is not a usable JSON Schema') });
    expect(await failure('profiles/put', { profile: { profileId: 'bad', task: { schema: { type: 'object', propertys: {} } } } })).toMatchObject({ kind: 'invalid_request', message: expect.stringContaining('propertys') });
    expect(await failure('profiles/put', { profile: { profileId: 'bad', task: { requiredArtifacts: ['summary.md'] } } })).toMatchObject({ kind: 'invalid_request', message: expect.stringContaining('expected an absolute path') });
  });

  it('answers illegal transitions as rejected, dedupes, cancels and retries', async () => {
    const { call, failure, queue } = await tenant();
    const first = await call('tasks/create', { kind: 'k', agent: 'summariser', payload: { issue: 1 }, dedupeKey: 'acme/api#1' });
    const again = await call('tasks/create', { kind: 'k', agent: 'summariser', payload: { issue: 1 }, dedupeKey: 'acme/api#1' });
    expect(again).toMatchObject({ deduped: true, task: { taskId: first.task.taskId } });
    expect(await failure('tasks/retry', { taskId: first.task.taskId })).toMatchObject({ kind: 'rejected', code: -32010, message: expect.stringContaining('it is queued') });
    const cancelled = (await call('tasks/cancel', { taskId: first.task.taskId, reason: 'not needed' })).task;
    expect(cancelled).toMatchObject({ state: 'cancelled', finishedAtMs: expect.any(Number) });
    expect(await failure('tasks/cancel', { taskId: first.task.taskId })).toMatchObject({ kind: 'rejected', code: -32010, message: expect.stringContaining('it is cancelled') });
    expect((await call('tasks/retry', { taskId: first.task.taskId })).task.state).toBe('queued');

    // Cancelling a running task asks its dispatcher to stop.
    const [claim] = await queue.claim({ dispatcher: 'd' });
    expect((await call('tasks/cancel', { taskId: first.task.taskId })).task).toMatchObject({ state: 'running', cancelRequested: true });
    expect((await queue.renew(claim!.lease)).cancelRequested).toBe(true);
    await queue.cancelled(claim!.lease);
    expect(await failure('tasks/read', { taskId: 'task-that-is-not-there' })).toMatchObject({ kind: 'not_found' });
    expect(await failure('tasks/attempts/list', { taskId: 'task-that-is-not-there' })).toMatchObject({ kind: 'not_found' });
  });

  it('keeps universes apart', async () => {
    const a = await tenant();
    const b = await tenant();
    const { task } = await a.call('tasks/create', { kind: 'k', agent: 'summariser', payload: { issue: 1 } });
    expect((await b.call('tasks/list', {})).tasks).toEqual([]);
    expect(await b.failure('tasks/read', { taskId: task.taskId })).toMatchObject({ kind: 'not_found' });
    expect(await b.failure('tasks/cancel', { taskId: task.taskId })).toMatchObject({ kind: 'not_found' });
    expect(await b.failure('tasks/attempts/list', { taskId: task.taskId })).toMatchObject({ kind: 'not_found' });
    // An agent of universe a is unknown in b.
    await a.call('profiles/put', { profile: { profileId: 'only-in-a' } });
    expect(await b.failure('tasks/create', { kind: 'k', agent: 'only-in-a' })).toMatchObject({ kind: 'not_found' });
    expect((await a.call('tasks/read', { taskId: task.taskId })).task.state).toBe('queued');
  });

  it('streams a task event per transition to its universe, and resumes after Last-Event-ID', async () => {
    const a = await tenant();
    const b = await tenant();
    const url = `${server.url}/tasks/stream`;
    const stream = await openSse(url, { authorization: `Bearer ${a.key}` });
    const other = await openSse(url, { authorization: `Bearer ${b.key}` });
    try {
      expect(stream.status).toBe(200);
      expect(JSON.parse((await stream.next((e) => e.event === 'ready')).data)).toEqual({ resumed: false });
      await other.next((e) => e.event === 'ready');
      const { task } = await a.call('tasks/create', { kind: 'k', agent: 'summariser', subject: 'acme/api#7', payload: { issue: 7 } });
      const created = await stream.next((e) => e.event === 'task');
      expect(created.id).toMatch(/^[0-9a-f]{8}\.\d+$/);
      expect(JSON.parse(created.data)).toMatchObject({ type: 'created', atMs: expect.any(Number), task: { taskId: task.taskId, state: 'queued', subject: 'acme/api#7', agent: 'summariser' } });
      // Transitions by a dispatcher: on PostgreSQL from another Storage (another process's).
      const dispatcher = postgres ? await openStorage({ kind: 'postgres', url: postgres.url }) : storage;
      let lastId: string;
      try {
        const queue = dispatcher.tasks(a.universe);
        const [claim] = await queue.claim({ dispatcher: 'd-2' });
        const claimedEvent = await stream.next((e) => e.event === 'task');
        lastId = claimedEvent.id!;
        const claimed = JSON.parse(claimedEvent.data);
        expect(claimed).toMatchObject({ type: 'claimed', attempt: 1, task: { state: 'running' } });
        await stream.close();
        // Missed while disconnected: a block, a retry.
        await queue.block(claim!.lease, { reason: 'missing /workspace/summary.md' });
        await a.call('tasks/retry', { taskId: task.taskId });
        // Let the events reach the gateway (over NOTIFY on PostgreSQL) before reconnecting.
        await new Promise((resolve) => setTimeout(resolve, 200));
      } finally {
        if (dispatcher !== storage) await dispatcher.close();
      }
      const resumed = await openSse(url, { authorization: `Bearer ${a.key}`, 'last-event-id': lastId });
      try {
        expect(JSON.parse((await resumed.next((e) => e.event === 'ready')).data)).toEqual({ resumed: true });
        expect(JSON.parse((await resumed.next((e) => e.event === 'task')).data)).toMatchObject({ type: 'blocked', task: { state: 'blocked' } });
        expect(JSON.parse((await resumed.next((e) => e.event === 'task')).data)).toMatchObject({ type: 'retried', task: { state: 'queued' } });
        await resumed.next((e) => e.event === 'heartbeat', 2_000);
      } finally {
        await resumed.close();
      }
      // The other universe saw nothing but heartbeats.
      const seen = await other.next((e) => e.event !== 'ready', 2_000);
      expect(seen.event).toBe('heartbeat');
    } finally {
      await stream.close();
      await other.close();
    }
  });

  it('says reset when a Last-Event-ID cannot be resumed', async () => {
    const a = await tenant();
    const url = `${server.url}/tasks/stream`;
    const foreign = await openSse(url, { authorization: `Bearer ${a.key}`, 'last-event-id': '00000000.3' });
    try {
      expect(JSON.parse((await foreign.next((e) => e.event === 'ready')).data)).toEqual({ resumed: false });
      expect(JSON.parse((await foreign.next((e) => e.event === 'reset')).data).reason).toMatch(/re-read tasks\/list/);
    } finally {
      await foreign.close();
    }
    // Falling behind the replay buffer (5 here) is a reset too.
    const live = await openSse(url, { authorization: `Bearer ${a.key}` });
    let first: string;
    try {
      await live.next((e) => e.event === 'ready');
      await a.call('tasks/create', { kind: 'k', agent: 'summariser', payload: { issue: 1 } });
      first = (await live.next((e) => e.event === 'task')).id!;
    } finally {
      await live.close();
    }
    for (let i = 0; i < 6; i++) await a.call('tasks/create', { kind: 'k', agent: 'summariser', payload: { issue: 2 + i } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const late = await openSse(url, { authorization: `Bearer ${a.key}`, 'last-event-id': first });
    try {
      await late.next((e) => e.event === 'ready');
      expect(JSON.parse((await late.next((e) => e.event === 'reset')).data).reason).toMatch(/more than 5 events/);
    } finally {
      await late.close();
    }
  });

  it('refuses the stream without a key', async () => {
    const response = await fetch(`${server.url}/tasks/stream`);
    expect(response.status).toBe(401);
    await response.body?.cancel();
  });
});
