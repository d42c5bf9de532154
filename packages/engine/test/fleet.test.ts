import { describe, expect, it } from 'vitest';
import { CHILD_RUN_EFFECT, findRun, listStatus, type ChildReportCommand, type UsageTotals } from '../src/index.js';
import { SessionHarness, answer, call, ref, tool, toolCalls } from './support/session-harness.js';

const input = { type: 'input' as const, items: [{ type: 'text' as const, ref: ref('delegate') }] };
const CHILD = 'ses_test.abc';
const totals = (output: number): UsageTotals => ({ input: 10, cachedInput: 0, cacheWrite: 0, output, reasoning: 0, costUsd: null, calls: 1 });

/** A parent whose first batch spawned CHILD (run_1 of it) and then awaits it in a second call. */
function spawnedAndAwaiting(h: SessionHarness) {
  h.ok({ type: 'run.start', source: input });
  h.generate(toolCalls([call('c1', 'spawn_agent')]));
  const spawn = h.expect('invokeTools');
  h.ok({ type: 'tool.finished', runId: 'run_1', batchId: spawn.batchId, callId: 'c1', outcome: { status: 'succeeded', resultRef: ref('spawned'), isError: false, effects: [{ kind: CHILD_RUN_EFFECT, data: { sessionId: CHILD, runId: 'run_1' } }] } });
  h.generate(toolCalls([call('c2', 'await_agent')]));
  return h.expect('invokeTools');
}

function awaitChild(h: SessionHarness, batchId: string) {
  h.ok({ type: 'tool.finished', runId: 'run_1', batchId, callId: 'c2', outcome: { status: 'deferred', promiseId: 'child_1', wait: { kind: 'child', preview: CHILD, child: { sessionId: CHILD, runId: 'run_1' } } } });
}

const report = (status: ChildReportCommand['status'], extra: Partial<ChildReportCommand> = {}): ChildReportCommand => ({ type: 'child.report', childSessionId: CHILD, runId: 'run_1', status, usage: totals(5), ...extra });

describe('sub-agents (parent side)', () => {
  it('an await parks on the child; the child report resolves it with the answer and rolls its usage up', () => {
    const h = SessionHarness.open({}, [tool('spawn_agent'), tool('await_agent')]);
    const batch = spawnedAndAwaiting(h);
    awaitChild(h, batch.batchId);
    expect(h.settle()).toEqual({ type: 'wait', promiseIds: ['child_1'] });
    expect(h.state.children![CHILD]).toMatchObject({ runId: 'run_1', parentRunId: 'run_1', status: 'running' });
    const before = h.state.runs['run_1']!.usage.output;
    h.ok(report('completed', { outputRef: ref('child answer') }));
    expect(h.rejected(report('completed', { outputRef: ref('child answer') })).code).toBe('duplicate');
    h.expect('generate');
    const result = h.state.context.entries.find((e) => e.kind.type === 'toolResult' && e.kind.callId === 'c2')!;
    expect(result.contentRef).toBe(ref('child answer'));
    expect(h.state.runs['run_1']!.usage.output).toBe(before + 5);
    expect(h.state.usage.calls).toBeGreaterThanOrEqual(3);
    h.generate(answer('done'));
    h.settle();
    expect(findRun(h.state, 'run_1')!.status).toBe('completed');
    expect(h.replayed()).toBe(h.live());
  });

  it('an await after the child already finished resolves at once; a failed child fails the await, typed', () => {
    const h = SessionHarness.open({}, [tool('spawn_agent'), tool('await_agent')]);
    const batch = spawnedAndAwaiting(h);
    h.ok(report('failed', { failure: { code: 'limit_exceeded', message: 'used 3 of maxTurns = 2' } }));
    awaitChild(h, batch.batchId);
    h.expect('generate');
    const call2 = findRun(h.state, 'run_1')!.batches[1]!.calls[0]!;
    expect(call2.status).toBe('failed');
    expect(call2.isError).toBe(true);
    expect(h.blobs.get(call2.resultRef!)).toBe(`The sub-agent ${CHILD} failed (limit_exceeded): used 3 of maxTurns = 2.`);
    expect(h.replayed()).toBe(h.live());
  });

  it('a report from a session that is not a child is not_found', () => {
    const h = SessionHarness.open({}, [tool('spawn_agent')]);
    expect(h.rejected({ ...report('completed'), childSessionId: 'someone.else' }).code).toBe('not_found');
  });

  it('cancelling the parent run owes each running child a cancel, delivered until acknowledged', () => {
    const h = SessionHarness.open({}, [tool('spawn_agent'), tool('await_agent')]);
    const batch = spawnedAndAwaiting(h);
    awaitChild(h, batch.batchId);
    h.ok({ type: 'run.cancel', runId: 'run_1' });
    const deliver = h.expect('deliver');
    expect(deliver.messages).toEqual([{ messageId: `cancel_${CHILD}_run_1`, to: CHILD, command: { type: 'run.cancel', runId: 'run_1' } }]);
    expect(findRun(h.state, 'run_1')!.status).toBe('cancelled');
    expect(listStatus(h.state)).toBe('active');
    // Planned again (a crash before the acknowledgement re-plans the same delivery).
    expect(h.settle()).toEqual(deliver);
    h.ok({ type: 'outbox.delivered', messageId: deliver.messages[0]!.messageId });
    expect(h.rejected({ type: 'outbox.delivered', messageId: deliver.messages[0]!.messageId }).code).toBe('duplicate');
    expect(h.settle()).toEqual({ type: 'idle' });
    expect(listStatus(h.state)).toBe('idle');
    // The cancelled child's report still arrives and brings its usage to the session.
    h.ok(report('cancelled'));
    expect(h.state.usage.output).toBeGreaterThanOrEqual(5);
    expect(h.replayed()).toBe(h.live());
  });

  it('force-closing the parent still delivers the cancels its run owes; only their acknowledgements follow the close', () => {
    const h = SessionHarness.open({}, [tool('spawn_agent'), tool('await_agent')]);
    const batch = spawnedAndAwaiting(h);
    awaitChild(h, batch.batchId);
    h.ok({ type: 'session.close', force: true });
    expect(h.state.status).toBe('closed');
    const deliver = h.expect('deliver');
    expect(deliver.messages.map((m) => m.command)).toEqual([{ type: 'run.cancel', runId: 'run_1' }]);
    expect(listStatus(h.state)).toBe('active');
    expect(h.rejected(report('cancelled')).code).toBe('closed');
    h.ok({ type: 'outbox.delivered', messageId: deliver.messages[0]!.messageId });
    expect(h.settle()).toEqual({ type: 'closed' });
    expect(listStatus(h.state)).toBe('closed');
    expect(h.rejected({ type: 'outbox.delivered', messageId: deliver.messages[0]!.messageId }).code).toBe('duplicate');
    expect(h.replayed()).toBe(h.live());
  });
});

describe('sub-agents (child side)', () => {
  it('a child session owes its parent a report of every run end, until outbox.delivered', () => {
    const parent = { sessionId: 'ses_p', runId: 'run_3', callId: 'call_9', depth: 1 };
    const h = SessionHarness.open({ parent });
    h.ok({ type: 'run.start', source: input });
    h.generate(answer('the child answer'));
    const deliver = h.expect('deliver');
    const run = findRun(h.state, 'run_1')!;
    expect(deliver.messages).toEqual([
      { messageId: 'notify_run_1', to: 'ses_p', command: { type: 'child.report', childSessionId: 'ses_test', runId: 'run_1', status: 'completed', outputRef: run.outputRef, usage: run.usage } },
    ]);
    h.ok({ type: 'outbox.delivered', messageId: 'notify_run_1', rejection: 'closed' });
    expect(h.settle()).toEqual({ type: 'idle' });
    expect(h.replayed()).toBe(h.live());
  });

  it('a child force-closed mid-run still reports the cancelled run to its parent', () => {
    const parent = { sessionId: 'ses_p', runId: 'run_3', callId: 'call_9', depth: 1 };
    const h = SessionHarness.open({ parent });
    h.ok({ type: 'run.start', source: input });
    h.ok({ type: 'session.close', force: true });
    const deliver = h.expect('deliver');
    expect(deliver.messages[0]).toMatchObject({ messageId: 'notify_run_1', to: 'ses_p', command: { type: 'child.report', status: 'cancelled' } });
    h.ok({ type: 'outbox.delivered', messageId: 'notify_run_1' });
    expect(h.settle()).toEqual({ type: 'closed' });
    expect(h.replayed()).toBe(h.live());
  });

  it('a config with a malformed parent link is refused by path', () => {
    const h = new SessionHarness();
    const rejection = h.rejected({ type: 'session.open', sessionId: h.sessionId, config: { model: { providerId: 'fake', apiKind: 'openai:responses', model: 'm' }, parent: { sessionId: 'p', runId: 'r', callId: 'c', depth: 0 } } });
    expect(rejection).toMatchObject({ code: 'invalid', details: { path: 'config.parent.depth' } });
  });
});
