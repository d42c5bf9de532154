import { getJson } from '@lightspeed/cas';
import { describe, expect, it } from 'vitest';
import { AnthropicMessagesAdapter, SUMMARY_HEADER } from '../src/index.js';
import { outputTexts } from './support/conversation.js';
import { adapterContract } from './support/adapter-contract.js';
import { fakeEndpoint } from './support/fake-endpoint.js';

const env = adapterContract('anthropic:messages', () => new AnthropicMessagesAdapter());

type Block = Record<string, unknown>;
type Message = { role: string; content: Block[] };

describe('anthropic:messages specifics', () => {
  const context = () => ({ blobs: env.blobs, live: env.live });
  const endpoint = () => fakeEndpoint(env.fake, 'anthropic:messages');

  it('passes thinking blocks back with their signatures, in the assistant turn, verbatim', async () => {
    env.fake.enqueue({ reasoning: { text: 'Weigh A against B.', signature: 'sig-EqQBCgIYAhIM' }, toolCalls: [{ name: 'read_file', arguments: { path: 'a' }, id: 'toolu_1' }] });
    const convo = await (await env.conversation().tool('read_file', 'Read', { type: 'object', properties: { path: { type: 'string' } } })).user('compare');
    const first = await env.adapter.generate(convo.request('claude-sonnet-4-5', { params: { reasoningEffort: 'low', maxOutputTokens: 1000 } }), endpoint(), context());
    const thinking = first.outputs.find((output) => output.kind.type === 'reasoningState')!;
    const stored = await getJson<Block>(env.blobs, thinking.contentRef);
    expect(stored).toEqual({ type: 'thinking', thinking: 'Weigh A against B.', signature: 'sig-EqQBCgIYAhIM' });
    expect(env.fake.requests[0]!.body).toMatchObject({ thinking: { type: 'enabled', budget_tokens: 2048 }, max_tokens: 3048 });

    convo.addOutputs(first.outputs);
    await convo.toolResult('toolu_1', 'contents of a');
    await env.adapter.generate(convo.request('claude-sonnet-4-5'), endpoint(), context());
    const messages = (env.fake.requests[1]!.body as { messages: Message[] }).messages;
    expect(messages[1]).toEqual({
      role: 'assistant',
      content: [stored, { type: 'tool_use', id: 'toolu_1', name: 'read_file', input: { path: 'a' } }],
    });
    expect(messages[2]).toEqual({ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'contents of a' }] });
  });

  it('reports cache reads and writes and maps the context-window stop reason', async () => {
    env.fake.enqueue({ text: 'cut', finish: 'context_length', usage: { input: 12, cachedInput: 900, cacheWrite: 100, output: 3 } });
    const convo = await env.conversation().user('hi');
    const facts = await env.adapter.generate(convo.request('claude-sonnet-4-5'), endpoint(), context());
    expect(facts.finishReason).toBe('context_length');
    expect(facts.usage).toEqual({ input: 12, cachedInput: 900, cacheWrite: 100, output: 3, reasoning: 0 });
  });

  it('places cache_control on the last block of each breakpoint item', async () => {
    const convo = await (await (await (await (await env.conversation().instructions('System rules.')).catalog('Catalog.')).user('q1')).message('assistant', 'a1')).user('q2');
    await env.adapter.generate(convo.request('claude-sonnet-4-5', { cacheBreakpoints: [1, 4] }), endpoint(), context());
    const body = env.fake.requests[0]!.body as { system: Block[]; messages: Message[] };
    expect(body.system).toEqual([{ type: 'text', text: 'System rules.' }, { type: 'text', text: 'Catalog.', cache_control: { type: 'ephemeral' } }]);
    expect(body.messages.at(-1)!.content.at(-1)).toEqual({ type: 'text', text: 'q2', cache_control: { type: 'ephemeral' } });
    expect(JSON.stringify(body).match(/cache_control/g)).toHaveLength(2);
  });

  it('keeps at most four breakpoints (the first and the latest three); a thinking block passes its mark to the block before', async () => {
    const convo = await env.conversation().instructions('rules');
    for (let i = 0; i < 6; i++) await (i % 2 === 0 ? convo.user(`u${i}`) : convo.message('assistant', `a${i}`));
    const thinkingRef = (await env.blobs.put(new TextEncoder().encode(JSON.stringify({ type: 'thinking', thinking: 't', signature: 's' })), { mediaType: 'application/json' })).ref;
    convo.items.push({ id: 'ctx_think', kind: { type: 'reasoningState' }, contentRef: thinkingRef, apiKind: 'anthropic:messages' });
    await env.adapter.generate(convo.request('claude-sonnet-4-5', { cacheBreakpoints: [0, 1, 2, 3, 4, 5, 7] }), endpoint(), context());
    const body = env.fake.requests[0]!.body as { system: Block[]; messages: Message[] };
    const marked = [...body.system, ...body.messages.flatMap((message) => message.content)].filter((block) => block.cache_control);
    // Chosen breakpoints 0, 4, 5, 7: item 7 is a thinking block, so its mark lands on a5 (item 6).
    expect(marked.map((block) => block.text)).toEqual(['rules', 'a3', 'u4', 'a5']);
    expect(body.messages.at(-1)!.content.at(-1)).toEqual({ type: 'thinking', thinking: 't', signature: 's' });
  });

  it('compacts by summarisation, tool calls rendered as text without tool definitions', async () => {
    env.fake.enqueue({ text: 'Summary: file a was read.' });
    const convo = await (await env.conversation().tool('read_file', 'Read', { type: 'object' })).user('read a');
    env.fake.enqueue({ toolCalls: [{ name: 'read_file', arguments: { path: 'a' }, id: 'toolu_9' }] });
    env.fake.reset();
    env.fake.enqueue({ toolCalls: [{ name: 'read_file', arguments: { path: 'a' }, id: 'toolu_9' }] }, { text: 'Summary: file a was read.' });
    const first = await env.adapter.generate(convo.request('claude-sonnet-4-5'), endpoint(), context());
    convo.addOutputs(first.outputs);
    await convo.toolResult('toolu_9', 'alpha');
    const facts = await env.adapter.compact({ sessionId: 'ses_test', compactionId: 'cmp_1', model: { providerId: 'fake', apiKind: 'anthropic:messages', model: 'claude-sonnet-4-5' }, items: convo.items, instructions: [] }, endpoint(), context());
    const [summary] = await outputTexts(env.blobs, { finishReason: 'stop', usage: facts.usage, outputs: facts.outputs, toolCalls: [] });
    expect(summary).toBe(`${SUMMARY_HEADER}Summary: file a was read.`);
    const body = env.fake.requests[1]!.body as { tools?: unknown; messages: Message[] };
    expect(body.tools).toBeUndefined();
    expect(JSON.stringify(body.messages)).toContain('[called tool read_file with {\\"path\\":\\"a\\"}]');
    expect(JSON.stringify(body.messages)).toContain('[result of tool read_file: alpha]');
  });
});
