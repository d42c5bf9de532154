// A long session continues-as-new with constant-size arguments (ids + a snapshot ref) and the next
// execution rehydrates from the store: same session, same behaviour, history restarted.
import { startHarness, type Harness } from '@lightspeed/testkit/host-harness';
import { afterEach, describe, expect, it } from 'vitest';
import { sessionWorkflowId, type SessionWorkflowInput } from '../src/index.js';
import { startTemporalTestHost, type TemporalTestHost } from './support/temporal-env.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('continue-as-new', () => {
  it('starts a fresh execution from a snapshot ref once history passes the threshold, and the session carries on', async () => {
    let underTest: TemporalTestHost | undefined;
    h = await startHarness(async (deps) => (underTest = await startTemporalTestHost({ ...deps, backend: 'pglite', workflow: { maxHistoryEvents: 40, snapshotEvery: 10 } })));
    await h.open('s1');
    const handle = underTest!.client.workflow.getHandle(sessionWorkflowId('u-test', 's1'));
    const firstRunId = (await handle.describe()).runId;
    const answers: string[] = [];
    for (let turn = 1; turn <= 8; turn++) {
      h.fake.enqueue({ text: `answer ${turn}` });
      const run = await h.waitRun('s1', await h.startRun('s1', `question ${turn}`));
      expect(run.status).toBe('completed');
      answers.push(await h.text(run.outputRef));
    }
    expect(answers).toEqual(Array.from({ length: 8 }, (_, i) => `answer ${i + 1}`));

    const description = await handle.describe();
    expect(description.runId).not.toBe(firstRunId);
    expect(description.historyLength).toBeLessThan(60);
    // The continued execution started from ids and a snapshot ref only.
    const history = await handle.fetchHistory();
    const started = history.events![0]!.workflowExecutionStartedEventAttributes!;
    const input = JSON.parse(new TextDecoder().decode(started.input!.payloads![0]!.data!)) as SessionWorkflowInput;
    expect(Object.keys(input).sort()).toEqual(['maxHistoryEvents', 'sessionId', 'snapshot', 'snapshotEvery', 'universe']);
    expect(input.snapshot!.ref).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(started.input!.payloads![0]!.data!.length).toBeLessThan(300);
    const pointer = await underTest!.storage.sessions('u-test').latestSnapshot('s1');
    expect(pointer!.seq).toBeGreaterThanOrEqual(input.snapshot!.seq);

    // The rehydrated session answers queries and runs on.
    h.fake.enqueue({ text: 'still here' });
    const after = await h.waitRun('s1', await h.startRun('s1', 'are you there?'));
    expect(await h.text(after.outputRef)).toBe('still here');
    const log = await h.host.readEvents(h.ref('s1'), {});
    expect(log.map((e) => e.seq)).toEqual(Array.from({ length: log.length }, (_, i) => i + 1));
    expect(log.filter((e) => e.kind === 'run.completed')).toHaveLength(9);
  });
});
