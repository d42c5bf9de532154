import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { singleUserAuth } from '../src/auth/gateway-auth.js';
import { createGateway } from '../src/gateway/create-gateway.js';
import { startTestHost, type TestHost } from './support/embedded-host.js';
import { rpc } from './support/storage-gateway.js';

const model = { providerId: 'fake', apiKind: 'openai:responses', model: 'fake-echo' };

describe('session/waits (ask_user, sleep): durable waits answered through the API', () => {
  let test: TestHost;
  let app: ReturnType<typeof createGateway>;
  let id = 0;
  const call = async (method: string, params: unknown) => (await rpc(app, { jsonrpc: '2.0', id: ++id, method, params })).json;
  const result = async (method: string, params: unknown) => {
    const json = await call(method, params);
    if (json.error) throw new Error(`${method}: ${json.error.message}`);
    return json.result.result;
  };

  async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    for (let i = 0; i < 400; i++) {
      const value = await read();
      if (done(value)) return value;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('timed out');
  }
  const runStatus = (sessionId: string, runId: string) => until(async () => (await result('session/read', { sessionId })).session.runs.find((r: any) => r.id === runId)?.status, (s) => s === 'completed' || s === 'failed');
  const waitsOf = (sessionId: string) => until(async () => (await result('session/waits/list', { sessionId })).waits, (w: any[]) => w.length > 0);
  const toolResults = async (sessionId: string) => (await result('session/read', { sessionId })).session.activeContext.entries.filter((e: any) => e.kind.type === 'toolResult');

  beforeAll(async () => {
    test = await startTestHost();
    app = createGateway({ host: test.host, auth: singleUserAuth() });
  });
  afterAll(async () => {
    await test?.stop();
  });

  it('a question waits, is listed with its choices, refuses an answer off the list, and its answer is the tool result', async () => {
    const start = await result('session/start', { sessionId: 'ask1', config: { model, features: { askUser: {} } } });
    expect(start.session.activeTools.tools.map((t: any) => t.toolId)).toEqual(['ask_user']);
    test.fake.enqueue({ toolCalls: [{ name: 'ask_user', arguments: { question: 'Deploy to which region?', choices: ['eu', 'us'] } }] }, { text: 'Deploying to eu.' });
    const { run } = await result('session/runs/start', { sessionId: 'ask1', source: { type: 'input', items: [{ type: 'text', text: 'deploy' }] } });
    const [wait] = await waitsOf('ask1');
    expect(wait).toMatchObject({ kind: 'question', toolName: 'ask_user', runId: run.id, question: 'Deploy to which region?', choices: ['eu', 'us'], preview: 'Deploy to which region?' });
    expect(wait.promiseId).toMatch(/^wait_[0-9a-f]{20}$/);
    expect((await result('session/read', { sessionId: 'ask1' })).session.runs.find((r: any) => r.id === run.id).status).toBe('running');

    const off = await call('session/waits/resolve', { sessionId: 'ask1', promiseId: wait.promiseId, answer: 'mars' });
    expect(off.error).toMatchObject({ code: -32602 });
    expect(off.error.message).toContain('"eu", "us"');
    expect(await result('session/waits/resolve', { sessionId: 'ask1', promiseId: wait.promiseId, answer: 'eu' })).toEqual({ promiseId: wait.promiseId, resolution: 'resolved' });
    // First writer wins: a second answer is a conflict; an unknown id is not_found.
    expect((await call('session/waits/resolve', { sessionId: 'ask1', promiseId: wait.promiseId, answer: 'us' })).error).toMatchObject({ code: -32009 });
    expect((await call('session/waits/cancel', { sessionId: 'ask1', promiseId: 'wait_nope' })).error).toMatchObject({ code: -32004 });
    expect(await runStatus('ask1', run.id)).toBe('completed');
    const [answer] = await toolResults('ask1');
    expect(answer).toMatchObject({ kind: { isError: false } });
    expect(answer.text ?? answer.preview).toBe('eu');
    expect((await result('session/waits/list', { sessionId: 'ask1' })).waits).toEqual([]);

    // The event stream carries the wait opening and its resolution (the contract's promise events).
    const { events } = await result('session/events/read', { sessionId: 'ask1', limit: 500 });
    const kinds = events.map((e: any) => e.kind).filter((k: any) => k.type.startsWith('promise'));
    expect(kinds).toEqual([
      { type: 'promiseCreated', promiseId: wait.promiseId, source: 'tool:ask_user', waitKind: 'question', runId: run.id, callId: wait.callId, preview: 'Deploy to which region?' },
      { type: 'promiseResolved', promiseId: wait.promiseId, payloadRef: expect.stringMatching(/^sha256:/), by: 'external', actor: 'local user' },
    ]);
  });

  it('a failed question reaches the model as an error result, and a cancelled one says no answer will come', async () => {
    await result('session/start', { sessionId: 'ask2', config: { model, features: { askUser: {} } } });
    test.fake.enqueue({ toolCalls: [{ name: 'ask_user', arguments: { question: 'Which ticket?' } }] }, { toolCalls: [{ name: 'ask_user', arguments: { question: 'Any ticket at all?' } }] }, { text: 'Giving up.' });
    const { run } = await result('session/runs/start', { sessionId: 'ask2', source: { type: 'input', items: [{ type: 'text', text: 'go' }] } });
    const [first] = await waitsOf('ask2');
    await result('session/waits/fail', { sessionId: 'ask2', promiseId: first.promiseId, reason: 'The user is on leave.' });
    const [second] = await until(async () => (await result('session/waits/list', { sessionId: 'ask2' })).waits, (w: any[]) => w.length > 0 && w[0].promiseId !== first.promiseId);
    await result('session/waits/cancel', { sessionId: 'ask2', promiseId: second.promiseId });
    expect(await runStatus('ask2', run.id)).toBe('completed');
    const results = await toolResults('ask2');
    expect(results.map((r: any) => r.kind.isError)).toEqual([true, true]);
    expect(results[0].text ?? results[0].preview).toBe('The user is on leave.');
    expect(results[1].text ?? results[1].preview).toContain('no answer will come');
  });

  it('sleep parks the run on a timer that the host fires; bad arguments are an error the model sees', async () => {
    const start = await result('session/start', { sessionId: 'sleep1', config: { model, features: { timers: {} } } });
    expect(start.session.activeTools.tools.map((t: any) => t.toolId)).toEqual(['sleep', 'wait_until']);
    test.fake.enqueue(
      { toolCalls: [{ name: 'wait_until', arguments: { time: '2020-01-01T00:00:00' } }] },
      { toolCalls: [{ name: 'sleep', arguments: { seconds: 1, reason: 'letting CI settle' } }] },
      { text: 'Slept.' },
    );
    const { run } = await result('session/runs/start', { sessionId: 'sleep1', source: { type: 'input', items: [{ type: 'text', text: 'nap' }] } });
    const [wait] = await waitsOf('sleep1');
    expect(wait).toMatchObject({ kind: 'timer', toolName: 'sleep' });
    expect(wait.preview).toMatch(/^until \d{4}-.*Z: letting CI settle$/);
    expect(wait.deadlineMs - wait.createdAtMs).toBeGreaterThan(500);
    expect(await runStatus('sleep1', run.id)).toBe('completed');
    const results = await toolResults('sleep1');
    expect(results[0]).toMatchObject({ kind: { isError: true } });
    expect(results[0].text ?? results[0].preview).toContain('ISO 8601 date-time with a zone');
    expect(results[1].text ?? results[1].preview).toContain('the timer fired');
  });

  it('validates at the boundary: unknown members and empty answers are refused', async () => {
    await result('session/start', { sessionId: 'ask3', config: { model } });
    expect((await call('session/waits/resolve', { sessionId: 'ask3', promiseId: 'p', answer: '' })).error).toMatchObject({ code: -32602 });
    expect((await call('session/waits/resolve', { sessionId: 'ask3', promiseId: 'p', payload: 'x' })).error).toMatchObject({ code: -32602 });
    expect((await call('session/waits/list', { sessionId: 'missing' })).error).toMatchObject({ code: -32004 });
  });

  it('tool approvals: an ask call is listed with its arguments, a denial reaches the model, approve-for-session stops the asking, never is refused', async () => {
    const approvals = { rules: [{ tool: 'sleep', policy: 'ask' }, { tool: 'wait_until', policy: 'never' }] };
    await result('session/start', { sessionId: 'appr1', config: { model, features: { timers: {} }, approvals } });
    test.fake.enqueue(
      { toolCalls: [{ name: 'sleep', arguments: { seconds: 1, reason: 'first' } }, { name: 'wait_until', arguments: { time: '2099-01-01T00:00:00Z' } }] },
      { toolCalls: [{ name: 'sleep', arguments: { seconds: 1, reason: 'second' } }] },
      { toolCalls: [{ name: 'sleep', arguments: { seconds: 1, reason: 'third' } }] },
      { text: 'Done napping.' },
    );
    const { run } = await result('session/runs/start', { sessionId: 'appr1', source: { type: 'input', items: [{ type: 'text', text: 'nap' }] } });
    const [first] = await waitsOf('appr1');
    expect(first).toMatchObject({ kind: 'approval', toolName: 'sleep', preview: 'sleep', arguments: '{"seconds":1,"reason":"first"}' });
    expect(first.promiseId).toBe('approval_batch_1_1');
    expect((await call('session/waits/resolve', { sessionId: 'appr1', promiseId: first.promiseId, answer: 'yes' })).error.message).toMatch(/^answer: an approval takes no answer/);
    await result('session/waits/fail', { sessionId: 'appr1', promiseId: first.promiseId, reason: 'not now' });
    const [second] = await until(async () => (await result('session/waits/list', { sessionId: 'appr1' })).waits, (w: any[]) => w.length > 0 && w[0].promiseId !== first.promiseId);
    expect(second).toMatchObject({ kind: 'approval', arguments: '{"seconds":1,"reason":"second"}' });
    await result('session/waits/resolve', { sessionId: 'appr1', promiseId: second.promiseId, forSession: true });
    expect(await runStatus('appr1', run.id)).toBe('completed');
    const texts = (await toolResults('appr1')).map((r: any) => [r.kind.isError, r.text ?? r.preview]);
    expect(texts).toEqual([
      [true, 'The user denied this tool call: not now'],
      [true, expect.stringContaining('Tool wait_until is not allowed in this session (approval policy: never)')],
      [false, expect.stringContaining('the timer fired')],
      [false, expect.stringContaining('the timer fired')],
    ]);
    // The third sleep never asked; the decisions are attributed in the event stream.
    const { events } = await result('session/events/read', { sessionId: 'appr1', limit: 500 });
    const decisions = events.map((e: any) => e.kind).filter((k: any) => k.type === 'promiseFailed' || (k.type === 'promiseResolved' && k.by === 'external'));
    expect(decisions).toEqual([
      { type: 'promiseFailed', promiseId: first.promiseId, errorRef: expect.stringMatching(/^sha256:/), actor: 'local user' },
      { type: 'promiseResolved', promiseId: second.promiseId, payloadRef: null, by: 'external', actor: 'local user', forSession: true },
    ]);
    expect(events.filter((e: any) => e.kind.type === 'promiseCreated' && e.kind.waitKind === 'approval')).toHaveLength(2);
    // A bad policy is refused at admission, naming the field.
    const bad = await call('session/start', { sessionId: 'appr2', config: { model, approvals: { rules: [{ tool: 'x', policy: 'sometimes' }] } } });
    expect(bad.error).toMatchObject({ code: -32602 });
    expect(bad.error.message).toContain('config.approvals.rules.0.policy');
  });
});
