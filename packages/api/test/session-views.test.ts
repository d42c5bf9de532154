import { admit, apply, initialState, plan, refOfText, stamp, type Command, type LogEntry, type SessionState } from '@lightspeed/engine';
import { describe, expect, it } from 'vitest';
import { configDocument, toEngineConfig, toRunConfig } from '../src/views/config-mapping.js';
import { sessionEventViews } from '../src/views/session-event-view.js';
import { sessionSummaryView, sessionView } from '../src/views/session-view.js';
import { ContractValidator } from './support/contract-validator.js';

const model = { providerId: 'fake', apiKind: 'openai:responses' as const, model: 'fake-echo' };

/** Drives the pure engine directly: admit a command, stamp and apply its events (plus planned appends). */
function session() {
  let state: SessionState = initialState('views-1');
  const log: { before: SessionState; after: SessionState; entry: LogEntry }[] = [];
  let at = 1_000;
  const append = (drafts: Parameters<typeof stamp>[1]) => {
    for (const entry of stamp(state, drafts, (at += 10))) {
      const before = state;
      state = apply(state, entry);
      log.push({ before, after: state, entry });
    }
  };
  const submit = (command: Command) => {
    const admission = admit(state, command, at);
    if (!admission.ok) throw new Error(admission.rejection.message);
    append(admission.events);
    return admission.result;
  };
  /** Applies planned appends (run start, turn start) until the engine asks for an effect. */
  const settle = () => {
    for (let action = plan(state); action.type === 'append'; action = plan(state)) append(action.events);
  };
  return { submit, settle, get state() { return state; }, log };
}

describe('engine state and log → contract views', () => {
  const contract = new ContractValidator();

  it('keeps the contract config document verbatim and derives the engine config from it', () => {
    const document = { model, generation: { maxOutputTokens: 100, toolChoice: { type: 'requiredAny' as const } }, limits: { maxTurns: 3 }, context: { compaction: { mode: 'providerTriggered' as const, compact_threshold_tokens: 5_000 } } };
    const config = toEngineConfig(document, { model });
    expect(config).toMatchObject({ model, generation: { maxOutputTokens: 100, toolChoice: 'required' }, limits: { maxTurns: 3 }, compaction: { mode: 'auto', thresholdTokens: 5_000 } });
    expect(configDocument(config)).toEqual(document);
    expect(toEngineConfig({}, { model }).document).toEqual({ model });
    expect(() => toEngineConfig({ model: { ...model, apiKind: 'openai:realtime' } }, { model })).toThrow(/apiKind/);
    expect(toRunConfig({ limits: { maxToolRounds: 2 } })).toEqual({ limits: { maxToolRounds: 2 } });
  });

  it('projects a session with context and a running run into contract-valid views and events', () => {
    const s = session();
    s.submit({ type: 'session.open', sessionId: 'views-1', config: toEngineConfig({ model }, { model }), displayName: 'Views' });
    s.submit({ type: 'context.put', entries: [{ key: 'rules', kind: { type: 'instructions' }, contentRef: refOfText('Be brief.'), preview: 'Be brief.' }] });
    s.submit({ type: 'run.start', submissionId: 'sub', source: { type: 'input', items: [{ type: 'text', ref: refOfText('hello'), preview: 'hello' }] } });
    s.settle();
    s.submit({ type: 'session.rename', displayName: 'Renamed' });

    const view = sessionView(s.state);
    expect(contract.check('#/definitions/SessionView', view)).toEqual([]);
    expect(view).toMatchObject({ id: 'views-1', status: 'active', displayName: 'Renamed', configRevision: 1, config: { model } });
    expect(view.runs).toHaveLength(1);
    expect(view.runs![0]).toMatchObject({ status: 'running', source: { type: 'input', items: [{ type: 'textRef', blobRef: refOfText('hello') }] } });
    expect(view.runs![0]!.entries!.map((entry) => entry.preview)).toEqual(['hello']);
    expect(contract.check('#/definitions/SessionSummaryView', sessionSummaryView(s.state))).toEqual([]);

    const events = s.log.flatMap(({ before, after, entry }) => sessionEventViews('views-1', before, after, entry));
    for (const event of events) expect(contract.check('#/definitions/SessionEventView', event), event.kind.type).toEqual([]);
    expect(events.map((event) => event.kind.type)).toEqual([
      'sessionOpened',
      'contextEntriesApplied',
      'runAccepted',
      'runStarted',
      'contextEntriesApplied',
      'turnStarted',
      'turnGenerationRequested',
    ]);
    const accepted = events.find((event) => event.kind.type === 'runAccepted')!;
    expect(accepted.joins).toEqual({ runId: 'run_1', submissionId: 'sub' });
    const input = events.filter((event) => event.kind.type === 'contextEntriesApplied')[1]!;
    expect(input.kind).toMatchObject({ baseRevision: 1, revision: 2 });
    // Every event has its own position, rising with the log (session.renamed has no contract event).
    const positions = events.map((event) => event.cursor.seq);
    expect(new Set(positions).size).toBe(events.length);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });
});
