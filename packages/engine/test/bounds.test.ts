import { describe, expect, it } from 'vitest';
import { RECENT_RUNS_LIMIT, SUBMISSION_PAGE_SIZE, SUBMISSION_PAGES, findRun, serializeState } from '../src/index.js';
import { SessionHarness, answer, ref, usage } from './support/session-harness.js';

const input = (text: string) => ({ type: 'input' as const, items: [{ type: 'text' as const, ref: ref(text), preview: text }] });

describe('bounded state for long sessions', () => {
  it('keeps the last 50 terminal runs and the last ~1000 submissions; the log keeps everything', () => {
    const h = SessionHarness.open();
    const runs = 1_100;
    for (let i = 0; i < runs; i++) {
      h.ok({ type: 'run.start', submissionId: `sub-${i}`, source: input(`q${i}`) });
      h.generate(answer(`a${i}`, { usage: usage() }));
      h.settle();
    }
    expect(h.state.recentRuns).toHaveLength(RECENT_RUNS_LIMIT);
    expect(findRun(h.state, `run_${runs}`)!.status).toBe('completed');
    expect(findRun(h.state, 'run_1')).toBeUndefined();
    const remembered = h.state.submissions.reduce((n, page) => n + page.length, 0);
    expect(remembered).toBeLessThanOrEqual(SUBMISSION_PAGES * SUBMISSION_PAGE_SIZE);
    expect(remembered).toBeGreaterThan((SUBMISSION_PAGES - 1) * SUBMISSION_PAGE_SIZE);
    // A recent submission is still recognised; a forgotten one counts as new.
    expect(h.ok({ type: 'run.start', submissionId: `sub-${runs - 1}`, source: input(`q${runs - 1}`) })).toMatchObject({ duplicate: true });
    expect(h.ok({ type: 'run.start', submissionId: 'sub-0', source: input('q0') }).duplicate).toBeUndefined();
    expect(h.state.usage.calls).toBe(runs);
    expect(h.log.filter((e) => e.kind === 'run.completed')).toHaveLength(runs);
    expect(h.replayed()).toBe(h.live());
    // The snapshot does not grow with the number of runs once the bounds are reached (context aside).
    expect(serializeState({ ...h.state, context: { revision: 0, entries: [] } }).length).toBeLessThan(200_000);
  });
});

describe('cancellation meets compaction', () => {
  it('cancelling a run during its mid-run compaction lets the compaction finish and the session go idle', () => {
    const h = SessionHarness.open();
    h.ok({ type: 'run.start', source: input('huge') });
    h.generate({ finishReason: 'context_length', usage: usage(), outputs: [], toolCalls: [] });
    const compact = h.expect('compact');
    h.ok({ type: 'run.cancel', runId: 'run_1' });
    expect(h.settle()).toEqual(compact);
    expect(findRun(h.state, 'run_1')!.status).toBe('cancelled');
    h.ok({ type: 'compaction.finished', compactionId: compact.compactionId, fingerprint: compact.fingerprint, facts: { outputs: [{ kind: { type: 'message', role: 'user' }, contentRef: ref('s'), preview: 's' }], usage: usage() } });
    expect(h.settle()).toEqual({ type: 'idle' });
    expect(h.replayed()).toBe(h.live());
  });

  it('force-closing during a compaction cancels it and later results are refused as closed', () => {
    const h = SessionHarness.open();
    h.ok({ type: 'run.start', source: input('q') });
    h.generate(answer('a'));
    h.ok({ type: 'context.compact' });
    const compact = h.expect('compact');
    expect(h.rejected({ type: 'session.close' }).code).toBe('busy');
    h.ok({ type: 'session.close', force: true });
    expect(h.state.lastCompaction).toMatchObject({ outcome: 'cancelled' });
    expect(h.rejected({ type: 'compaction.finished', compactionId: compact.compactionId, facts: { outputs: [], usage: usage() } }).code).toBe('closed');
    expect(h.settle()).toEqual({ type: 'closed' });
  });
});
