import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeProvider, type FakeProvider, type FakeScript } from '../src/index.js';

// The official SDKs parse everything the fake emits into their own types: the fake is wire-faithful.
let fake: FakeProvider;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  fake = await startFakeProvider();
  openai = new OpenAI({ apiKey: 'sk-test-conformance', baseURL: `${fake.url}/v1`, maxRetries: 0, logLevel: 'off' });
  anthropic = new Anthropic({ apiKey: 'sk-ant-test-conformance', baseURL: fake.url, maxRetries: 0, logLevel: 'off' });
});
afterAll(async () => fake.stop());
beforeEach(() => fake.reset());

const TOOLS_SCRIPT: FakeScript = {
  text: 'Looking at both.',
  toolCalls: [
    { name: 'read_file', arguments: { path: 'a.txt' }, id: 'call_a' },
    { name: 'read_file', arguments: { path: 'b.txt' }, id: 'call_b' },
  ],
};
const REASONING_SCRIPT: FakeScript = { reasoning: { text: 'Think about it carefully.', encryptedContent: 'enc-123', signature: 'sig-456' }, text: 'Answer.' };
const USAGE_SCRIPT: FakeScript = { text: 'ok', usage: { input: 100, cachedInput: 40, cacheWrite: 7, output: 20, reasoning: 5 } };

const responsesTool = { type: 'function' as const, name: 'read_file', description: 'read', parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] }, strict: false };
const chatTool = { type: 'function' as const, function: { name: 'read_file', description: 'read', parameters: responsesTool.parameters } };
const anthropicTool = { name: 'read_file', description: 'read', input_schema: { type: 'object' as const, properties: { path: { type: 'string' } }, required: ['path'] } };

async function responsesBoth(script: FakeScript) {
  fake.enqueue(script, script);
  const body = { model: 'fake-echo', input: 'hi', tools: [responsesTool] };
  const plain = await openai.responses.create(body);
  const streamed = await openai.responses.stream(body).finalResponse();
  return { plain, streamed };
}

async function chatBoth(script: FakeScript) {
  fake.enqueue(script, script);
  const body = { model: 'fake-echo', messages: [{ role: 'user' as const, content: 'hi' }], tools: [chatTool] };
  const plain = await openai.chat.completions.create(body);
  const streamed = await openai.chat.completions.stream({ ...body, stream_options: { include_usage: true } }).finalChatCompletion();
  return { plain, streamed };
}

async function messagesBoth(script: FakeScript) {
  fake.enqueue(script, script);
  const body = { model: 'fake-echo', max_tokens: 1024, messages: [{ role: 'user' as const, content: 'hi' }], tools: [anthropicTool] };
  const plain = await anthropic.messages.create(body);
  const streamed = await anthropic.messages.stream(body).finalMessage();
  return { plain, streamed };
}

describe('OpenAI Responses via the official SDK', () => {
  it('parses a text reply, streamed and not, into the same Response', async () => {
    const { plain, streamed } = await responsesBoth({ text: 'Hello from the script, in several chunks.', chunkChars: 5 });
    for (const response of [plain, streamed]) {
      expect(response.status).toBe('completed');
      expect(response.output_text).toBe('Hello from the script, in several chunks.');
    }
  });

  it('parses parallel function calls', async () => {
    const { plain, streamed } = await responsesBoth(TOOLS_SCRIPT);
    for (const response of [plain, streamed]) {
      const calls = (response.output as OpenAI.Responses.ResponseOutputItem[]).filter((item): item is OpenAI.Responses.ResponseFunctionToolCall => item.type === 'function_call');
      expect(calls.map((call) => [call.call_id, call.name, JSON.parse(call.arguments)])).toEqual([
        ['call_a', 'read_file', { path: 'a.txt' }],
        ['call_b', 'read_file', { path: 'b.txt' }],
      ]);
    }
  });

  it('parses a reasoning item with encrypted content and its summary', async () => {
    const { plain, streamed } = await responsesBoth(REASONING_SCRIPT);
    for (const response of [plain, streamed]) {
      const reasoning = (response.output as OpenAI.Responses.ResponseOutputItem[]).find((item): item is OpenAI.Responses.ResponseReasoningItem => item.type === 'reasoning');
      expect(reasoning?.encrypted_content).toBe('enc-123');
      expect(reasoning?.summary[0]?.text).toBe('Think about it carefully.');
      expect(response.output_text).toBe('Answer.');
    }
  });

  it('reports usage with cached and reasoning tokens', async () => {
    const { plain, streamed } = await responsesBoth(USAGE_SCRIPT);
    for (const response of [plain, streamed]) {
      expect(response.usage?.input_tokens).toBe(140);
      expect(response.usage?.input_tokens_details.cached_tokens).toBe(40);
      expect(response.usage?.output_tokens_details.reasoning_tokens).toBe(5);
    }
  });

  it('parses a refusal and an incomplete (max tokens) response', async () => {
    const refused = await responsesBoth({ refusal: 'I cannot help with that.' });
    for (const response of [refused.plain, refused.streamed]) {
      const message = response.output.find((item) => item.type === 'message');
      expect(message?.type === 'message' && message.content[0]).toMatchObject({ type: 'refusal', refusal: 'I cannot help with that.' });
    }
    const cut = await responsesBoth({ text: 'partial', finish: 'length' });
    for (const response of [cut.plain, cut.streamed]) expect(response.incomplete_details?.reason).toBe('max_output_tokens');
  });

  it('drives the SDK stream helpers: text snapshots and function-call argument snapshots', async () => {
    fake.enqueue({ text: 'abcdefgh', chunkChars: 3, toolCalls: [{ name: 'read_file', arguments: { path: 'x' } }] });
    const snapshots: string[] = [];
    const argSnapshots: string[] = [];
    const stream = openai.responses
      .stream({ model: 'fake-echo', input: 'hi', tools: [responsesTool] })
      .on('response.output_text.delta', (event) => snapshots.push(event.snapshot))
      .on('response.function_call_arguments.delta', (event) => argSnapshots.push(event.snapshot));
    await stream.finalResponse();
    expect(snapshots).toEqual(['abc', 'abcdef', 'abcdefgh']);
    expect(argSnapshots.at(-1)).toBe('{"path":"x"}');
    fake.enqueue({ text: 'abcdefgh', chunkChars: 3 });
    const texts: string[] = [];
    await anthropic.messages
      .stream({ model: 'fake-echo', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
      .on('text', (_delta, snapshot) => texts.push(snapshot))
      .finalMessage();
    expect(texts).toEqual(['abc', 'abcdef', 'abcdefgh']);
  });

  it('compacts a conversation through responses.compact', async () => {
    const compacted = await openai.responses.compact({ model: 'fake-echo', input: [{ role: 'user', content: 'first question' }] });
    expect(compacted.object).toBe('response.compaction');
    expect(compacted.output.at(-1)?.type).toBe('compaction');
    expect(compacted.usage.input_tokens).toBeGreaterThan(0);
  });

  it('surfaces a mid-stream failure as a failed response event', async () => {
    fake.enqueue({ text: 'partial', fault: { kind: 'server' }, faultAfterEvents: 3 });
    const events: string[] = [];
    const stream = await openai.responses.create({ model: 'fake-echo', input: 'hi', stream: true });
    for await (const event of stream) events.push(event.type);
    expect(events.at(-1)).toBe('response.failed');
  });
});

describe('OpenAI Chat Completions via the official SDK', () => {
  it('parses a text reply, streamed and not', async () => {
    const { plain, streamed } = await chatBoth({ text: 'Hello there, chunked.', chunkChars: 3 });
    for (const completion of [plain, streamed]) {
      expect(completion.choices[0]?.message.content).toBe('Hello there, chunked.');
      expect(completion.choices[0]?.finish_reason).toBe('stop');
    }
  });

  it('parses parallel tool calls', async () => {
    const { plain, streamed } = await chatBoth(TOOLS_SCRIPT);
    for (const completion of [plain, streamed]) {
      const calls = completion.choices[0]?.message.tool_calls ?? [];
      expect(calls.map((call) => call.type === 'function' && [call.id, call.function.name, JSON.parse(call.function.arguments)])).toEqual([
        ['call_a', 'read_file', { path: 'a.txt' }],
        ['call_b', 'read_file', { path: 'b.txt' }],
      ]);
      expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    }
  });

  it('reports usage with cached and reasoning tokens, and a refusal', async () => {
    const { plain, streamed } = await chatBoth(USAGE_SCRIPT);
    for (const completion of [plain, streamed]) {
      expect(completion.usage?.prompt_tokens_details?.cached_tokens).toBe(40);
      expect(completion.usage?.completion_tokens_details?.reasoning_tokens).toBe(5);
    }
    const refused = await chatBoth({ refusal: 'No.' });
    for (const completion of [refused.plain, refused.streamed]) expect(completion.choices[0]?.message.refusal).toBe('No.');
  });

  it('parses length and content_filter finishes', async () => {
    fake.enqueue({ text: 'x', finish: 'context_length' });
    const full = (await openai.chat.completions.create({ model: 'fake-echo', messages: [{ role: 'user', content: 'hi' }] }).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(full.code).toBe('context_length_exceeded');
    const cut = await chatBoth({ text: 'partial', finish: 'length' });
    expect(cut.streamed.choices[0]?.finish_reason).toBe('length');
    const filtered = await chatBoth({ text: '', finish: 'content_filter' });
    expect(filtered.plain.choices[0]?.finish_reason).toBe('content_filter');
  });

  it('throws the SDK error for a mid-stream error chunk', async () => {
    fake.enqueue({ text: 'partial text', fault: { kind: 'server' }, faultAfterEvents: 2 });
    await expect(openai.chat.completions.stream({ model: 'fake-echo', messages: [{ role: 'user', content: 'hi' }] }).finalChatCompletion()).rejects.toBeInstanceOf(OpenAI.APIError);
  });
});

describe('Anthropic Messages via the official SDK', () => {
  it('parses a text reply, streamed and not', async () => {
    const { plain, streamed } = await messagesBoth({ text: 'Bonjour from the script.', chunkChars: 4 });
    for (const message of [plain, streamed]) {
      expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: 'Bonjour from the script.' })]);
      expect(message.stop_reason).toBe('end_turn');
    }
  });

  it('parses parallel tool_use blocks with their JSON input', async () => {
    const { plain, streamed } = await messagesBoth(TOOLS_SCRIPT);
    for (const message of [plain, streamed]) {
      const uses = message.content.filter((block) => block.type === 'tool_use');
      expect(uses.map((use) => [use.id, use.name, use.input])).toEqual([
        ['call_a', 'read_file', { path: 'a.txt' }],
        ['call_b', 'read_file', { path: 'b.txt' }],
      ]);
      expect(message.stop_reason).toBe('tool_use');
    }
  });

  it('parses a thinking block with its signature', async () => {
    const { plain, streamed } = await messagesBoth(REASONING_SCRIPT);
    for (const message of [plain, streamed]) {
      expect(message.content[0]).toEqual({ type: 'thinking', thinking: 'Think about it carefully.', signature: 'sig-456' });
    }
  });

  it('reports cache read/write usage and the context-window and refusal stop reasons', async () => {
    const { plain, streamed } = await messagesBoth(USAGE_SCRIPT);
    for (const message of [plain, streamed]) {
      expect(message.usage).toMatchObject({ input_tokens: 100, cache_read_input_tokens: 40, cache_creation_input_tokens: 7, output_tokens: 25 });
    }
    const full = await messagesBoth({ text: 'cut', finish: 'context_length' });
    expect(full.streamed.stop_reason).toBe('model_context_window_exceeded');
    const refused = await messagesBoth({ refusal: 'I will not.' });
    expect(refused.plain.stop_reason).toBe('refusal');
  });

  it('throws the SDK error for an in-stream overloaded event', async () => {
    fake.enqueue({ text: 'partial text', fault: { kind: 'overloaded' }, faultAfterEvents: 2 });
    const error = await anthropic.messages
      .stream({ model: 'fake-echo', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
      .finalMessage()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(JSON.stringify((error as InstanceType<typeof Anthropic.APIError>).error)).toContain('overloaded_error');
  });
});

describe('HTTP faults as the SDKs classify them', () => {
  it('429 carries Retry-After and retry-after-ms headers', async () => {
    fake.enqueue({ fault: { kind: 'rate_limit', retryAfter: '7', retryAfterMs: 6500 } });
    const error = await openai.responses.create({ model: 'fake-echo', input: 'hi' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe('7');
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after-ms')).toBe('6500');
  });

  it('500, 529 overloaded, quota and context length map to the SDKs error types and bodies', async () => {
    fake.enqueue({ fault: { kind: 'server' } }, { fault: { kind: 'overloaded' } }, { fault: { kind: 'quota' } }, { fault: { kind: 'context_length' } });
    const body = { model: 'fake-echo', max_tokens: 10, messages: [{ role: 'user' as const, content: 'hi' }] };
    const server = await anthropic.messages.create(body).catch((caught: unknown) => caught);
    expect(server).toBeInstanceOf(Anthropic.InternalServerError);
    const overloaded = (await anthropic.messages.create(body).catch((caught: unknown) => caught)) as InstanceType<typeof Anthropic.APIError>;
    expect(overloaded.status).toBe(529);
    const quota = (await openai.chat.completions.create({ model: 'fake-echo', messages: body.messages }).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(quota.code).toBe('insufficient_quota');
    const context = (await openai.responses.create({ model: 'fake-echo', input: 'hi' }).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(context).toBeInstanceOf(OpenAI.BadRequestError);
    expect(context.code).toBe('context_length_exceeded');
  });

  it('a truncated stream never yields a completed response', async () => {
    fake.enqueue({ text: 'this will be cut off', chunkChars: 2, truncateAfterEvents: 5 });
    const outcome = await openai.responses
      .stream({ model: 'fake-echo', input: 'hi' })
      .finalResponse()
      .then((response) => response.status)
      .catch(() => 'threw');
    expect(outcome).not.toBe('completed');
    fake.enqueue({ text: 'this will be cut off', chunkChars: 2, truncateAfterEvents: 5 });
    await expect(anthropic.messages.stream({ model: 'fake-echo', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).finalMessage()).rejects.toThrow();
  });

  it('a malformed chunk makes the SDK stream throw', async () => {
    fake.enqueue({ text: 'hello', malformedAfterEvents: 2 });
    await expect(openai.chat.completions.stream({ model: 'fake-echo', messages: [{ role: 'user', content: 'hi' }] }).finalChatCompletion()).rejects.toThrow();
  });

  it('a slow first token delays the first event but not the result', async () => {
    fake.enqueue({ text: 'slow', firstTokenDelayMs: 150 });
    const started = performance.now();
    const message = await anthropic.messages.stream({ model: 'fake-echo', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(message.content[0]).toMatchObject({ text: 'slow' });
  });
});

describe('scripts, echo and admin', () => {
  it('echoes the last user message, labelled as a scripted fake', async () => {
    const response = await openai.responses.create({ model: 'fake-echo', input: 'what is 2+2?' });
    expect(response.output_text).toContain('not a real LLM');
    expect(response.output_text).toContain('what is 2+2?');
  });

  it('a "reasoning" model id adds scripted reasoning to the echo', async () => {
    const message = await anthropic.messages.create({ model: 'fake-reasoning', max_tokens: 100, messages: [{ role: 'user', content: 'think first' }] });
    expect(message.content[0]).toMatchObject({ type: 'thinking', thinking: expect.stringContaining('Scripted reasoning') });
    expect(message.content[1]).toMatchObject({ type: 'text', text: expect.stringContaining('You said: think first') });
  });

  it('calls an offered tool when asked, then summarises its result', async () => {
    const first = await anthropic.messages.create({ model: 'fake-echo', max_tokens: 100, tools: [anthropicTool], messages: [{ role: 'user', content: 'please use read_file {"path":"notes.md"}' }] });
    const use = first.content.find((block) => block.type === 'tool_use');
    expect(use).toMatchObject({ name: 'read_file', input: { path: 'notes.md' } });
    const second = await anthropic.messages.create({
      model: 'fake-echo',
      max_tokens: 100,
      tools: [anthropicTool],
      messages: [
        { role: 'user', content: 'please use read_file {"path":"notes.md"}' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use!.type === 'tool_use' ? use!.id : '', content: 'remember the milk' }] },
      ],
    });
    expect(second.content[0]).toMatchObject({ type: 'text', text: expect.stringContaining('read_file returned: remember the milk') });
  });

  it('"list files" calls a list tool the request offers', async () => {
    const listTool = { type: 'function' as const, function: { name: 'list', description: 'list a directory', parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } } };
    const completion = await openai.chat.completions.create({ model: 'fake-echo', messages: [{ role: 'user', content: 'list files please' }], tools: [listTool] });
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' && [call.function.name, JSON.parse(call.function.arguments)]).toEqual(['list', { path: '.' }]);
  });

  it('takes a script from the x-fake-script header or a marker in the user message', async () => {
    const viaHeader = await openai.responses.create({ model: 'fake-echo', input: 'hi' }, { headers: { 'x-fake-script': JSON.stringify({ text: 'from header' }) } });
    expect(viaHeader.output_text).toBe('from header');
    const viaMarker = await openai.responses.create({ model: 'fake-echo', input: 'hi [[fake-script {"text":"from marker"}]]' });
    expect(viaMarker.output_text).toBe('from marker');
  });

  it('queues scripts over HTTP and records requests with credentials redacted', async () => {
    const queued = await fetch(`${fake.url}/_fake/script`, { method: 'POST', body: JSON.stringify([{ text: 'one' }, { text: 'two' }]) });
    expect(await queued.json()).toEqual({ queued: 2 });
    const first = await openai.responses.create({ model: 'fake-echo', input: 'a' });
    const second = await openai.responses.create({ model: 'fake-echo', input: 'b' });
    expect([first.output_text, second.output_text]).toEqual(['one', 'two']);
    const recorded = (await (await fetch(`${fake.url}/_fake/requests`)).json()) as { requests: { headers: Record<string, string>; body: { input: string } }[] };
    expect(recorded.requests.map((request) => request.body.input)).toEqual(['a', 'b']);
    expect(recorded.requests[0]!.headers.authorization).toBe('[redacted]');
    expect(JSON.stringify(recorded)).not.toContain('sk-test-conformance');
  });

  it('rejects an invalid script with a 400 instead of echoing', async () => {
    const response = await fetch(`${fake.url}/_fake/script`, { method: 'POST', body: JSON.stringify({ txet: 'typo' }) });
    expect(response.status).toBe(400);
  });

  it('can require an API key, answering 401 in each protocol\'s shape', async () => {
    const guarded = await startFakeProvider({ requireApiKey: 'right-key' });
    try {
      const wrong = new Anthropic({ apiKey: 'wrong-key', baseURL: guarded.url, maxRetries: 0, logLevel: 'off' });
      await expect(wrong.messages.create({ model: 'fake-echo', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
      const right = new OpenAI({ apiKey: 'right-key', baseURL: `${guarded.url}/v1`, maxRetries: 0 });
      expect((await right.responses.create({ model: 'fake-echo', input: 'hi' })).output_text).toContain('You said: hi');
    } finally {
      await guarded.stop();
    }
  });

  it('lists its models in both the OpenAI and the Anthropic shape', async () => {
    const openaiModels: string[] = [];
    for await (const model of openai.models.list()) openaiModels.push(model.id);
    const anthropicModels: string[] = [];
    for await (const model of anthropic.models.list()) anthropicModels.push(model.id);
    expect(openaiModels).toEqual(['fake-echo', 'fake-reasoning']);
    expect(anthropicModels).toEqual(['fake-echo', 'fake-reasoning']);
  });
});

describe('embeddings (OpenAI /v1/embeddings wire)', () => {
  it('the official SDK parses deterministic, unit-length vectors; shared words are nearer than none', async () => {
    const answer = await openai.embeddings.create({ model: 'fake-embedding', input: ['deploy failed on main', 'On main: deploy FAILED', 'billing invoice paid'], dimensions: 32 });
    expect(answer.data).toHaveLength(3);
    const [a, b, c] = answer.data.map((item) => item.embedding);
    expect(a).toHaveLength(32);
    const dot = (x: number[], y: number[]): number => x.reduce((sum, value, i) => sum + value * y[i]!, 0);
    expect(dot(a!, a!)).toBeCloseTo(1, 5);
    expect(dot(a!, b!)).toBeCloseTo(1, 5);
    expect(dot(a!, c!)).toBeLessThan(0.5);
    const again = await openai.embeddings.create({ model: 'fake-embedding', input: 'deploy failed on main', dimensions: 32 });
    expect(again.data[0]!.embedding).toEqual(a);
    expect(answer.usage.total_tokens).toBe(11);
    const floats = await fetch(`${fake.url}/v1/embeddings`, { method: 'POST', body: JSON.stringify({ input: 'deploy failed on main', dimensions: 32, encoding_format: 'float' }) });
    expect(((await floats.json()) as { data: { embedding: number[] }[] }).data[0]!.embedding.map((v) => Math.fround(v))).toEqual(a);
  });

  it('refuses an input that is not text, as OpenAI does', async () => {
    await expect(openai.embeddings.create({ model: 'fake-embedding', input: [1, 2, 3] as unknown as string })).rejects.toMatchObject({ status: 400 });
  });
});
