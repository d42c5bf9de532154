import { MemoryBlobStore, getText } from '@lightspeed/cas';
import type { ApiKind, ProviderErrorClass } from '@lightspeed/engine';
import { startFakeProvider, type FakeFaultKind, type FakeProvider } from '@lightspeed/fake-provider';
import { ProviderError, type LiveMessage } from '@lightspeed/ports';
import { MemoryLiveChannel as InMemoryLiveChannel } from '@lightspeed/store-memory';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ApiAdapter } from '../../src/index.js';
import { Conversation, outputTexts } from './conversation.js';
import { TEST_API_KEY, fakeEndpoint } from './fake-endpoint.js';

export interface ContractEnv {
  fake: FakeProvider;
  blobs: MemoryBlobStore;
  live: InMemoryLiveChannel;
  adapter: ApiAdapter;
  conversation(): Conversation;
  deltas: LiveMessage[];
}

const READ_SCHEMA = { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] };

async function failureOf(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

/** The behaviour every adapter shares, run against the fake provider over real HTTP. */
export function adapterContract(apiKind: ApiKind, createAdapter: () => ApiAdapter): ContractEnv {
  const env = { deltas: [] as LiveMessage[] } as unknown as ContractEnv;
  beforeAll(async () => {
    env.fake = await startFakeProvider();
    env.adapter = createAdapter();
  });
  afterAll(async () => env.fake.stop());
  beforeEach(() => {
    env.fake.reset();
    env.blobs = new MemoryBlobStore();
    env.live = new InMemoryLiveChannel();
    env.deltas = [];
    env.live.subscribe('ses_test', (message) => env.deltas.push(message));
    env.conversation = () => new Conversation(env.blobs, apiKind);
  });
  const endpoint = () => fakeEndpoint(env.fake, apiKind);
  const context = () => ({ blobs: env.blobs, live: env.live });

  describe(`${apiKind} adapter contract`, () => {
    it('a text turn streams deltas, stores the text in CAS and returns facts', async () => {
      env.fake.enqueue({ text: 'Hello, streamed in small pieces.', chunkChars: 4, usage: { input: 30, cachedInput: 10, output: 8 } });
      const convo = await (await env.conversation().instructions('Be brief.')).user('hi');
      const facts = await env.adapter.generate(convo.request('fake-echo', { turnId: 'turn_text' }), endpoint(), context());
      expect(facts.finishReason).toBe('stop');
      expect(await outputTexts(env.blobs, facts)).toEqual(['Hello, streamed in small pieces.']);
      expect(facts.outputs[0]).toMatchObject({ kind: { type: 'message', role: 'assistant' }, preview: 'Hello, streamed in small pieces.' });
      expect(facts.toolCalls).toEqual([]);
      expect(facts.responseId).toEqual(expect.any(String));
      expect(facts.usage.cachedInput).toBe(10);
      const textDeltas = env.deltas.filter((m) => m.delta.type === 'text');
      expect(textDeltas.length).toBeGreaterThan(3);
      expect(textDeltas.map((m) => (m.delta.type === 'text' ? m.delta.text : '')).join('')).toBe('Hello, streamed in small pieces.');
      expect(textDeltas.every((m) => m.turnId === 'turn_text' && m.sessionId === 'ses_test')).toBe(true);
    });

    it('a tool-call turn returns the call with its arguments in CAS', async () => {
      env.fake.enqueue({ toolCalls: [{ name: 'read_file', arguments: { path: 'notes.md' }, id: 'call_1' }] });
      const convo = await (await env.conversation().tool('read_file', 'Read a file', READ_SCHEMA)).user('read notes');
      const facts = await env.adapter.generate(convo.request('fake-echo'), endpoint(), context());
      expect(facts.finishReason).toBe('tool_calls');
      expect(facts.toolCalls).toHaveLength(1);
      expect(facts.toolCalls[0]).toMatchObject({ callId: 'call_1', name: 'read_file' });
      expect(JSON.parse(await getText(env.blobs, facts.toolCalls[0]!.argumentsRef))).toEqual({ path: 'notes.md' });
      expect(facts.outputs.find((o) => o.kind.type === 'toolCall')).toMatchObject({ kind: { type: 'toolCall', callId: 'call_1', name: 'read_file' } });
      const argDeltas = env.deltas.filter((m) => m.delta.type === 'toolCall');
      expect(argDeltas.map((m) => (m.delta.type === 'toolCall' ? m.delta.argumentsDelta : '')).join('')).toBe('{"path":"notes.md"}');
    });

    it('parallel tool calls round-trip: results go back and the model continues', async () => {
      env.fake.enqueue({
        toolCalls: [
          { name: 'read_file', arguments: { path: 'a.txt' }, id: 'call_a' },
          { name: 'read_file', arguments: { path: 'b.txt' }, id: 'call_b' },
        ],
      });
      const convo = await (await env.conversation().tool('read_file', 'Read a file', READ_SCHEMA)).user('read both');
      const first = await env.adapter.generate(convo.request('fake-echo'), endpoint(), context());
      expect(first.toolCalls.map((call) => call.callId)).toEqual(['call_a', 'call_b']);
      convo.addOutputs(first.outputs);
      await convo.toolResult('call_a', 'alpha contents');
      await convo.toolResult('call_b', 'beta contents');
      // No script queued: the fake's echo summarises the tool results it received.
      const second = await env.adapter.generate(convo.request('fake-echo'), endpoint(), context());
      const [text] = await outputTexts(env.blobs, second);
      expect(text).toContain('read_file returned: alpha contents');
      expect(text).toContain('read_file returned: beta contents');
      expect(second.finishReason).toBe('stop');
    });

    it('a refusal and a max-tokens cut map to finish reasons', async () => {
      env.fake.enqueue({ refusal: 'I cannot help with that.' }, { text: 'partial', finish: 'length' });
      const convo = await env.conversation().user('hi');
      expect((await env.adapter.generate(convo.request('fake-echo'), endpoint(), context())).finishReason).toBe('refusal');
      expect((await env.adapter.generate(convo.request('fake-echo'), endpoint(), context())).finishReason).toBe('length');
    });

    const faults: [FakeFaultKind, ProviderErrorClass, boolean][] = [
      ['rate_limit', 'rate_limit', true],
      ['overloaded', 'overloaded', true],
      ['server', 'server', true],
      ['auth', 'auth', false],
      ['invalid_request', 'invalid_request', false],
      ['context_length', 'context_length', false],
      ['content_filter', 'content_filter', false],
      ['quota', 'quota', false],
    ];
    for (const [kind, errorClass, retryable] of faults) {
      it(`an HTTP ${kind} fault is classified ${errorClass} (retryable: ${retryable})`, async () => {
        env.fake.enqueue({ fault: { kind } });
        const convo = await env.conversation().user('hi');
        const error = await failureOf(env.adapter.generate(convo.request('fake-echo'), endpoint(), context()));
        expect(error.failure).toMatchObject({ errorClass, retryable });
        expect(error.failure.status).toBeGreaterThanOrEqual(400);
      });
    }

    it('Retry-After is parsed from seconds, an HTTP date and retry-after-ms', async () => {
      const date = new Date(Date.now() + 30_000).toUTCString();
      env.fake.enqueue({ fault: { kind: 'rate_limit', retryAfter: '7' } }, { fault: { kind: 'rate_limit', retryAfter: date } }, { fault: { kind: 'overloaded', retryAfterMs: 1500, retryAfter: '9' } });
      const convo = await env.conversation().user('hi');
      const seconds = await failureOf(env.adapter.generate(convo.request('fake-echo'), endpoint(), context()));
      expect(seconds.failure.retryAfterMs).toBe(7000);
      const httpDate = await failureOf(env.adapter.generate(convo.request('fake-echo'), endpoint(), context()));
      expect(httpDate.failure.retryAfterMs).toBeGreaterThan(25_000);
      expect(httpDate.failure.retryAfterMs).toBeLessThanOrEqual(30_000);
      const ms = await failureOf(env.adapter.generate(convo.request('fake-echo'), endpoint(), context()));
      expect(ms.failure).toMatchObject({ errorClass: 'overloaded', retryAfterMs: 1500 });
    });

    it('an in-stream failure after deltas is classified and records nothing', async () => {
      env.fake.enqueue({ text: 'some text that starts streaming', chunkChars: 3, fault: { kind: 'overloaded' }, faultAfterEvents: 6 });
      const convo = await env.conversation().user('hi');
      const before = env.blobs.size;
      const error = await failureOf(env.adapter.generate(convo.request('fake-echo'), endpoint(), context()));
      expect(error.failure.retryable).toBe(true);
      expect(['overloaded', 'server']).toContain(error.failure.errorClass);
      expect(env.blobs.size).toBe(before);
    });

    it('a truncated stream is a retryable network failure and never a half-recorded turn', async () => {
      env.fake.enqueue({ text: 'this reply is cut off half way through', chunkChars: 3, truncateAfterEvents: 6 });
      const convo = await env.conversation().user('hi');
      const before = env.blobs.size;
      const error = await failureOf(env.adapter.generate(convo.request('fake-echo'), endpoint(), context()));
      expect(error.failure).toMatchObject({ errorClass: 'network', retryable: true });
      expect(env.deltas.some((m) => m.delta.type === 'text')).toBe(true);
      expect(env.blobs.size).toBe(before);
    });

    it('a malformed chunk is a retryable server failure', async () => {
      env.fake.enqueue({ text: 'hello there', malformedAfterEvents: 3 });
      const convo = await env.conversation().user('hi');
      const error = await failureOf(env.adapter.generate(convo.request('fake-echo'), endpoint(), context()));
      expect(error.failure).toMatchObject({ errorClass: 'server', retryable: true });
    });

    it('a provider that does not answer in time is a timeout; an unreachable one is a network failure', async () => {
      env.fake.enqueue({ text: 'late', firstTokenDelayMs: 2000 });
      const convo = await env.conversation().user('hi');
      const slow = await failureOf(env.adapter.generate(convo.request('fake-echo'), fakeEndpoint(env.fake, apiKind, { timeoutMs: 150 }), context()));
      expect(slow.failure).toMatchObject({ errorClass: 'timeout', retryable: true });
      const down = await failureOf(env.adapter.generate(convo.request('fake-echo'), fakeEndpoint(env.fake, apiKind, { baseURL: 'http://127.0.0.1:9/v1' }), context()));
      expect(down.failure).toMatchObject({ errorClass: 'network', retryable: true });
    });

    it('aborting mid-stream is cancelled, not retryable', async () => {
      env.fake.enqueue({ text: 'a long slow answer', chunkChars: 2, chunkLatencyMs: 30 });
      const convo = await env.conversation().user('hi');
      const controller = new AbortController();
      env.live.subscribe('ses_test', () => controller.abort());
      const error = await failureOf(env.adapter.generate(convo.request('fake-echo'), endpoint(), { ...context(), signal: controller.signal }));
      expect(error.failure).toMatchObject({ errorClass: 'cancelled', retryable: false });
    });

    it('credentials never appear in error messages', async () => {
      env.fake.enqueue({ fault: { kind: 'auth', message: `Incorrect API key provided: ${TEST_API_KEY}. Authorization: Bearer ${TEST_API_KEY}` } });
      const convo = await env.conversation().user('hi');
      const error = await failureOf(env.adapter.generate(convo.request('fake-echo'), endpoint(), context()));
      expect(error.failure.errorClass).toBe('auth');
      expect(error.message).not.toContain(TEST_API_KEY);
      expect(JSON.stringify(error.failure)).not.toContain('0123456789abcdef');
    });

    it('rejects unknown native params at admission and at call time', async () => {
      expect(env.adapter.validateParams({ definitely_not_a_param: 1 })).toMatch(/definitely_not_a_param|unrecognized/i);
      expect(env.adapter.validateParams(undefined)).toBeUndefined();
      const convo = await env.conversation().user('hi');
      const error = await failureOf(env.adapter.generate(convo.request('fake-echo', { params: { native: { stream: false } } }), endpoint(), context()));
      expect(error.failure.errorClass).toBe('invalid_request');
      expect(env.fake.requests).toHaveLength(0);
    });

    it('lists the provider models live', async () => {
      expect(await env.adapter.listModels(endpoint())).toEqual(['fake-echo', 'fake-reasoning']);
    });

    it('tool results in the runtime JSON shape send their text, and images where the API takes them', async () => {
      env.fake.enqueue({ toolCalls: [{ name: 'screenshot', id: 'call_img' }] });
      const convo = await (await env.conversation().tool('screenshot', 'Take a screenshot', { type: 'object' })).user('look');
      const first = await env.adapter.generate(convo.request('fake-echo'), endpoint(), context());
      convo.addOutputs(first.outputs);
      await convo.toolResultJson('call_img', { content: [{ type: 'text', text: 'captured the screen' }, { type: 'image', data: 'iVBORw0KGgo=', mimeType: 'image/png' }] });
      await env.adapter.generate(convo.request('fake-echo'), endpoint(), context());
      const body = JSON.stringify(env.fake.requests.at(-1)!.body);
      expect(body).toContain('captured the screen');
      if (apiKind === 'openai:completions') expect(body).toContain('1 image(s) returned by the tool are not shown');
      else expect(body).toContain('iVBORw0KGgo=');
    });

    it('sends images as native image parts', async () => {
      const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      const convo = await (await env.conversation().user('what is in this picture?')).media(png, 'image/png');
      await env.adapter.generate(convo.request('fake-echo'), endpoint(), context());
      const body = JSON.stringify(env.fake.requests.at(-1)!.body);
      expect(body).toContain(Buffer.from(png).toString('base64'));
      expect(body).toContain('what is in this picture?');
    });
  });
  return env;
}
