import { putJson, putText } from '@lightspeed/cas';
import { liveKey } from '@lightspeed/driver';
import type { SessionState, ToolCallOutcome } from '@lightspeed/engine';
import type { ToolPort } from '@lightspeed/ports';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, UNIVERSE, type Harness, type HarnessOptions, type HostFactory } from '../host-harness/harness.js';
import { cancelParentCancelsChildrenScenario, closedParentRefusesReportScenario, parentAwaitsTwoChildrenScenario } from './sub-agents.js';

const workspaceFeatures = (id: string) => ({
  vfs: { tools: 'edit', workspaceLinks: [{ path: '/workspace', access: 'readWrite', target: { type: 'workspace', workspaceId: id } }] },
});

/** A tool the scenario controls, for behaviours that need a call to hang, defer or count. */
function customTool(h: () => Harness, name: string, parallelism: 'parallelSafe' | 'exclusive', invoke: ToolPort['invoke']): ToolPort {
  return {
    async resolve() {
      return [{ name, parallelism, definitionRef: await putJson(h().host.blobs(UNIVERSE), { description: name, inputSchema: { type: 'object' } }) }];
    },
    invoke,
  };
}

/**
 * The behaviour every host must show, driven through the AgentHost interface only: the same suite
 * runs against the embedded, Temporal and Restate hosts.
 */
export function describeHostScenarios(hostName: string, factory: HostFactory, options: { timeoutMs?: number } = {}): void {
  describe(`${hostName} host scenarios`, () => {
    let h: Harness | undefined;
    const start = async (opts?: HarnessOptions) => (h = await startHarness(factory, opts));
    afterEach(async () => {
      await h?.close();
      h = undefined;
    });
    const test = (name: string, fn: () => Promise<void>) => it(name, fn, options.timeoutMs ?? 30_000);

    test('runs a multi-turn tool conversation against the fake provider and the real VFS tools', async () => {
      const h = await start();
      await h.workspace('ws1', { 'notes.md': 'the answer is 42\n' });
      await h.open('s1', { features: workspaceFeatures('ws1') });
      h.fake.enqueue({ toolCalls: [{ name: 'read_file', arguments: { file_path: '/workspace/notes.md' } }] }, { text: 'The notes say 42.' });
      const run = await h.waitRun('s1', await h.startRun('s1', 'what do my notes say?'));
      expect(run.status).toBe('completed');
      expect(run.turns).toHaveLength(2);
      const result = await h.text(run.batches[0]!.calls[0]!.resultRef);
      expect(run.batches[0]!.calls[0]!.status, result).toBe('succeeded');
      expect(result).toContain('the answer is 42');
      expect(await h.text(run.outputRef)).toBe('The notes say 42.');
      expect(JSON.stringify(h.fake.requests[1]!.body)).toContain('the answer is 42');
    });

    test('puts the VFS catalog, skill catalog and prompt files into context, ahead of the conversation', async () => {
      const h = await start();
      await h.workspace('ws1', {
        '.lightspeed/prompts/style.md': 'Always answer in haiku.\n',
        '.lightspeed/skills/pdf/SKILL.md': '---\nname: pdf-tools\ndescription: Work with PDF files\n---\nUse pdftotext.\n',
      });
      await h.open('s1', { features: { vfs: { ...workspaceFeatures('ws1').vfs, skills: {}, prompts: {} } } });
      const state = (await h.host.state(h.ref('s1')))!;
      const kinds = state.context.entries.map((e) => e.kind.type);
      expect(kinds).toEqual(expect.arrayContaining(['vfsCatalog', 'skillCatalog', 'instructions']));
      h.fake.enqueue({ text: 'ok' });
      await h.waitRun('s1', await h.startRun('s1', 'hello'));
      const body = JSON.stringify(h.fake.requests[0]!.body);
      expect(body).toContain('Always answer in haiku.');
      expect(body).toContain('pdf-tools');
      // Instructions and catalogs precede the conversation in the request the provider received.
      const request = h.fake.requests[0]!.body as { instructions?: string; input?: unknown[] };
      const items = [request.instructions ?? '', ...(request.input ?? []).map((item) => JSON.stringify(item))];
      const promptAt = items.findIndex((item) => item.includes('Always answer in haiku.'));
      const userAt = items.findIndex((item) => item.includes('hello'));
      expect(promptAt).toBeGreaterThanOrEqual(0);
      expect(promptAt).toBeLessThan(userAt);
    });

    test('repairs the toolset on restart when a committed configure never got its setup', async () => {
      // The first resolve after arming fails, as if the process died between the configure and its setup.
      let failNextResolve = false;
      const h = await start({
        wrapTools: (port) => ({
          resolve: async (input) => {
            if (failNextResolve) {
              failNextResolve = false;
              throw new Error('simulated crash before the setup');
            }
            return port.resolve(input);
          },
          invoke: (call, context) => port.invoke(call, context),
          ...(port.sessionContext ? { sessionContext: (sessionId: string) => port.sessionContext!(sessionId) } : {}),
        }),
      });
      await h.workspace('ws1', { 'a.txt': 'alpha' });
      const opened = await h.open('s1', { features: workspaceFeatures('ws1') });
      expect(opened.tools.tools.map((t) => t.name)).toContain('apply_patch');
      const readOnly = { vfs: { ...workspaceFeatures('ws1').vfs, tools: 'readOnly' } };
      failNextResolve = true;
      // Hosts that retry the setup on their own may still answer; either way the configure is committed.
      await h.submit('s1', { type: 'session.configure', config: { ...opened.config!, features: readOnly } }).catch(() => undefined);
      await h.restart();
      const repaired = await h.waitFor('s1', (s) => s.configRevision === 2 && s.tools.configRevision === 2);
      const names = repaired.tools.tools.map((t) => t.name);
      expect(names).toContain('read_file');
      expect(names).not.toContain('apply_patch');
    });

    test('runs parallel tool calls of one turn and gives each its own result', async () => {
      const h = await start();
      await h.workspace('ws1', { 'a.txt': 'alpha', 'b.txt': 'beta', 'c.txt': 'gamma' });
      await h.open('s1', { features: workspaceFeatures('ws1') });
      h.fake.enqueue({ toolCalls: ['a', 'b', 'c'].map((n) => ({ name: 'read_file', arguments: { file_path: `/workspace/${n}.txt` } })) }, { text: 'read three files' });
      const run = await h.waitRun('s1', await h.startRun('s1', 'read them all'));
      expect(run.status).toBe('completed');
      const calls = run.batches[0]!.calls;
      expect(calls.map((c) => c.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
      const texts = await Promise.all(calls.map((c) => h.text(c.resultRef)));
      expect(texts[0]).toContain('alpha');
      expect(texts[1]).toContain('beta');
      expect(texts[2]).toContain('gamma');
    });

    test('cancelling mid-stream aborts the provider stream and cancels the run', async () => {
      const h = await start();
      await h.open('s1');
      h.fake.enqueue({ text: 'a very slow answer '.repeat(50), chunkLatencyMs: 100, chunkChars: 4 });
      const runId = await h.startRun('s1', 'talk slowly');
      const deltas: string[] = [];
      const unsubscribe = h.host.live.subscribe(liveKey(h.ref('s1')), (m) => {
        if (m.delta.type === 'text') deltas.push(m.delta.text);
      });
      const deadline = Date.now() + 10_000;
      while (deltas.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(deltas.length).toBeGreaterThanOrEqual(2);
      await h.submit('s1', { type: 'run.cancel', runId });
      const run = await h.waitRun('s1', runId);
      expect(run.status).toBe('cancelled');
      await new Promise((r) => setTimeout(r, 300));
      const seen = deltas.length;
      await new Promise((r) => setTimeout(r, 400));
      unsubscribe();
      expect(deltas.length).toBe(seen); // the stream was aborted: no more deltas arrive
      h.fake.enqueue({ text: 'ready again' });
      expect((await h.waitRun('s1', await h.startRun('s1', 'hello'))).status).toBe('completed');
    });

    test('cancelling during a tool batch gives every open call a cancelled result', async () => {
      const started: string[] = [];
      const h = await start({
        tools: (hh) =>
          customTool(() => hh, 'slow', 'parallelSafe', (call, context) => {
            started.push(call.callId);
            return new Promise<ToolCallOutcome>((_, reject) => context.signal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' }))));
          }),
      });
      await h.open('s1');
      h.fake.enqueue({ toolCalls: [{ name: 'slow' }, { name: 'slow' }, { name: 'slow' }] });
      const runId = await h.startRun('s1', 'do three slow things');
      await h.waitFor('s1', (s) => (s.runs[runId]?.batches[0]?.calls.length ?? 0) === 3 && started.length === 3);
      await h.submit('s1', { type: 'run.cancel', runId });
      const run = await h.waitRun('s1', runId);
      expect(run.status).toBe('cancelled');
      expect(run.batches[0]!.calls.map((c) => c.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
      const state = (await h.host.state(h.ref('s1')))!;
      expect(state.context.entries.filter((e) => e.kind.type === 'toolResult')).toHaveLength(3);
    });

    test('steering lands at the next turn boundary and extends a run about to finish', async () => {
      const h = await start();
      await h.open('s1');
      h.fake.enqueue({ text: 'first answer', firstTokenDelayMs: 500 }, { text: 'answer after steering' });
      const runId = await h.startRun('s1', 'start');
      await h.waitFor('s1', (s) => s.runs[runId]?.turns.length === 1);
      const ref = await putText(h.host.blobs(UNIVERSE), 'also mention cats');
      await h.submit('s1', { type: 'run.steer', runId, input: [{ type: 'text', ref }] });
      const run = await h.waitRun('s1', runId);
      expect(run.status).toBe('completed');
      expect(run.turns).toHaveLength(2);
      expect(await h.text(run.outputRef)).toBe('answer after steering');
      expect(JSON.stringify(h.fake.requests[1]!.body)).toContain('also mention cats');
    });

    test('queues runs FIFO while one is active', async () => {
      const h = await start();
      await h.open('s1');
      h.fake.enqueue({ text: 'one', firstTokenDelayMs: 300 }, { text: 'two' }, { text: 'three' });
      const ids = [await h.startRun('s1', 'first'), await h.startRun('s1', 'second'), await h.startRun('s1', 'third')];
      const state = (await h.host.state(h.ref('s1')))!;
      expect(state.queue).toEqual(ids.slice(1));
      const runs = [];
      for (const id of ids) runs.push(await h.waitRun('s1', id));
      expect(runs.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
      expect(await Promise.all(runs.map((r) => h.text(r.outputRef)))).toEqual(['one', 'two', 'three']);
      expect(runs[0]!.endedAt! <= runs[1]!.startedAt!).toBe(true);
    });

    test('enforces the max-turns limit by failing the run with a typed reason', async () => {
      const h = await start();
      await h.workspace('ws1', { 'a.txt': 'x' });
      await h.open('s1', { features: workspaceFeatures('ws1'), limits: { maxTurns: 2 } });
      const call = { toolCalls: [{ name: 'read_file', arguments: { file_path: '/workspace/a.txt' } }] };
      h.fake.enqueue(call, call, call);
      const run = await h.waitRun('s1', await h.startRun('s1', 'loop forever'));
      expect(run.status).toBe('failed');
      expect(run.failure).toMatchObject({ code: 'limit_exceeded', limit: 'max_turns', scope: 'run' });
    });

    test('compacts mid-run when a generation reports the context is full, then finishes the turn', async () => {
      const h = await start();
      await h.open('s1');
      h.fake.enqueue({ text: 'earlier answer' });
      await h.waitRun('s1', await h.startRun('s1', 'earlier question'));
      // openai:responses compacts natively (the fake's /responses/compact), so no summary script is consumed.
      h.fake.enqueue({ finish: 'context_length', text: 'partial' }, { text: 'final answer' });
      const run = await h.waitRun('s1', await h.startRun('s1', 'a question that overflows'));
      expect(run.status).toBe('completed');
      const state = (await h.host.state(h.ref('s1')))!;
      expect(state.lastCompaction).toBeDefined();
      expect(await h.text(run.outputRef)).toBe('final answer');
    });

    test('counts every billed attempt in the usage totals: a 429, a failed stream that reported usage, a mid-run compaction, the answer', async () => {
      const h = await start();
      await h.open('s1');
      const usage = (input: number, output: number) => ({ input, cachedInput: 0, cacheWrite: 0, output, reasoning: 0 });
      h.fake.enqueue({ text: 'earlier answer', usage: usage(20, 3) });
      const first = await h.waitRun('s1', await h.startRun('s1', 'earlier question'));
      h.fake.enqueue(
        { fault: { kind: 'rate_limit', retryAfterMs: 10 } },
        { text: 'cut', usage: usage(30, 2), fault: { kind: 'server' }, faultAfterEvents: 2 },
        { finish: 'context_length', text: 'partial' },
        { text: 'final answer', usage: usage(25, 4) },
      );
      const run = await h.waitRun('s1', await h.startRun('s1', 'a question that overflows'));
      expect(run.status).toBe('completed');
      // Billed: the failed stream, the native compaction (the fake reports 16 output tokens), the answer.
      // The 429 and the context_length refusal reported no usage.
      expect(run.usage).toMatchObject({ calls: 3, output: 2 + 16 + 4, costUsd: null });
      expect(run.usage.input).toBeGreaterThan(30 + 25);
      const state = (await h.host.state(h.ref('s1')))!;
      expect(state.usage).toMatchObject({ calls: 4, input: first.usage.input + run.usage.input, output: 3 + run.usage.output });
    });

    test('recovers from transient provider errors (429 with Retry-After, 529) and fails permanent ones cleanly', async () => {
      const h = await start();
      await h.open('s1');
      h.fake.enqueue({ fault: { kind: 'rate_limit', retryAfterMs: 10 } }, { fault: { kind: 'overloaded' } }, { text: 'made it' });
      const ok = await h.waitRun('s1', await h.startRun('s1', 'try hard'));
      expect(ok.status).toBe('completed');
      expect(await h.text(ok.outputRef)).toBe('made it');
      h.fake.enqueue({ fault: { kind: 'auth' } });
      const failed = await h.waitRun('s1', await h.startRun('s1', 'this one fails'));
      expect(failed.status).toBe('failed');
      expect(failed.failure).toMatchObject({ code: 'provider_error', errorClass: 'auth' });
      h.fake.enqueue({ text: 'still here' });
      expect((await h.waitRun('s1', await h.startRun('s1', 'again'))).status).toBe('completed');
    });

    test('refuses an unknown provider or bad native params at submit, naming the field, and admits nothing', async () => {
      const h = await start();
      const model = { providerId: 'fake', apiKind: 'openai:responses' as const, model: 'fake-model' };
      const nope = await h.host.submit(h.ref('bad'), { type: 'session.open', sessionId: 'bad', config: { model: { ...model, providerId: 'nope' } } });
      expect(nope).toMatchObject({ ok: false, rejection: { code: 'invalid', details: { path: 'config.model.providerId' } } });
      expect(nope.ok || nope.rejection.message).toMatch(/^config\.model\.providerId: unknown provider "nope"/);
      expect(await h.host.state(h.ref('bad'))).toBeUndefined();
      await h.open('s1');
      const native = await h.host.submit(h.ref('s1'), { type: 'session.configure', config: { model, generation: { native: { top_p: 2 } } } });
      expect(native).toMatchObject({ ok: false, rejection: { code: 'invalid', details: { path: 'config.generation.native.top_p' } } });
      const ref = await putText(h.blobs, 'hi');
      const run = await h.host.submit(h.ref('s1'), { type: 'run.start', source: { type: 'input', items: [{ type: 'text', ref }] }, config: { model: { ...model, providerId: 'nope' } } });
      expect(run).toMatchObject({ ok: false, rejection: { code: 'invalid', details: { path: 'config.model.providerId' } } });
      const state = (await h.host.state(h.ref('s1')))!;
      expect(state.counters.run).toBe(0);
      expect(state.config?.generation).toBeUndefined();
    });

    test('waits on a timer: a deferred tool call completes when its deadline passes', async () => {
      const h = await start({
        tools: (hh) => customTool(() => hh, 'sleep', 'parallelSafe', async (call) => ({ status: 'deferred', promiseId: `timer_${call.callId}`, deadline: Date.now() + 300 })),
      });
      await h.open('s1');
      h.fake.enqueue({ toolCalls: [{ name: 'sleep', arguments: { seconds: 0.3 } }] }, { text: 'woke up' });
      const started = Date.now();
      const runId = await h.startRun('s1', 'sleep a bit');
      const waiting = await h.waitFor('s1', (s) => Object.values(s.promises).some((p) => p.status === 'pending'));
      expect(Object.values(waiting.promises)[0]!.deadline).toBeGreaterThan(started);
      const run = await h.waitRun('s1', runId);
      expect(run.status).toBe('completed');
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(await h.text(run.outputRef)).toBe('woke up');
    });

    test('asks for approval: a denied call reports the denial, an approved one runs, across a restart', async () => {
      const runs: string[] = [];
      const h = await start({
        tools: (hh) =>
          customTool(() => hh, 'deploy', 'exclusive', async (call, context) => {
            runs.push(call.callId);
            return { status: 'succeeded', isError: false, resultRef: await putText(context.blobs, `deployed ${call.callId}`) };
          }),
      });
      await h.open('s1', { approvals: { rules: [{ tool: 'deploy', policy: 'ask' }] } });
      h.fake.enqueue({ toolCalls: [{ name: 'deploy' }] }, { toolCalls: [{ name: 'deploy' }] }, { text: 'one deploy went out' });
      const runId = await h.startRun('s1', 'deploy twice');
      const pendingApproval = (s: SessionState) => Object.values(s.promises).find((p) => p.status === 'pending' && p.wait?.kind === 'approval');
      const first = pendingApproval(await h.waitFor('s1', (s) => pendingApproval(s) !== undefined))!;
      const denied = await h.host.submit(h.ref('s1'), { type: 'promise.resolve', promiseId: first.promiseId, outcome: 'failed', payloadRef: await putText(h.blobs, 'denied: change freeze') });
      expect(denied.ok).toBe(true);
      const second = pendingApproval(await h.waitFor('s1', (s) => (pendingApproval(s)?.promiseId ?? first.promiseId) !== first.promiseId))!;
      // The approval survives a restart of the host; nothing ran while it waited.
      await h.restart();
      expect(runs).toEqual([]);
      expect((await h.host.submit(h.ref('s1'), { type: 'promise.resolve', promiseId: second.promiseId, actor: 'tester' })).ok).toBe(true);
      const run = await h.waitRun('s1', runId);
      expect(run.status).toBe('completed');
      expect(run.batches.map((b) => b.calls[0]!.status)).toEqual(['failed', 'succeeded']);
      expect(await h.text(run.batches[0]!.calls[0]!.resultRef)).toBe('denied: change freeze');
      expect(runs).toEqual([run.batches[1]!.calls[0]!.callId]);
    });

    test('a parent spawns two sub-agents in parallel, awaits both, and completes with their answers', async () => {
      await parentAwaitsTwoChildrenScenario(await start());
    });

    test('cancelling a parent that awaits its sub-agents cancels their runs too', async () => {
      await cancelParentCancelsChildrenScenario(await start());
    });

    test('a force-closed parent refuses its cancelled sub-agent\'s report, and the refusal is logged', async () => {
      await closedParentRefusesReportScenario(await start());
    });

    test('resumes unfinished work after a restart without re-running finished tool calls', async () => {
      const executions = new Map<string, number>();
      let gate: (() => void) | undefined;
      const h = await start({
        tools: (hh) =>
          customTool(() => hh, 'step', 'exclusive', async (call, context) => {
            const n = (executions.get(call.callId) ?? 0) + 1;
            executions.set(call.callId, n);
            // The second call hangs on its first execution: the host is restarted under it.
            if (executions.size === 2 && n === 1) await new Promise<void>((resolve) => (gate = resolve));
            return { status: 'succeeded', isError: false, resultRef: await putText(context.blobs, `done ${call.callId}`) };
          }),
      });
      await h.open('s1');
      h.fake.enqueue({ toolCalls: [{ name: 'step' }, { name: 'step' }] }, { text: 'all steps done' });
      const runId = await h.startRun('s1', 'two steps');
      const deadline = Date.now() + 15_000;
      while (!gate && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(gate).toBeDefined();
      await h.restart();
      const run = await h.waitRun('s1', runId);
      gate?.();
      expect(run.status).toBe('completed');
      expect(run.batches[0]!.calls.map((c) => c.status)).toEqual(['succeeded', 'succeeded']);
      const [first, second] = run.batches[0]!.calls.map((c) => executions.get(c.callId));
      expect(first).toBe(1); // finished before the restart: never executed again
      expect(second).toBe(2); // in flight at the restart: executed again
    });
  });
}
