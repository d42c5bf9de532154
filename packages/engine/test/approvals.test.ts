import { describe, expect, it } from 'vitest';
import { DENIED_RESULT_TEXT, approvalPolicyOf, findRun, notAllowedResultText, validateSessionConfig } from '../src/index.js';
import { SessionHarness, answer, call, ref, tool, toolCalls } from './support/session-harness.js';

const input = (text: string) => ({ type: 'input' as const, items: [{ type: 'text' as const, ref: ref(text) }] });
const approvals = { default: 'always' as const, rules: [{ tool: 'shell', policy: 'ask' as const }, { tool: 'mcp__prod__*', policy: 'never' as const }] };

function resultOf(h: SessionHarness, callId: string) {
  return h.state.context.entries.find((e) => e.kind.type === 'toolResult' && e.kind.callId === callId)!;
}

describe('tool approvals', () => {
  it('matches the first rule by name or * pattern, else the default', () => {
    expect(approvalPolicyOf(approvals, 'shell')).toBe('ask');
    expect(approvalPolicyOf(approvals, 'mcp__prod__drop_table')).toBe('never');
    expect(approvalPolicyOf(approvals, 'mcp__prodx')).toBe('always');
    expect(approvalPolicyOf({ default: 'ask', rules: [{ tool: '*_file', policy: 'always' }] }, 'read_file')).toBe('always');
    expect(approvalPolicyOf({ default: 'ask' }, 'read_file')).toBe('ask');
    expect(approvalPolicyOf(undefined, 'anything')).toBe('always');
  });

  it('validates the rules, naming the field', () => {
    const model = { providerId: 'fake', apiKind: 'openai:responses' as const, model: 'm' };
    expect(validateSessionConfig({ model, approvals: { rules: [{ tool: 'x', policy: 'sometimes' }] } })).toMatchObject({ ok: false, rejection: { message: expect.stringMatching(/^config\.approvals\.rules\[0\]\.policy: expected one of always, ask, never/) } });
    expect(validateSessionConfig({ model, approvals: { defualt: 'ask' } })).toMatchObject({ ok: false, rejection: { message: 'config.approvals.defualt: unknown field' } });
    expect(validateSessionConfig({ model, approvals })).toBeUndefined();
  });

  it('an ask call waits for approval while the rest of its batch runs; approved, it runs; never is refused at once', () => {
    const h = SessionHarness.open({ approvals }, [tool('shell'), tool('read'), tool('mcp__prod__drop')]);
    h.ok({ type: 'run.start', source: input('clean up') });
    h.generate(toolCalls([call('c1', 'shell'), call('c2', 'read'), call('c3', 'mcp__prod__drop')]));
    const invoke = h.expect('invokeTools');
    // Only the freely allowed call is invoked; the refused one already has its result.
    expect(invoke.calls.map((c) => c.callId)).toEqual(['c2']);
    expect(h.blobs.get(resultOf(h, 'c3').contentRef)).toBe(notAllowedResultText('mcp__prod__drop'));
    const promise = h.state.promises.approval_batch_1_1!;
    expect(promise).toMatchObject({ status: 'pending', wait: { kind: 'approval', preview: 'shell', detailRef: expect.stringMatching(/^sha256:/) } });
    h.ok({ type: 'tool.finished', runId: 'run_1', batchId: invoke.batchId, callId: 'c2', outcome: { status: 'succeeded', resultRef: ref('listing'), isError: false } });
    expect(h.settle()).toEqual({ type: 'wait', promiseIds: ['approval_batch_1_1'] });
    // Approving is an external resolution, attributed to whoever gave it.
    h.ok({ type: 'promise.resolve', promiseId: 'approval_batch_1_1', actor: 'key ops-oncall' });
    expect(h.log.at(-1)).toMatchObject({ kind: 'promise.resolved', data: { promiseId: 'approval_batch_1_1', by: 'external', actor: 'key ops-oncall' } });
    const after = h.expect('invokeTools');
    expect(after.calls.map((c) => c.callId)).toEqual(['c1']);
    expect(h.state.promises).toEqual({});
    h.ok({ type: 'tool.finished', runId: 'run_1', batchId: invoke.batchId, callId: 'c1', outcome: { status: 'succeeded', resultRef: ref('cleaned'), isError: false } });
    h.expect('generate');
    h.generate(answer('done'));
    h.settle();
    expect(findRun(h.state, 'run_1')!.status).toBe('completed');
    expect(h.replayed()).toBe(h.live());
  });

  it('a denial is the call\'s result (the reason, or a fixed note) and the run goes on', () => {
    const h = SessionHarness.open({ approvals }, [tool('shell')]);
    h.ok({ type: 'run.start', source: input('deploy') });
    h.generate(toolCalls([call('c1', 'shell')]));
    expect(h.settle()).toEqual({ type: 'wait', promiseIds: ['approval_batch_1_1'] });
    h.ok({ type: 'promise.resolve', promiseId: 'approval_batch_1_1', outcome: 'failed', payloadRef: ref('Denied: not on a Friday') });
    h.expect('generate');
    expect(resultOf(h, 'c1')).toMatchObject({ kind: { isError: true }, contentRef: ref('Denied: not on a Friday') });
    h.generate(toolCalls([call('c2', 'shell')]));
    h.settle();
    h.ok({ type: 'promise.resolve', promiseId: 'approval_batch_2_1', outcome: 'cancelled' });
    h.expect('generate');
    expect(h.blobs.get(resultOf(h, 'c2').contentRef)).toBe(DENIED_RESULT_TEXT);
    expect(h.replayed()).toBe(h.live());
  });

  it('approve for the session: later calls of that tool run without asking, including one already waiting', () => {
    const h = SessionHarness.open({ approvals }, [tool('shell')]);
    h.ok({ type: 'run.start', source: input('twice') });
    h.generate(toolCalls([call('c1', 'shell'), call('c2', 'shell')]));
    h.settle();
    expect(Object.keys(h.state.promises).sort()).toEqual(['approval_batch_1_1', 'approval_batch_1_2']);
    expect(h.rejected({ type: 'promise.resolve', promiseId: 'approval_batch_1_1', outcome: 'failed', forSession: true }).code).toBe('invalid');
    h.ok({ type: 'promise.resolve', promiseId: 'approval_batch_1_1', forSession: true });
    expect(h.state.approvedTools).toEqual(['shell']);
    const invoke = h.expect('invokeTools');
    expect(invoke.calls.map((c) => c.callId)).toEqual(['c1', 'c2']);
    expect(h.state.promises).toEqual({});
    for (const id of ['c1', 'c2']) h.ok({ type: 'tool.finished', runId: 'run_1', batchId: invoke.batchId, callId: id, outcome: { status: 'succeeded', resultRef: ref(id), isError: false } });
    h.generate(toolCalls([call('c3', 'shell')]));
    expect(h.expect('invokeTools').calls.map((c) => c.callId)).toEqual(['c3']);
    expect(h.replayed()).toBe(h.live());
  });

  it('cancelling a run waiting for an approval cancels the call and drops the promise', () => {
    const h = SessionHarness.open({ approvals }, [tool('shell')]);
    h.ok({ type: 'run.start', source: input('wait') });
    h.generate(toolCalls([call('c1', 'shell')]));
    h.settle();
    h.ok({ type: 'run.cancel', runId: 'run_1', force: true });
    h.settle();
    expect(h.state.promises).toEqual({});
    expect(findRun(h.state, 'run_1')!.status).toBe('cancelled');
    expect(h.rejected({ type: 'promise.resolve', promiseId: 'approval_batch_1_1' }).code).toBe('duplicate');
  });
});
