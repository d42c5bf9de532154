// The dispatcher end to end on the embedded host: real SQL storage (PGlite, and a real PostgreSQL
// server), the real fake provider and tool runtime, and sessions opened through the API's handlers.
import { getText } from '@lightspeed/cas';
import { findRun, findSubmission, type BlobRef } from '@lightspeed/engine';
import { taskAttemptSubmissionId } from '@lightspeed/ports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptSessionId } from '../src/index.js';
import { sharedPostgres, sqlBackends } from './support/sql-backends.js';
import { settled, startDispatchStack, UNIVERSE, writerAgent, type DispatchStack } from './support/dispatch-stack.js';

// The fake model's echo mode calls a tool named by `use <tool> {json}` (here: a patch adding a file).
const WRITE_TEMPLATE = 'use apply_patch {"input":"*** Begin Patch\\n*** Add File: /workspace/{{payload.name}}.md\\n+{{payload.body}}\\n*** End Patch"}';

const script = (value: unknown) => `[[fake-script ${JSON.stringify(value)}]]`;

async function until(what: string, predicate: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const backends = sqlBackends();

describe.each(backends)('dispatch on %s (embedded host)', (_name, backend) => {
  let stack: DispatchStack;
  beforeAll(async () => {
    stack = await startDispatchStack({ backend: await backend(), migrate: true });
    await stack.workspace('ws');
    await stack.putAgent('writer', writerAgent({ template: WRITE_TEMPLATE, requiredArtifacts: ['/workspace/out.md'] }));
    await stack.putAgent('echo', writerAgent({ template: '{{task.kind}}: {{payload.prompt}}' }));
    await stack.putAgent('lazy', writerAgent({ template: 'say hello', requiredArtifacts: ['/workspace/never.md'] }));
  }, 60_000);
  afterAll(async () => stack?.close());

  it('runs a task through the agent: session and run recorded, rendered input stored as evidence, artifacts checked', async () => {
    const queue = stack.storage.tasks(UNIVERSE);
    const dispatcher = stack.dispatcher();
    try {
      const { task } = await queue.enqueue({ kind: 'doc.write', agent: 'writer', subject: 'out', payload: { name: 'out', body: 'hello from a task' } });
      const done = await settled(stack, task.id);
      expect(done.state).toBe('succeeded');
      expect(done.attempts).toBe(1);
      expect(await stack.readFile('ws', '/out.md')).toBe('hello from a task\n');
      const [attempt] = await queue.attempts(task.id);
      expect(attempt).toMatchObject({ outcome: 'succeeded', claims: 1, sessionId: attemptSessionId(task.id, 1), agentRevision: 1, model: { providerId: 'fake' } });
      expect(attempt!.usage!.input).toBeGreaterThan(0);
      // The run saw exactly the rendered input, and the attempt keeps its ref.
      const inputRef = attempt!.evidence[0] as BlobRef;
      expect(await getText(stack.host.blobs(UNIVERSE), inputRef)).toBe('use apply_patch {"input":"*** Begin Patch\\n*** Add File: /workspace/out.md\\n+hello from a task\\n*** End Patch"}');
      expect(attempt!.evidence).toContain('/workspace/out.md');
      const state = (await stack.host.state({ universe: UNIVERSE, sessionId: attempt!.sessionId! }))!;
      const run = findRun(state, attempt!.runId!)!;
      expect(run.submissionId).toBe(taskAttemptSubmissionId(task.id, 1));
      expect(run.source).toMatchObject({ type: 'input', items: [{ ref: inputRef }] });
      expect(state.config?.origin).toEqual({ profileId: 'writer', revision: 1 });
    } finally {
      await dispatcher.stop();
    }
  });

  it('blocks a run that claims success without its required artifacts, and fails unknown agents without retrying', async () => {
    const queue = stack.storage.tasks(UNIVERSE);
    const dispatcher = stack.dispatcher();
    try {
      const lazy = await queue.enqueue({ kind: 'doc.write', agent: 'lazy' });
      const ghost = await queue.enqueue({ kind: 'doc.write', agent: 'nobody', maxAttempts: 5 });
      const blocked = await settled(stack, lazy.task.id);
      expect(blocked.state).toBe('blocked');
      expect(blocked.lastError).toMatchObject({ class: 'missing_artifacts' });
      expect(blocked.lastError!.message).toContain('/workspace/never.md');
      const failed = await settled(stack, ghost.task.id);
      expect(failed).toMatchObject({ state: 'failed', attempts: 1, lastError: { class: 'agent_not_found' } });
    } finally {
      await dispatcher.stop();
    }
  });

  it("reschedules a rate-limited attempt no sooner than the provider's Retry-After", async () => {
    const queue = stack.storage.tasks(UNIVERSE);
    const dispatcher = stack.dispatcher();
    try {
      const { task } = await queue.enqueue({
        kind: 'q',
        agent: 'echo',
        maxAttempts: 2,
        backoff: { initialDelayMs: 10, jitter: 0 },
        payload: { prompt: script({ fault: { kind: 'rate_limit', retryAfterMs: 1500 } }) },
      });
      await until('the first attempt to fail', async () => (await queue.attempts(task.id))[0]?.outcome === 'failed');
      const [attempt] = await queue.attempts(task.id);
      expect(attempt).toMatchObject({ errorClass: 'rate_limit' });
      expect(attempt!.retryAt! - attempt!.endedAt!).toBeGreaterThanOrEqual(1500);
      const waiting = (await queue.get(task.id))!;
      expect(waiting.state).toBe('scheduled');
      expect(waiting.availableAt).toBe(attempt!.retryAt);
      await queue.cancel(task.id);
    } finally {
      await dispatcher.stop();
    }
  });

  it('cancels the run of a running task on request, and fails an attempt past its timeout', async () => {
    const queue = stack.storage.tasks(UNIVERSE);
    const dispatcher = stack.dispatcher({ leaseMs: 600 });
    try {
      const slow = { prompt: script({ text: 'slow answer', firstTokenDelayMs: 10_000 }) };
      const cancelled = await queue.enqueue({ kind: 'q', agent: 'echo', payload: slow });
      const overdue = await queue.enqueue({ kind: 'q', agent: 'echo', payload: slow, timeoutMs: 400, maxAttempts: 1 });
      await until('the run to start', async () => (await queue.attempts(cancelled.task.id))[0]?.runId !== undefined);
      await queue.cancel(cancelled.task.id);
      const ended = await settled(stack, cancelled.task.id, 5_000);
      expect(ended.state).toBe('cancelled');
      const [attempt] = await queue.attempts(cancelled.task.id);
      expect(attempt!.outcome).toBe('cancelled');
      const state = (await stack.host.state({ universe: UNIVERSE, sessionId: attempt!.sessionId! }))!;
      expect(findRun(state, attempt!.runId!)!.status).toBe('cancelled');
      const timedOut = await settled(stack, overdue.task.id, 5_000);
      expect(timedOut).toMatchObject({ state: 'failed', lastError: { class: 'timeout' } });
    } finally {
      await dispatcher.stop();
    }
  });

  it('holds tasks while dispatch is paused (universe, then one agent) and reports health', async () => {
    const queue = stack.storage.tasks(UNIVERSE);
    await stack.call('dispatch/pause', { reason: 'maintenance' });
    const dispatcher = stack.dispatcher();
    try {
      const { task } = await queue.enqueue({ kind: 'q', agent: 'echo', subject: 'paused', payload: { prompt: 'hello' } });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await queue.get(task.id))!.state).toBe('queued');
      const status = await stack.call<{ paused: boolean; counts: { queued: number }; dispatchers: { id: string }[]; oldestQueuedAgeMs: number }>('dispatch/status', {});
      expect(status.paused).toBe(true);
      expect(status.counts.queued).toBeGreaterThanOrEqual(1);
      expect(status.oldestQueuedAgeMs).toBeGreaterThanOrEqual(400);
      expect(status.dispatchers.map((d) => d.id)).toContain(dispatcher.id);

      await stack.call('dispatch/pause', { agent: 'echo' });
      await stack.call('dispatch/resume', {});
      const other = await queue.enqueue({ kind: 'doc.write', agent: 'lazy' });
      expect((await settled(stack, other.task.id)).state).toBe('blocked');
      expect((await queue.get(task.id))!.state).toBe('queued');
      expect(await stack.call('dispatch/resume', { agent: 'echo' })).toEqual({ resumed: true });
      expect((await settled(stack, task.id)).state).toBe('succeeded');
    } finally {
      await dispatcher.stop();
    }
  });

  it('adopts the run of a dispatcher that stopped mid-attempt: same attempt, same run, no attempt spent', async () => {
    const queue = stack.storage.tasks(UNIVERSE);
    const first = stack.dispatcher({ leaseMs: 500 });
    const { task } = await queue.enqueue({ kind: 'q', agent: 'echo', payload: { prompt: script({ text: 'finally done', firstTokenDelayMs: 1500 }) }, maxAttempts: 1 });
    await until('the run to start', async () => (await queue.attempts(task.id))[0]?.runId !== undefined);
    await first.stop(); // abandons the attempt, as a crash would (its lease is left to expire)
    const second = stack.dispatcher({ leaseMs: 500 });
    try {
      const done = await settled(stack, task.id);
      expect(done).toMatchObject({ state: 'succeeded', attempts: 1 });
      const attempts = await queue.attempts(task.id);
      expect(attempts).toHaveLength(1);
      expect(attempts[0]).toMatchObject({ claims: 2, dispatcher: second.id, outcome: 'succeeded' });
      const state = (await stack.host.state({ universe: UNIVERSE, sessionId: attempts[0]!.sessionId! }))!;
      expect(state.counters.run).toBe(1);
      expect(findSubmission(state.submissions, taskAttemptSubmissionId(task.id, 1))?.runId).toBe(attempts[0]!.runId);
    } finally {
      await second.stop();
    }
  });
});

describe('wake-ups across processes on PostgreSQL', () => {
  it('a dispatcher on another connection pool starts an enqueued task at once (LISTEN/NOTIFY), not at its next poll', async () => {
    const postgres = await sharedPostgres();
    const dispatching = await startDispatchStack({ backend: { kind: 'postgres', url: postgres.url }, migrate: true });
    const enqueuing = await startDispatchStack({ backend: { kind: 'postgres', url: postgres.url } });
    try {
      await dispatching.putAgent('echo', writerAgent({ template: 'hello {{payload}}' }));
      const dispatcher = dispatching.dispatcher({ pollMs: 60_000 });
      await new Promise((resolve) => setTimeout(resolve, 300)); // the listener connects
      const started = Date.now();
      const { task } = await enqueuing.storage.tasks(UNIVERSE).enqueue({ kind: 'q', agent: 'echo', payload: 'there' });
      const done = await settled(dispatching, task.id, 10_000);
      expect(done.state).toBe('succeeded');
      expect(Date.now() - started).toBeLessThan(5_000);
      await dispatcher.stop();
    } finally {
      await enqueuing.close();
      await dispatching.close();
    }
  }, 60_000);
});
