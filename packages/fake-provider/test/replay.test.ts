import { readFileSync } from 'node:fs';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseFakeScript, parseRecording, startFakeProvider, type FakeProvider } from '../src/index.js';

// Replay mode: the fake sends a recorded real response, and the official SDKs parse it.
const corpus = (path: string): string => readFileSync(new URL(`../../llm/test/fixtures/recorded/${path}`, import.meta.url), 'utf8');

let fake: FakeProvider;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  fake = await startFakeProvider();
  openai = new OpenAI({ apiKey: 'sk-test-replay', baseURL: `${fake.url}/v1`, maxRetries: 0, logLevel: 'off' });
  anthropic = new Anthropic({ apiKey: 'sk-ant-test-replay', baseURL: fake.url, maxRetries: 0, logLevel: 'off' });
});
afterAll(async () => fake.stop());
beforeEach(() => fake.reset());

describe('replaying recorded responses', () => {
  it('a Chat Completions recording (JSON lines) streams to the openai SDK, [DONE] added', async () => {
    fake.enqueue({ replay: corpus('deepseek/thinking-tool-call.chunks.txt') });
    const completion = await openai.chat.completions
      .stream({ model: 'deepseek-v4-flash', messages: [{ role: 'user', content: 'weather?' }], tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object' } } }] })
      .finalChatCompletion();
    expect(completion.choices[0]!.message.tool_calls).toEqual([expect.objectContaining({ id: 'call_00_IhCAliIHtM9gKpgfqbBV9873', function: { name: 'weather', arguments: '{"location": "San Francisco"}' } })]);
    expect(completion.usage).toMatchObject({ prompt_tokens: 374, completion_tokens: 61 });
  });

  it('an Anthropic recording gets its event names and parses into the final message', async () => {
    fake.enqueue({ replay: corpus('anthropic/refusal-stop-details.chunks.txt') });
    const message = await anthropic.messages.stream({ model: 'claude-fable-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
    expect(message.stop_reason).toBe('refusal');
    expect(message.usage.output_tokens).toBe(5);
  });

  it('a Responses recording streams to the openai SDK with its phases', async () => {
    fake.enqueue({ replay: corpus('openai/responses-phase.chunks.txt') });
    const response = await openai.responses.stream({ model: 'gpt-5.3-codex', input: 'capital of France?' }).finalResponse();
    expect(response.output.map((item) => (item as unknown as { phase?: string }).phase)).toEqual(['commentary', 'final_answer']);
    expect(response.output_text).toContain('Paris');
  });

  it('a recorded JSON body answers a non-streamed request as it is', async () => {
    fake.enqueue({ replay: corpus('mistral/reasoning-message.json') });
    const completion = await openai.chat.completions.create({ model: 'magistral-medium-2507', messages: [{ role: 'user', content: '2+2?' }] });
    expect(completion.choices[0]!.message.content).toEqual([expect.objectContaining({ type: 'thinking' }), { type: 'text', text: '2 + 2 = 4' }]);
  });

  it('SSE text as captured off the wire is replayed too, and truncation still applies', async () => {
    const sse = corpus('groq/tool-call-one-chunk.chunks.txt')
      .trim()
      .split('\n')
      .map((line) => `data: ${line}\n\n`)
      .join('');
    expect(parseRecording(sse)).toMatchObject({ kind: 'stream', protocol: 'openai:completions' });
    fake.enqueue({ replay: sse, truncateAfterEvents: 2 });
    const stream = await openai.chat.completions.create({ model: 'llama', messages: [{ role: 'user', content: 'x' }], stream: true });
    const seen: unknown[] = [];
    await expect(
      (async () => {
        for await (const chunk of stream) seen.push(chunk);
      })(),
    ).rejects.toThrow();
    expect(seen).toHaveLength(2);
  });

  it('a recording of another protocol or mode is refused with 400, naming both', async () => {
    fake.enqueue({ replay: corpus('anthropic/refusal-stop-details.chunks.txt') });
    await expect(openai.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }], stream: true })).rejects.toThrow(/anthropic:messages stream.*openai:completions/);
    fake.enqueue({ replay: corpus('mistral/reasoning-message.json') });
    await expect(openai.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }], stream: true })).rejects.toThrow(/JSON body/);
  });

  it('content fields beside a replay, and recordings that are not provider events, are refused', () => {
    expect(() => parseFakeScript({ replay: corpus('groq/tool-call-one-chunk.chunks.txt'), text: 'hi' })).toThrow(/script.text has no effect with script.replay/);
    expect(() => parseFakeScript({ replay: '{"hello":1}\n{"world":2}' })).toThrow(/no event looks like/);
    expect(() => parseFakeScript({ replay: 'not json' })).toThrow(/not JSON/);
  });
});
