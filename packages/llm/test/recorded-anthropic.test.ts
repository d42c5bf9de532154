import { getJson } from '@lightspeed/cas';
import { ProviderError } from '@lightspeed/ports';
import { describe, expect, it } from 'vitest';
import { AnthropicMessagesAdapter, UnsupportedProviderFeatureError } from '../src/index.js';
import { outputTexts } from './support/conversation.js';
import { fakeEndpoint } from './support/fake-endpoint.js';
import { recording, replayEnv, textDeltas } from './support/recorded.js';

// Recorded Anthropic Messages streams (fixtures/recorded/anthropic) replayed through @anthropic-ai/sdk.
const env = replayEnv('anthropic:messages');
const adapter = new AnthropicMessagesAdapter();
const context = () => ({ blobs: env.blobs, live: env.live });
const endpoint = () => fakeEndpoint(env.fake, 'anthropic:messages');

type Block = Record<string, unknown>;

function recordedTextBlocks(): Block[] {
  const blocks = new Map<number, Block>();
  for (const line of recording('anthropic/web-search-citations.chunks.txt').trim().split('\n')) {
    const event = JSON.parse(line) as Block;
    const index = Number(event.index);
    if (event.type === 'content_block_start') blocks.set(index, structuredClone(event.content_block as Block));
    if (event.type !== 'content_block_delta') continue;
    const block = blocks.get(index)!;
    const delta = event.delta as Block;
    if (delta.type === 'text_delta') block.text = `${String(block.text)}${String(delta.text)}`;
    if (delta.type === 'citations_delta') (block.citations as unknown[]).push(delta.citation);
  }
  return [...blocks.values()];
}

describe('anthropic:messages reads a many-block answer as one', () => {
  it('a cited web-search answer in many text blocks is one answer, every block in order, citations kept verbatim', async () => {
    env.fake.enqueue({ replay: recording('anthropic/web-search-citations.chunks.txt') });
    const convo = await env.conversation().user('What is the tech news today?');
    const facts = await adapter.generate(convo.request('claude-sonnet-4-20250514'), endpoint(), context());
    const blocks = recordedTextBlocks();
    const whole = blocks.map((block) => String(block.text)).join('');
    const answers = await outputTexts(env.blobs, facts);
    expect(answers).toEqual([whole]);
    expect(whole.length).toBeGreaterThan(900);
    expect(textDeltas(env.deltas)).toBe(whole);
    const sources = facts.outputs.find((output) => output.providerKind === 'citations')!;
    expect(sources).toMatchObject({ kind: { type: 'providerOpaque' }, providerItemId: 'msg_01LHpEgU4KbfgXGVi3UtHQY1' });
    const stored = await getJson<{ type: string; blocks: Block[] }>(env.blobs, sources.contentRef);
    expect(stored).toEqual({ type: 'text_blocks', message_id: 'msg_01LHpEgU4KbfgXGVi3UtHQY1', blocks });
    expect(stored.blocks.flatMap((block) => (block.citations as { url: string }[] | undefined) ?? []).map((citation) => citation.url)).toContain('https://future.forem.com/om_shree_0709/major-tech-news-september-25-2025-5h38');
    expect(facts.usage).toMatchObject({ input: 15665, output: 795 });

    // Sent back: the blocks exactly as emitted, citations included, not the merged text.
    convo.addOutputs(facts.outputs);
    await convo.user('More on Apple?');
    env.fake.enqueue({ text: 'Sure.' });
    await adapter.generate(convo.request('claude-sonnet-4-20250514'), endpoint(), context());
    const messages = (env.fake.requests[1]!.body as { messages: { role: string; content: Block[] }[] }).messages;
    expect(messages[1]).toEqual({ role: 'assistant', content: blocks });
  });

  it('a refusal is its own outcome, with the provider explanation from stop_details', async () => {
    env.fake.enqueue({ replay: recording('anthropic/refusal-stop-details.chunks.txt') });
    const convo = await env.conversation().user('something disallowed');
    const facts = await adapter.generate(convo.request('claude-fable-5'), endpoint(), context());
    expect(facts.finishReason).toBe('refusal');
    expect(facts.outputs).toEqual([expect.objectContaining({ kind: { type: 'message', role: 'assistant' }, providerKind: 'refusal' })]);
    expect(await outputTexts(env.blobs, facts)).toEqual(["This request triggered restrictions on violative cyber content and was blocked under Anthropic's Usage Policy."]);
    expect(facts.usage).toMatchObject({ input: 18, output: 5 });
  });

  it('a native compaction block is refused with a typed error naming the feature, never half-recorded', async () => {
    env.fake.enqueue({ replay: recording('anthropic/compaction-block.chunks.txt') });
    const convo = await env.conversation().user('summarise');
    const error = await adapter.generate(convo.request('claude-opus-4-6'), endpoint(), context()).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UnsupportedProviderFeatureError);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as UnsupportedProviderFeatureError).feature).toBe('anthropic.compaction');
    expect((error as ProviderError).failure).toMatchObject({ errorClass: 'invalid_request', retryable: false });
    expect((error as ProviderError).message).toMatch(/context_management/);
    // Billed input from message_start is still counted.
    expect((error as ProviderError).usage).toMatchObject({ input: 60385 });
    // Nothing of the turn reached CAS: the one blob is the user's message.
    expect(env.blobs.size).toBe(1);
  });

  it('usage restated in message_delta (input_tokens 43 → 61) is the usage counted; a ping between deltas is ignored', async () => {
    env.fake.enqueue({ replay: recording('anthropic/message-delta-input-tokens.chunks.txt') });
    const convo = await env.conversation().user('ping');
    const facts = await adapter.generate(convo.request('claude-opus-4-5-20251101'), endpoint(), context());
    expect(await outputTexts(env.blobs, facts)).toEqual(['pong']);
    expect(facts.usage).toEqual({ input: 61, cachedInput: 0, cacheWrite: 0, output: 2, reasoning: 0 });
    expect(facts.finishReason).toBe('stop');
  });
});
