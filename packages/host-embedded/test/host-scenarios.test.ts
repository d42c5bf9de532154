import { getText } from '@lightspeed/cas';
import type { ToolCallOutcome } from '@lightspeed/engine';
import type { ToolPort } from '@lightspeed/ports';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, UNIVERSE, type Harness } from './support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const workspaceFeatures = (id: string, access: 'readOnly' | 'readWrite' = 'readWrite') => ({
  vfs: { tools: 'edit', workspaceLinks: [{ path: '/workspace', access, target: { type: 'workspace', workspaceId: id } }] },
});

async function outputText(harness: Harness, ref: string | undefined): Promise<string> {
  if (!ref) return '';
  return getText(harness.stores.blobs(UNIVERSE), ref as never);
}

describe('embedded host scenarios', () => {
  it('runs a multi-turn tool conversation against the fake provider and the real VFS tools', async () => {
    h = await startHarness();
    await h.workspace('ws1', { 'notes.md': 'the answer is 42\n' });
    await h.open('s1', { features: workspaceFeatures('ws1') });
    h.fake.enqueue({ toolCalls: [{ name: 'read_file', arguments: { file_path: '/workspace/notes.md' } }] }, { text: 'The notes say 42.' });
    const runId = await h.startRun('s1', 'what do my notes say?');
    const run = await h.waitRun('s1', runId);
    expect(run.status).toBe('completed');
    expect(run.turns).toHaveLength(2);
    const result = await getText(h.stores.blobs(UNIVERSE), run.batches[0]!.calls[0]!.resultRef!);
    expect(run.batches[0]!.calls[0]!.status, result).toBe('succeeded');
    expect(result).toContain('the answer is 42');
    expect(await outputText(h, run.outputRef)).toBe('The notes say 42.');
    // The second request carried the tool result back to the provider.
    const second = JSON.stringify(h.fake.requests[1]!.body);
    expect(second).toContain('the answer is 42');
  });

  it('runs parallel tool calls of one turn and gives each its own result', async () => {
    h = await startHarness();
    await h.workspace('ws1', { 'a.txt': 'alpha', 'b.txt': 'beta', 'c.txt': 'gamma' });
    await h.open('s1', { features: workspaceFeatures('ws1') });
    h.fake.enqueue(
      { toolCalls: ['a', 'b', 'c'].map((n) => ({ name: 'read_file', arguments: { file_path: `/workspace/${n}.txt` } })) },
      { text: 'read three files' },
    );
    const run = await h.waitRun('s1', await h.startRun('s1', 'read them all'));
    expect(run.status).toBe('completed');
    const calls = run.batches[0]!.calls;
    expect(calls.map((c) => c.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    const texts = await Promise.all(calls.map((c) => getText(h!.stores.blobs(UNIVERSE), c.resultRef!)));
    expect(texts[0]).toContain('alpha');
    expect(texts[1]).toContain('beta');
    expect(texts[2]).toContain('gamma');
  });

  it('cancelling mid-stream aborts the provider stream and cancels the run', async () => {
    h = await startHarness();
    await h.open('s1');
    h.fake.enqueue({ text: 'a very slow answer '.repeat(50), chunkLatencyMs: 100, chunkChars: 4 });
    const runId = await h.startRun('s1', 'talk slowly');
    const deltas: string[] = [];
    const unsubscribe = h.host.live.subscribe('s1', (m) => {
      if (m.delta.type === 'text') deltas.push(m.delta.text);
    });
    await h.waitFor('s1', () => deltas.length >= 2);
    await h.submit('s1', { type: 'run.cancel', runId });
    const run = await h.waitRun('s1', runId);
    unsubscribe();
    expect(run.status).toBe('cancelled');
    const seen = deltas.length;
    await new Promise((r) => setTimeout(r, 400));
    expect(deltas.length).toBe(seen); // the stream was aborted, no more deltas arrive
    // The session stays usable.
    h.fake.enqueue({ text: 'ready again' });
    const next = await h.waitRun('s1', await h.startRun('s1', 'hello'));
    expect(next.status).toBe('completed');
  });

  it('cancelling during a tool batch gives every open call a cancelled result', async () => {
    const started: string[] = [];
    const slowTools: ToolPort = {
      async resolve() {
        const { putJson } = await import('@lightspeed/cas');
        return [{ name: 'slow', parallelism: 'parallelSafe', definitionRef: await putJson(h!.stores.blobs(UNIVERSE), { description: 'slow', inputSchema: { type: 'object' } }) }];
      },
      invoke(call, context) {
        started.push(call.callId);
        return new Promise<ToolCallOutcome>((_, reject) => context.signal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' }))));
      },
    };
    h = await startHarness({ tools: () => slowTools });
    await h.open('s1');
    h.fake.enqueue({ toolCalls: [{ name: 'slow' }, { name: 'slow' }, { name: 'slow' }] });
    const runId = await h.startRun('s1', 'do three slow things');
    await h.waitFor('s1', () => started.length === 3);
    await h.submit('s1', { type: 'run.cancel', runId });
    const run = await h.waitRun('s1', runId);
    expect(run.status).toBe('cancelled');
    expect(run.batches[0]!.calls.map((c) => c.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    const state = (await h.host.state(h.ref('s1')))!;
    const results = state.context.entries.filter((e) => e.kind.type === 'toolResult');
    expect(results).toHaveLength(3);
  });

  it('steering lands at the next turn boundary and extends a run about to finish', async () => {
    h = await startHarness();
    await h.open('s1');
    h.fake.enqueue({ text: 'first answer', firstTokenDelayMs: 300 }, { text: 'answer after steering' });
    const runId = await h.startRun('s1', 'start');
    await h.waitFor('s1', (s) => s.runs[runId]?.turns.length === 1);
    const { putText } = await import('@lightspeed/cas');
    const ref = await putText(h.stores.blobs(UNIVERSE), 'also mention cats');
    await h.submit('s1', { type: 'run.steer', runId, input: [{ type: 'text', ref }] });
    const run = await h.waitRun('s1', runId);
    expect(run.status).toBe('completed');
    expect(run.turns).toHaveLength(2);
    expect(await outputText(h, run.outputRef)).toBe('answer after steering');
    expect(JSON.stringify(h.fake.requests[1]!.body)).toContain('also mention cats');
  });

  it('queues runs FIFO while one is active', async () => {
    h = await startHarness();
    await h.open('s1');
    h.fake.enqueue({ text: 'one', firstTokenDelayMs: 100 }, { text: 'two' }, { text: 'three' });
    const ids = [await h.startRun('s1', 'first'), await h.startRun('s1', 'second'), await h.startRun('s1', 'third')];
    const state = (await h.host.state(h.ref('s1')))!;
    expect(state.queue).toEqual(ids.slice(1));
    const runs = [];
    for (const id of ids) runs.push(await h.waitRun('s1', id));
    expect(runs.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
    expect(await Promise.all(runs.map((r) => outputText(h!, r.outputRef)))).toEqual(['one', 'two', 'three']);
    expect(runs[0]!.endedAt! <= runs[1]!.startedAt!).toBe(true);
  });

  it('enforces the max-turns limit by failing the run with a typed reason', async () => {
    h = await startHarness();
    await h.workspace('ws1', { 'a.txt': 'x' });
    await h.open('s1', { features: workspaceFeatures('ws1'), limits: { maxTurns: 2 } });
    const call = { toolCalls: [{ name: 'read_file', arguments: { file_path: '/workspace/a.txt' } }] };
    h.fake.enqueue(call, call, call);
    const run = await h.waitRun('s1', await h.startRun('s1', 'loop forever'));
    expect(run.status).toBe('failed');
    expect(run.failure).toMatchObject({ code: 'limit_exceeded', limit: 'max_turns', scope: 'run' });
  });

  it('compacts mid-run when a generation reports the context is full, then finishes the turn', async () => {
    h = await startHarness();
    await h.open('s1');
    h.fake.enqueue({ text: 'earlier answer' });
    await h.waitRun('s1', await h.startRun('s1', 'earlier question'));
    // openai:responses compacts natively (the fake's /responses/compact endpoint), so no summary script is consumed.
    h.fake.enqueue({ finish: 'context_length', text: 'partial' }, { text: 'final answer' });
    const run = await h.waitRun('s1', await h.startRun('s1', 'a question that overflows'));
    expect(run.status).toBe('completed');
    const state = (await h.host.state(h.ref('s1')))!;
    expect(state.lastCompaction).toBeDefined();
    expect(await outputText(h, run.outputRef)).toBe('final answer');
  });

  it('recovers from transient provider errors (429 with Retry-After, 529) and fails permanent ones cleanly', async () => {
    h = await startHarness();
    await h.open('s1');
    h.fake.enqueue({ fault: { kind: 'rate_limit', retryAfterMs: 10 } }, { fault: { kind: 'overloaded' } }, { text: 'made it' });
    const ok = await h.waitRun('s1', await h.startRun('s1', 'try hard'));
    expect(ok.status).toBe('completed');
    expect(await outputText(h, ok.outputRef)).toBe('made it');

    h.fake.enqueue({ fault: { kind: 'auth' } });
    const failed = await h.waitRun('s1', await h.startRun('s1', 'this one fails'));
    expect(failed.status).toBe('failed');
    expect(failed.failure).toMatchObject({ code: 'provider_error', errorClass: 'auth' });
    // The session stays usable after a failed run.
    h.fake.enqueue({ text: 'still here' });
    expect((await h.waitRun('s1', await h.startRun('s1', 'again'))).status).toBe('completed');
  });

  it('waits on a timer: a deferred tool call completes when its deadline passes', async () => {
    const timerTools: ToolPort = {
      async resolve() {
        const { putJson } = await import('@lightspeed/cas');
        return [{ name: 'sleep', parallelism: 'parallelSafe', definitionRef: await putJson(h!.stores.blobs(UNIVERSE), { description: 'sleep', inputSchema: { type: 'object' } }) }];
      },
      async invoke(call) {
        return { status: 'deferred', promiseId: `timer_${call.callId}`, deadline: Date.now() + 150 };
      },
    };
    h = await startHarness({ tools: () => timerTools });
    await h.open('s1');
    h.fake.enqueue({ toolCalls: [{ name: 'sleep', arguments: { seconds: 0.15 } }] }, { text: 'woke up' });
    const started = Date.now();
    const runId = await h.startRun('s1', 'sleep a bit');
    const waiting = await h.waitFor('s1', (s) => Object.values(s.promises).some((p) => p.status === 'pending'));
    expect(Object.values(waiting.promises)[0]!.deadline).toBeGreaterThan(started);
    const run = await h.waitRun('s1', runId);
    expect(run.status).toBe('completed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(await outputText(h, run.outputRef)).toBe('woke up');
  });

  it('resumes unfinished work after a restart without re-running finished tool calls', async () => {
    let executions = 0;
    let release: (() => void) | undefined;
    const gatedTools: ToolPort = {
      async resolve() {
        const { putJson } = await import('@lightspeed/cas');
        return [{ name: 'step', parallelism: 'exclusive', definitionRef: await putJson(h!.stores.blobs(UNIVERSE), { description: 'step', inputSchema: { type: 'object' } }) }];
      },
      async invoke(call, context) {
        executions += 1;
        const { putText } = await import('@lightspeed/cas');
        if (executions === 2) await new Promise<void>((resolve) => (release = resolve));
        return { status: 'succeeded', isError: false, resultRef: await putText(context.blobs, `done ${call.callId}`) };
      },
    };
    h = await startHarness({ tools: () => gatedTools });
    await h.open('s1');
    h.fake.enqueue({ toolCalls: [{ name: 'step' }, { name: 'step' }] }, { text: 'all steps done' });
    const runId = await h.startRun('s1', 'two steps');
    await h.waitFor('s1', () => release !== undefined);
    await h.restart(); // the second call was in flight; the first had finished
    release?.();
    const run = await h.waitRun('s1', runId);
    expect(run.status).toBe('completed');
    expect(run.batches[0]!.calls.map((c) => c.status)).toEqual(['succeeded', 'succeeded']);
    expect(executions).toBe(3); // call 1 once, call 2 twice (in flight at the restart), never call 1 again
  });
});
