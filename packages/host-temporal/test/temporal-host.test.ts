// TemporalAgentHost specifics beyond the shared scenarios: typed rejections come back as values
// (validator rejections leave nothing in history), workflows end with their sessions, a closed
// session answers `closed` from a fresh execution, deletion, and the status query.
import { startHarness, type Harness } from '@lightspeed/testkit/host-harness';
import { afterEach, describe, expect, it } from 'vitest';
import { sessionWorkflowId, statusQuery } from '../src/index.js';
import { startTemporalTestHost, type TemporalTestHost } from './support/temporal-env.js';

let h: Harness | undefined;
let underTest: TemporalTestHost | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const start = async () => (h = await startHarness(async (deps) => (underTest = await startTemporalTestHost({ ...deps, backend: 'pglite' }))));
const handleOf = (sessionId: string) => underTest!.client.workflow.getHandle(sessionWorkflowId('u-test', sessionId));

describe('TemporalAgentHost', () => {
  it('answers rejections as typed values; a never-opened session leaves no running workflow', async () => {
    const h = await start();
    const missing = await h.host.submit(h.ref('ghost'), { type: 'run.cancel', runId: 'run_1' });
    expect(missing).toEqual({ ok: false, rejection: expect.objectContaining({ code: 'not_found' }) });
    expect(await h.host.state(h.ref('ghost'))).toBeUndefined();
    expect((await handleOf('ghost').describe()).status.name).toBe('COMPLETED');

    await h.open('s1');
    const before = (await handleOf('s1').fetchHistory()).events!.length;
    const invalid = await h.host.submit(h.ref('s1'), { type: 'run.cancel', runId: 'run_404' });
    expect(invalid).toEqual({ ok: false, rejection: expect.objectContaining({ code: 'not_found', message: expect.stringContaining('run_404') }) });
    // The validator refused it: nothing reached history.
    const events = (await handleOf('s1').fetchHistory()).events!;
    expect(events.slice(before).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(0);
    const status = await handleOf('s1').query(statusQuery);
    expect(status).toMatchObject({ status: 'open', listStatus: 'idle', head: (await h.host.state(h.ref('s1')))!.head });
  });

  it('ends the workflow when the session closes; later commands answer `closed`; a closed session can be deleted', async () => {
    const h = await start();
    await h.open('s1');
    h.fake.enqueue({ text: 'hi' });
    await h.waitRun('s1', await h.startRun('s1', 'hello'));
    await h.submit('s1', { type: 'session.close' });
    await handleOf('s1').result();
    const late = await h.host.submit(h.ref('s1'), { type: 'session.rename', displayName: 'too late' });
    expect(late).toEqual({ ok: false, rejection: expect.objectContaining({ code: 'closed' }) });
    expect((await h.host.state(h.ref('s1')))!.status).toBe('closed');
    await h.host.deleteSession(h.ref('s1'));
    expect(await h.host.state(h.ref('s1'))).toBeUndefined();
    expect(await h.host.readEvents(h.ref('s1'), {})).toEqual([]);
  });
});
