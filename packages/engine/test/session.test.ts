import { describe, expect, it } from 'vitest';
import { InvariantViolation, apply, deserializeState, needsSessionSetup, serializeState, findRun, initialState, replay, stamp, unavailableResultText, upcast, type InputRef, type StoredEntry } from '../src/index.js';
import { MODEL, SessionHarness, answer, call, ref, tool, toolCalls } from './support/session-harness.js';

const input = { type: 'input' as const, items: [{ type: 'text' as const, ref: ref('q') }] };

describe('session lifecycle and config', () => {
  it('opening again with the same config returns the session; a different config conflicts', () => {
    const h = SessionHarness.open();
    const head = h.state.head;
    expect(h.ok({ type: 'session.open', sessionId: h.sessionId, config: { model: MODEL } })).toEqual({ sessionId: h.sessionId, configRevision: 1 });
    expect(h.state.head).toBe(head);
    expect(h.rejected({ type: 'session.open', sessionId: h.sessionId, config: { model: { ...MODEL, model: 'other' } } }).code).toBe('conflict');
  });

  it('an open carrying initial context admits both in one append; a bad entry refuses the whole open', () => {
    const h = new SessionHarness();
    const entry = { key: 'prompt_instructions/profile', kind: { type: 'instructions' as const }, contentRef: ref('be brief'), preview: 'be brief', source: { type: 'runtime' as const, label: 'profile' } };
    const bad = h.rejected({ type: 'session.open', sessionId: h.sessionId, config: { model: MODEL }, context: [{ ...entry, key: 'run.x' }] });
    expect(bad.code).toBe('invalid');
    expect(h.state.status).toBe('new');
    const admission = h.submit({ type: 'session.open', sessionId: h.sessionId, config: { model: MODEL }, context: [entry] });
    expect(admission.ok && admission.events.map((e) => e.kind)).toEqual(['session.opened', 'context.put']);
    expect(admission.ok && admission.result).toMatchObject({ configRevision: 1, contextRevision: 1, entries: [{ key: entry.key, status: 'applied', entryId: 'ctx_1' }] });
    expect(h.state.context.entries).toEqual([expect.objectContaining({ id: 'ctx_1', key: entry.key, contentRef: entry.contentRef })]);
    // A retried open is a no-op: the context it carried is already there.
    expect(h.submit({ type: 'session.open', sessionId: h.sessionId, config: { model: MODEL }, context: [entry] })).toMatchObject({ ok: true, events: [] });
    expect(h.replayed()).toBe(h.live());
  });

  it('a config records the profile revision it came from; a malformed origin is refused naming the field', () => {
    const h = new SessionHarness();
    const bad = h.rejected({ type: 'session.open', sessionId: h.sessionId, config: { model: MODEL, origin: { profileId: 'reviewer', revision: 0 } } });
    expect(bad).toMatchObject({ code: 'invalid', message: 'config.origin.revision: expected a positive integer' });
    expect(h.rejected({ type: 'session.open', sessionId: h.sessionId, config: { model: MODEL, origin: { profileId: '', revision: 1 } } }).message).toMatch(/^config\.origin\.profileId/);
    h.ok({ type: 'session.open', sessionId: h.sessionId, config: { model: MODEL, origin: { profileId: 'reviewer', revision: 3 } } });
    expect(h.state.config?.origin).toEqual({ profileId: 'reviewer', revision: 3 });
    // A different origin is a different config: re-applying a newer revision is a real change.
    h.ok({ type: 'session.configure', config: { model: MODEL, origin: { profileId: 'reviewer', revision: 4 } } });
    expect(h.state).toMatchObject({ configRevision: 2, config: { origin: { revision: 4 } } });
    expect(h.replayed()).toBe(h.live());
  });

  it('a toolset records the config revision it was resolved for; needsSessionSetup sees a configure without its setup', () => {
    const h = new SessionHarness();
    h.ok({ type: 'session.open', sessionId: h.sessionId, config: { model: MODEL } });
    expect(needsSessionSetup(h.state)).toBe(true);
    // Even an empty, unchanged toolset is recorded once it has been resolved for a config.
    expect(h.ok({ type: 'tools.replace', tools: [], configRevision: 1 })).toEqual({ toolsRevision: 1 });
    expect(h.state.tools).toMatchObject({ revision: 1, configRevision: 1 });
    expect(needsSessionSetup(h.state)).toBe(false);
    expect(h.submit({ type: 'tools.replace', tools: [], configRevision: 1 })).toMatchObject({ ok: true, events: [] });
    h.ok({ type: 'session.configure', config: { model: { ...MODEL, model: 'fake-2' } } });
    expect(needsSessionSetup(h.state)).toBe(true);
    // A toolset resolved for a replaced config is stale.
    expect(h.rejected({ type: 'tools.replace', tools: [tool('t')], configRevision: 1 })).toMatchObject({ code: 'conflict', details: { expected: 1, actual: 2 } });
    expect(h.rejected({ type: 'tools.replace', tools: [], configRevision: 0 }).code).toBe('invalid');
    expect(h.ok({ type: 'tools.replace', tools: [], configRevision: 2 })).toEqual({ toolsRevision: 2 });
    expect(needsSessionSetup(h.state)).toBe(false);
    h.ok({ type: 'session.close' });
    expect(needsSessionSetup(h.state)).toBe(false);
    expect(h.replayed()).toBe(h.live());
  });

  it('toolsets from before the config revision was recorded count as set up for the config current then', () => {
    const h = SessionHarness.open({}, [tool('t')]);
    expect(h.log.at(-1)!.data).not.toHaveProperty('configRevision');
    expect(h.state.tools.configRevision).toBe(1);
    expect(needsSessionSetup(h.state)).toBe(false);
    // An old snapshot without the field: a set toolset is taken as set up, an unset one is not.
    const { configRevision: _dropped, ...oldTools } = h.state.tools;
    expect(needsSessionSetup(deserializeState(serializeState({ ...h.state, tools: oldTools })))).toBe(false);
    const fresh = new SessionHarness();
    fresh.ok({ type: 'session.open', sessionId: fresh.sessionId, config: { model: MODEL } });
    expect(needsSessionSetup(deserializeState(serializeState(fresh.state)))).toBe(true);
  });

  it('commands before open are not found', () => {
    const h = new SessionHarness();
    expect(h.rejected({ type: 'run.start', source: input }).code).toBe('not_found');
  });

  it('config is replaced whole under an expected revision', () => {
    const h = SessionHarness.open();
    expect(h.ok({ type: 'session.configure', config: { model: { ...MODEL, model: 'fake-2' } }, expectedRevision: 1 })).toEqual({ configRevision: 2 });
    const conflict = h.rejected({ type: 'session.configure', config: { model: MODEL }, expectedRevision: 1 });
    expect(conflict).toMatchObject({ code: 'conflict', details: { expected: 1, actual: 2 } });
    expect(h.ok({ type: 'session.configure', config: { model: { ...MODEL, model: 'fake-2' } } })).toEqual({ configRevision: 2 });
    expect(h.state.config).toEqual({ model: { ...MODEL, model: 'fake-2' } });
  });

  it('the API kind is pinned and the config cannot change during a run', () => {
    const h = SessionHarness.open();
    expect(h.rejected({ type: 'session.configure', config: { model: { ...MODEL, apiKind: 'anthropic:messages' } } }).code).toBe('invalid');
    h.ok({ type: 'run.start', source: input });
    h.settle();
    expect(h.rejected({ type: 'session.configure', config: { model: { ...MODEL, model: 'x' } } }).code).toBe('busy');
    expect(h.rejected({ type: 'run.start', source: input, config: { model: { ...MODEL, apiKind: 'openai:completions' } } }).code).toBe('invalid');
  });

  it('rename changes the display name', () => {
    const h = SessionHarness.open();
    h.ok({ type: 'session.rename', displayName: 'my agent' });
    expect(h.state.displayName).toBe('my agent');
  });

  it('close requires idle; force close cancels the active run, drops the queue, and everything after is closed', () => {
    const h = SessionHarness.open({}, [tool('t')]);
    h.ok({ type: 'run.start', source: input });
    h.ok({ type: 'run.start', source: input });
    h.generate(toolCalls([call('c1', 't')]));
    h.expect('invokeTools');
    expect(h.rejected({ type: 'session.close' }).code).toBe('busy');
    const admission = h.submit({ type: 'session.close', force: true });
    expect(admission.ok && admission.events.map((e) => e.kind)).toEqual(['tool.call_finished', 'turn.cancelled', 'run.cancelled', 'run.cancelled', 'session.closed']);
    expect(h.state.status).toBe('closed');
    expect(findRun(h.state, 'run_2')!.status).toBe('cancelled');
    expect(h.settle()).toEqual({ type: 'closed' });
    expect(h.rejected({ type: 'context.compact' }).code).toBe('closed');
    expect(h.rejected({ type: 'session.open', sessionId: h.sessionId, config: { model: MODEL } }).code).toBe('closed');
    expect(h.replayed()).toBe(h.live());
  });

  it('a plain close of an idle session closes it', () => {
    const h = SessionHarness.open();
    h.ok({ type: 'session.close' });
    expect(h.state.status).toBe('closed');
  });
});

describe('context entries', () => {
  const msg = (key: string, text: string) => ({ key, kind: { type: 'message' as const, role: 'user' as const }, contentRef: ref(text), preview: text });

  it('keyed entries are compare-and-set per key; a replaced entry keeps its place', () => {
    const h = SessionHarness.open();
    expect(h.ok({ type: 'context.put', entries: [msg('a', 'A'), msg('b', 'B')], expectedRevisions: { a: 0, b: 0 } })).toEqual({
      entries: [
        { key: 'a', status: 'applied', entryId: 'ctx_1', revision: 1 },
        { key: 'b', status: 'applied', entryId: 'ctx_2', revision: 1 },
      ],
      contextRevision: 1,
    });
    const conflict = h.rejected({ type: 'context.put', entries: [msg('a', 'A2')], expectedRevisions: { a: 0 } });
    expect(conflict).toMatchObject({ code: 'conflict', details: { key: 'a', expected: 0, actual: 1 } });
    const result = h.ok({ type: 'context.put', entries: [msg('a', 'A2'), msg('b', 'B')], expectedRevisions: { a: 1 } });
    expect(result.entries).toEqual([
      { key: 'a', status: 'applied', entryId: 'ctx_1', revision: 2 },
      { key: 'b', status: 'unchanged', entryId: 'ctx_2', revision: 1 },
    ]);
    expect(h.state.context.entries.map((e) => e.preview)).toEqual(['A2', 'B']);
    const head = h.state.head;
    h.ok({ type: 'context.put', entries: [msg('a', 'A2')] });
    expect(h.state.head).toBe(head);
  });

  it('remove is per key with absent keys as no-ops, under the same compare-and-set', () => {
    const h = SessionHarness.open();
    h.ok({ type: 'context.put', entries: [msg('a', 'A')] });
    expect(h.rejected({ type: 'context.remove', keys: ['a'], expectedRevisions: { a: 3 } }).code).toBe('conflict');
    expect(h.ok({ type: 'context.remove', keys: ['a', 'zz'] }).entries).toEqual([
      { key: 'a', status: 'applied' },
      { key: 'zz', status: 'unchanged' },
    ]);
    expect(h.state.context.entries).toEqual([]);
  });

  it('run.* keys are reserved and bodies must be refs', () => {
    const h = SessionHarness.open();
    expect(h.rejected({ type: 'context.put', entries: [msg('run.x', 'X')] }).code).toBe('invalid');
    expect(h.rejected({ type: 'context.put', entries: [{ ...msg('k', 'X'), contentRef: 'not a ref' as never }] }).code).toBe('invalid');
  });

  it('previews are bounded to 200 characters in events and state', () => {
    const h = SessionHarness.open();
    h.ok({ type: 'context.put', entries: [msg('long', 'x'.repeat(1_000))] });
    expect(h.state.context.entries[0]!.preview!.length).toBeLessThanOrEqual(200);
    expect(JSON.stringify(h.log.at(-1)).length).toBeLessThan(1_000);
  });

  it('instructions and catalogs come before the conversation whatever the insertion order', async () => {
    const { generationRequest } = await import('../src/index.js');
    const h = SessionHarness.open();
    h.ok({ type: 'context.put', entries: [msg('early', 'early message')] });
    h.ok({ type: 'context.put', entries: [{ key: 'skills', kind: { type: 'skillCatalog' }, contentRef: ref('skills'), preview: 'skills' }] });
    h.ok({ type: 'context.put', entries: [{ key: 'sys', kind: { type: 'instructions' }, contentRef: ref('sys'), preview: 'sys' }] });
    h.ok({ type: 'run.start', source: input });
    const gen = h.expect('generate');
    const request = generationRequest(h.state, gen.runId, gen.turnId);
    expect(request.items.map((e) => e.preview ?? e.kind.type)).toEqual(['sys', 'skills', 'early message', 'message']);
    expect(request.cacheBreakpoints).toEqual([1, 3]);
  });

  it('a context edit during a generation makes it stale: the late result is refused and the generation re-requested', () => {
    const h = SessionHarness.open();
    h.ok({ type: 'run.start', source: input });
    const first = h.expect('generate');
    h.ok({ type: 'context.put', entries: [msg('note', 'note')] });
    const rejection = h.rejected({ type: 'generation.finished', runId: first.runId, turnId: first.turnId, fingerprint: first.fingerprint, facts: answer('stale') });
    expect(rejection.code).toBe('conflict');
    const second = h.expect('generate');
    expect(second.attempt).toBe(2);
    expect(second.fingerprint).not.toBe(first.fingerprint);
    h.generate(answer('fresh'));
    h.settle();
    expect(findRun(h.state, 'run_1')!.status).toBe('completed');
  });
});

describe('tool availability', () => {
  it('a call to a tool outside the planned toolset gets a synthesized unavailable result at once', () => {
    const h = SessionHarness.open({}, [tool('read')]);
    h.ok({ type: 'run.start', source: input });
    h.generate(toolCalls([call('c1', 'read'), call('c2', 'delete_everything')]));
    const action = h.settle();
    expect(action.type === 'invokeTools' && action.calls.map((c) => c.callId)).toEqual(['c1']);
    const started = h.log.filter((e) => e.kind === 'tool.batch_started' || e.kind === 'tool.call_finished' || e.kind === 'tool.call_started');
    expect(started.map((e) => [e.kind, 'callId' in e.data ? e.data.callId : null])).toEqual([
      ['tool.batch_started', null],
      ['tool.call_started', 'c1'],
      ['tool.call_finished', 'c2'],
    ]);
    const unavailable = h.log.find((e) => e.kind === 'tool.call_finished')!.data;
    expect(unavailable).toMatchObject({ callId: 'c2', status: 'unavailable', isError: true });
    expect(h.blobs.get(unavailable.resultRef)).toBe(unavailableResultText('delete_everything'));
  });
});

describe('event versions', () => {
  it('run.accepted v1 (input list) is upcast to v2 (source) on replay', () => {
    const items: InputRef[] = [{ type: 'text', ref: ref('legacy') }];
    const v1: StoredEntry[] = [
      { seq: 1, at: 1, kind: 'session.opened', version: 1, data: { sessionId: 's', config: { model: MODEL } } },
      { seq: 2, at: 2, kind: 'run.accepted', version: 1, data: { runId: 'run_1', input: items } },
    ];
    expect(upcast(v1[1]!)).toEqual({ seq: 2, at: 2, kind: 'run.accepted', version: 2, data: { runId: 'run_1', source: { type: 'input', items } } });
    const state = replay('s', v1);
    expect(state.runs.run_1!.source).toEqual({ type: 'input', items });
    expect(() => upcast({ seq: 3, at: 3, kind: 'run.accepted', version: 7, data: {} })).toThrow(InvariantViolation);
    expect(() => upcast({ seq: 3, at: 3, kind: 'no.such', version: 1, data: {} })).toThrow(InvariantViolation);
  });
});

describe('apply invariants', () => {
  it('refuses gaps in seq, events before open, and unexpected ids', () => {
    const s = initialState('s');
    const [opened] = stamp(s, [{ kind: 'session.opened', data: { sessionId: 's', config: { model: MODEL } } }], 1);
    expect(() => apply(s, { ...opened!, seq: 2 })).toThrow(/does not follow/);
    expect(() => apply(s, { seq: 1, at: 1, kind: 'session.renamed', version: 1, data: { displayName: 'x' } })).toThrow(/session.opened/);
    const open = apply(s, opened!);
    expect(() => apply(open, { seq: 2, at: 2, kind: 'run.accepted', version: 2, data: { runId: 'run_7', source: input } })).toThrow(/unexpected run id/);
    expect(() => apply(open, { seq: 2, at: 2, kind: 'run.started', version: 1, data: { runId: 'run_1' } })).toThrow(InvariantViolation);
  });
});
