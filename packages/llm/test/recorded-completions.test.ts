import { getJson, getText } from '@lightspeed/cas';
import { describe, expect, it } from 'vitest';
import { OpenAiCompletionsAdapter } from '../src/index.js';
import { readChatContent } from '../src/adapters/openai-completions/completions-content.js';
import { completionsMessages } from '../src/adapters/openai-completions/completions-request.js';
import { outputTexts } from './support/conversation.js';
import { fakeEndpoint } from './support/fake-endpoint.js';
import { recording, replayEnv, textDeltas } from './support/recorded.js';

// Real provider responses (fixtures/recorded, provenance in its README) replayed by the fake
// provider through the official openai SDK into the openai:completions adapter.
const env = replayEnv('openai:completions');
const adapter = new OpenAiCompletionsAdapter();
const context = () => ({ blobs: env.blobs, live: env.live });
const endpoint = () => fakeEndpoint(env.fake, 'openai:completions');
const WEATHER = { type: 'object', properties: { location: { type: 'string' } } };

async function replay(file: string, transform: (text: string) => string = (text) => text) {
  env.fake.enqueue({ replay: transform(recording(file)) });
  const convo = await (await env.conversation().tool('weather', 'Weather for a location', WEATHER)).user('What is the weather in San Francisco?');
  const facts = await adapter.generate(convo.request('recorded'), endpoint(), context());
  return { convo, facts };
}

async function callsOf(facts: Awaited<ReturnType<typeof replay>>['facts']) {
  return Promise.all(facts.toolCalls.map(async (call) => ({ callId: call.callId, name: call.name, arguments: JSON.parse(await getText(env.blobs, call.argumentsRef)) as unknown })));
}

describe('chat content given as an array of typed parts (Mistral)', () => {
  it('a streamed answer of thinking and text parts yields the text as the answer and the thinking as reasoning', async () => {
    const { facts } = await replay('mistral/thinking-content-parts.chunks.txt');
    expect(await outputTexts(env.blobs, facts)).toEqual(['391']);
    expect(textDeltas(env.deltas)).toBe('391');
    expect(textDeltas(env.deltas, 'reasoning')).toBe('Okay, the user is asking for the product this1.');
    const reasoning = facts.outputs.find((output) => output.kind.type === 'reasoningState')!;
    expect(await getJson(env.blobs, reasoning.contentRef)).toEqual({ type: 'thinking', thinking: [{ type: 'text', text: 'Okay, the user is asking for the product this1.' }] });
    expect(facts.finishReason).toBe('stop');
  });

  it('a non-streamed message with a part-array content is read the same way', () => {
    const body = JSON.parse(recording('mistral/reasoning-message.json')) as { choices: { message: { content: unknown } }[] };
    expect(readChatContent(body.choices[0]!.message.content)).toEqual({ text: '2 + 2 = 4', thinking: 'The user is asking for 2+2. This is basic arithmetic. 2+2=4.' });
    expect(readChatContent('plain')).toEqual({ text: 'plain', thinking: '' });
  });
});

describe('reasoning sent back on the assistant message of a tool loop', () => {
  it('DeepSeek: reasoning_content returns on the tool-calling assistant message, not on plain answers', async () => {
    const { convo, facts } = await replay('deepseek/thinking-tool-call.chunks.txt');
    const thought = 'The user asks about the weather in San Francisco. I should use the weather tool.';
    expect(textDeltas(env.deltas, 'reasoning')).toBe(thought);
    convo.addOutputs(facts.outputs);
    await convo.toolResult(facts.toolCalls[0]!.callId, '18°C, fog');
    env.fake.enqueue({ text: 'It is 18°C and foggy.', reasoning: { text: 'Answer from the tool result.' } });
    const second = await adapter.generate(convo.request('deepseek-v4-flash'), endpoint(), context());
    const messages = (env.fake.requests[1]!.body as { messages: Record<string, unknown>[] }).messages;
    expect(messages[1]).toEqual({
      role: 'assistant',
      content: null,
      reasoning_content: thought,
      tool_calls: [{ id: 'call_00_IhCAliIHtM9gKpgfqbBV9873', type: 'function', function: { name: 'weather', arguments: '{"location": "San Francisco"}' } }],
    });
    // A turn without tool calls: DeepSeek ignores its reasoning, so it is not sent.
    convo.addOutputs(second.outputs);
    await convo.user('thanks');
    env.fake.enqueue({ text: 'You are welcome.' });
    await adapter.generate(convo.request('deepseek-v4-flash'), endpoint(), context());
    const third = (env.fake.requests[2]!.body as { messages: Record<string, unknown>[] }).messages;
    expect(third.find((message) => message.content === 'It is 18°C and foggy.')).toEqual({ role: 'assistant', content: 'It is 18°C and foggy.' });
    expect(JSON.stringify(third)).not.toContain('Answer from the tool result.');
    expect(JSON.stringify(third)).toContain(thought);
  });

  it('Groq: reasoning arrives as `reasoning` and is sent back in that field', async () => {
    const { convo, facts } = await replay('groq/reasoning-field.chunks.txt');
    expect(textDeltas(env.deltas, 'reasoning')).toBe('Okay, let');
    expect(await outputTexts(env.blobs, facts)).toEqual([' $\\boxed{3}$']);
    const reasoning = facts.outputs.find((output) => output.kind.type === 'reasoningState')!;
    expect(await getJson(env.blobs, reasoning.contentRef)).toEqual({ type: 'reasoning', reasoning: 'Okay, let' });
    // Groq counts reasoning inside completion_tokens (17 + 1107 = 1124).
    expect(facts.usage).toEqual({ input: 17, cachedInput: 0, cacheWrite: 0, output: 1107, reasoning: 963 });
    const stored = (await getJson(env.blobs, reasoning.contentRef)) as Record<string, unknown>;
    // Sent back on a tool-calling message in Groq's field, Mistral's thinking as a content part.
    const call = { kind: 'toolCall' as const, callId: 'call_1', name: 'weather', argumentsText: '{}', index: 2 };
    expect(completionsMessages([{ kind: 'native', raw: stored, index: 1 }, call])).toEqual([
      { role: 'assistant', content: null, reasoning: 'Okay, let', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{}' } }] },
    ]);
    const thinking = { type: 'thinking', thinking: [{ type: 'text', text: 'Weigh it.' }] };
    expect(completionsMessages([{ kind: 'native', raw: thinking, index: 1 }, { kind: 'text', role: 'assistant', text: 'Checking.', index: 2 }, call])[0]).toMatchObject({
      content: [thinking, { type: 'text', text: 'Checking.' }],
    });
    // Without tool calls the reasoning is not sent.
    convo.addOutputs(facts.outputs);
    await convo.user('and?');
    env.fake.enqueue({ text: 'done' });
    await adapter.generate(convo.request('qwen/qwen3-32b'), endpoint(), context());
    expect((env.fake.requests[1]!.body as { messages: unknown[] }).messages).toEqual([
      { role: 'user', content: 'What is the weather in San Francisco?' },
      { role: 'assistant', content: ' $\\boxed{3}$' },
      { role: 'user', content: 'and?' },
    ]);
  });
});

describe('usage read as each server defines it', () => {
  it('xAI counts reasoning outside completion_tokens: output is completion + reasoning', async () => {
    const { facts } = await replay('xai/reasoning-outside-completion.chunks.txt');
    expect(await outputTexts(env.blobs, facts)).toEqual(['Grok']);
    // 12 prompt (11 cached) + 2 completion + 340 reasoning = 354 total.
    expect(facts.usage).toEqual({ input: 1, cachedInput: 11, cacheWrite: 0, output: 342, reasoning: 340 });
  });

  it('DeepSeek counts reasoning inside completion_tokens and reports its cache hits', async () => {
    const { facts } = await replay('deepseek/thinking-tool-call.chunks.txt');
    expect(facts.usage).toEqual({ input: 118, cachedInput: 256, cacheWrite: 0, output: 61, reasoning: 17 });
  });

  it('Mistral and GLM report no reasoning details; cached tokens are read when present', async () => {
    expect((await replay('mistral/thinking-content-parts.chunks.txt')).facts.usage).toEqual({ input: 28, cachedInput: 0, cacheWrite: 0, output: 139, reasoning: 0 });
    expect((await replay('glm/incremental-tool-call.chunks.txt')).facts.usage).toEqual({ input: 43, cachedInput: 128, cacheWrite: 0, output: 14, reasoning: 0 });
  });
});

describe('tool calls in the shapes real servers stream them', () => {
  it('the whole call in one chunk (Groq)', async () => {
    const { facts } = await replay('groq/tool-call-one-chunk.chunks.txt');
    expect(facts.finishReason).toBe('tool_calls');
    expect(await callsOf(facts)).toEqual([{ callId: 'tk85n1k4m', name: 'weather', arguments: {} }]);
  });

  it('the whole call in one chunk after streamed reasoning (xAI), usage with reasoning outside completion', async () => {
    const { facts } = await replay('xai/tool-call-one-chunk.chunks.txt');
    expect(await callsOf(facts)).toEqual([{ callId: 'call_79382389', name: 'weather', arguments: { location: 'San Francisco' } }]);
    expect(facts.usage).toEqual({ input: 1, cachedInput: 306, cacheWrite: 0, output: 253, reasoning: 227 });
  });

  it('a call chunk without an index (Mistral)', async () => {
    const { facts } = await replay('mistral/tool-call-without-index.chunks.txt');
    expect(await callsOf(facts)).toEqual([{ callId: 'gSIMJiOkT', name: 'weather', arguments: { location: 'San Francisco' } }]);
    expect(facts.finishReason).toBe('tool_calls');
  });

  it('continuation chunks repeating type and an empty name (GLM)', async () => {
    const { facts } = await replay('glm/incremental-tool-call.chunks.txt');
    expect(await callsOf(facts)).toEqual([{ callId: 'chatcmpl-tool-9f149c74c42f265b', name: 'webSearchTool', arguments: { query: 'current Berlin weather' } }]);
  });

  it('many small argument deltas (DeepSeek), each published as it arrives', async () => {
    const { facts } = await replay('deepseek/thinking-tool-call.chunks.txt');
    expect(await callsOf(facts)).toEqual([{ callId: 'call_00_IhCAliIHtM9gKpgfqbBV9873', name: 'weather', arguments: { location: 'San Francisco' } }]);
    const pieces = env.deltas.filter((m) => m.delta.type === 'toolCall');
    expect(pieces).toHaveLength(10);
  });

  it('text before the call (OpenAI) keeps both, in order', async () => {
    const { facts } = await replay('openai/chat-text-then-tool-call.chunks.txt');
    expect(await outputTexts(env.blobs, facts)).toEqual(['PRE_TOOL']);
    expect(await callsOf(facts)).toEqual([{ callId: 'call_NZa7xqfefoaMI2YYHowVXVlU', name: 'weather', arguments: {} }]);
    expect(facts.outputs.map((output) => output.kind.type)).toEqual(['message', 'toolCall']);
  });

  it('a first call at index 1 (adapted: the OpenAI recording with its call index shifted to 1)', async () => {
    // No public recording with this shape was found; the issue reports it from an
    // Anthropic-compatible endpoint, whose text block takes index 0.
    const { facts } = await replay('openai/chat-text-then-tool-call.chunks.txt', (text) => text.replaceAll('"tool_calls":[{"index":0', '"tool_calls":[{"index":1'));
    expect(await callsOf(facts)).toEqual([{ callId: 'call_NZa7xqfefoaMI2YYHowVXVlU', name: 'weather', arguments: {} }]);
    expect(facts.outputs.filter((output) => output.kind.type === 'toolCall')).toHaveLength(1);
  });
});
