import { getJson, putJson } from '@lightspeed/cas';
import { ProviderError } from '@lightspeed/ports';
import { describe, expect, it } from 'vitest';
import { OpenAiResponsesAdapter } from '../src/index.js';
import { outputTexts } from './support/conversation.js';
import { fakeEndpoint } from './support/fake-endpoint.js';
import { recording, replayEnv, textDeltas } from './support/recorded.js';

// Recorded Responses streams (fixtures/recorded/openai) replayed through the openai SDK.
const env = replayEnv('openai:responses');
const adapter = new OpenAiResponsesAdapter();
const context = () => ({ blobs: env.blobs, live: env.live });
const endpoint = () => fakeEndpoint(env.fake, 'openai:responses');

type Item = Record<string, unknown>;

describe('openai:responses sends output items back verbatim', () => {
  it('assistant message items keep their phase (commentary, final_answer) when sent back', async () => {
    env.fake.enqueue({ replay: recording('openai/responses-phase.chunks.txt') });
    const convo = await env.conversation().user('What is the capital of France?');
    const facts = await adapter.generate(convo.request('gpt-5.3-codex'), endpoint(), context());
    expect(textDeltas(env.deltas)).toBe("I'm going to search for thatThe capital of France is Paris.");
    expect(await outputTexts(env.blobs, facts)).toEqual(["I'm going to search for that", 'The capital of France is Paris.']);
    const recorded = (JSON.parse(recording('openai/responses-phase.chunks.txt').trim().split('\n').at(-1)!) as { response: { output: Item[] } }).response.output;
    convo.addOutputs(facts.outputs);
    await convo.user('And of Spain?');
    env.fake.enqueue({ text: 'Madrid.' });
    await adapter.generate(convo.request('gpt-5.3-codex'), endpoint(), context());
    const input = (env.fake.requests[1]!.body as { input: Item[] }).input;
    // Each message item exactly as emitted, once: the text entries they were read into are not repeated.
    expect(input).toEqual([
      { role: 'user', content: [{ type: 'input_text', text: 'What is the capital of France?' }] },
      recorded[0],
      recorded[1],
      { role: 'user', content: [{ type: 'input_text', text: 'And of Spain?' }] },
    ]);
    expect(input.map((item) => item.phase)).toEqual([undefined, 'commentary', 'final_answer', undefined]);
  });

  it('with store: false a reasoning item without encrypted_content is not sent back by id; encrypted content is requested', async () => {
    const body = JSON.parse(recording('openai/responses-phase-reasoning.json')) as { output: Item[] };
    const convo = await env.conversation().user('What is the capital of France?');
    // The recorded reasoning item has no encrypted_content (what a stored response returns).
    const unresolvable = body.output[0]!;
    const encrypted = { ...unresolvable, id: 'rs_2', encrypted_content: 'gAAAA-opaque' };
    const entries = [unresolvable, encrypted].map(async (item) => ({ kind: { type: 'reasoningState' as const }, contentRef: await putJson(env.blobs, item), mediaType: 'application/json', providerKind: 'reasoning', providerItemId: String(item.id) }));
    convo.addOutputs(await Promise.all(entries));
    await convo.user('Sure?');
    env.fake.enqueue({ text: 'Yes.' });
    await adapter.generate(convo.request('gpt-5.3-codex'), endpoint(), context());
    const sent = env.fake.requests[0]!.body as { input: Item[]; store: boolean; include: string[] };
    expect(sent.store).toBe(false);
    expect(sent.include).toEqual(['reasoning.encrypted_content']);
    expect(sent.input.filter((item) => item.type === 'reasoning')).toEqual([encrypted]);
    expect(JSON.stringify(sent.input)).not.toContain('rs_phase_001');
    expect(await getJson(env.blobs, (await entries[0]!).contentRef)).toEqual(unresolvable);
  });

  it('GPT-5 chat variants, which do not reason, are not asked for encrypted content', async () => {
    const convo = await env.conversation().user('hi');
    env.fake.enqueue({ text: 'hello' });
    await adapter.generate(convo.request('gpt-5-chat-latest'), endpoint(), context());
    expect(env.fake.requests[0]!.body).not.toHaveProperty('include');
  });
});

describe('openai:responses errors in the stream', () => {
  it('an in-stream error event with a nested error object (quota) is classified from its code, not as a retryable server error', async () => {
    env.fake.enqueue({ replay: recording('openai/responses-quota-error-mid-stream.chunks.txt') });
    const convo = await env.conversation().user('hi');
    const error = await adapter.generate(convo.request('gpt-5-nano'), endpoint(), context()).then(
      () => undefined,
      (caught: unknown) => caught as ProviderError,
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect(error!.failure).toMatchObject({ errorClass: 'quota', retryable: false });
    expect(error!.message).toMatch(/exceeded your current quota/);
  });
});
