import { getJson } from '@lightspeed/cas';
import { describe, expect, it } from 'vitest';
import { OpenAiCompletionsAdapter, SUMMARY_HEADER } from '../src/index.js';
import { outputTexts } from './support/conversation.js';
import { adapterContract } from './support/adapter-contract.js';
import { fakeEndpoint } from './support/fake-endpoint.js';

const env = adapterContract('openai:completions', () => new OpenAiCompletionsAdapter());

describe('openai:completions specifics', () => {
  const context = () => ({ blobs: env.blobs, live: env.live });
  const endpoint = () => fakeEndpoint(env.fake, 'openai:completions');

  it('streams with usage, one system message first, tool calls and tool messages in chat shape', async () => {
    env.fake.enqueue({ text: 'Reading.', toolCalls: [{ name: 'read_file', arguments: { path: 'x' }, id: 'call_x' }], usage: { input: 20, cachedInput: 5, output: 9, reasoning: 3 } });
    const convo = await (await (await (await env.conversation().instructions('Rule one.')).catalog('Files: x')).tool('read_file', 'Read', { type: 'object' })).user('read x');
    const first = await env.adapter.generate(convo.request('gpt-4.1', { params: { maxOutputTokens: 300, toolChoice: { name: 'read_file' } } }), endpoint(), context());
    expect(first.usage).toEqual({ input: 20, cachedInput: 5, cacheWrite: 0, output: 12, reasoning: 3 });
    expect(first.finishReason).toBe('tool_calls');
    convo.addOutputs(first.outputs);
    await convo.toolResult('call_x', 'x body', true);
    await env.adapter.generate(convo.request('gpt-4.1'), endpoint(), context());
    const sent = env.fake.requests[0]!.body as Record<string, unknown>;
    expect(sent).toMatchObject({ stream: true, stream_options: { include_usage: true }, max_completion_tokens: 300, tool_choice: { type: 'function', function: { name: 'read_file' } } });
    const messages = (env.fake.requests[1]!.body as { messages: unknown[] }).messages;
    expect(messages).toEqual([
      { role: 'system', content: 'Rule one.\n\nFiles: x' },
      { role: 'user', content: 'read x' },
      { role: 'assistant', content: 'Reading.', tool_calls: [{ id: 'call_x', type: 'function', function: { name: 'read_file', arguments: '{"path":"x"}' } }] },
      { role: 'tool', tool_call_id: 'call_x', content: 'x body' },
    ]);
  });

  it('keeps reasoning_content of compatible servers as a reasoning entry, not sent back on an answer without tool calls', async () => {
    env.fake.enqueue({ reasoning: { text: 'Let me think.' }, text: 'Done.' });
    const convo = await env.conversation().user('think');
    const first = await env.adapter.generate(convo.request('deepseek-reasoner'), endpoint(), context());
    const reasoning = first.outputs.find((output) => output.kind.type === 'reasoningState')!;
    expect(await getJson(env.blobs, reasoning.contentRef)).toEqual({ type: 'reasoning_content', reasoning_content: 'Let me think.' });
    expect(env.deltas.filter((m) => m.delta.type === 'reasoning').map((m) => (m.delta.type === 'reasoning' ? m.delta.text : '')).join('')).toBe('Let me think.');
    convo.addOutputs(first.outputs);
    await convo.user('and?');
    await env.adapter.generate(convo.request('deepseek-reasoner'), endpoint(), context());
    expect(JSON.stringify(env.fake.requests[1]!.body)).not.toContain('Let me think.');
  });

  it('passes extra_body through for compatible servers but never lets it replace owned fields', async () => {
    expect(env.adapter.validateParams({ extra_body: { top_k: 20 } })).toBeUndefined();
    expect(env.adapter.validateParams({ extra_body: { messages: [] } })).toMatch(/extra_body/);
    const convo = await env.conversation().user('hi');
    await env.adapter.generate(convo.request('llama3', { params: { native: { extra_body: { top_k: 20 }, seed: 4 } } }), endpoint(), context());
    expect(env.fake.requests[0]!.body).toMatchObject({ top_k: 20, seed: 4 });
  });

  it('compacts by summarisation into one user message', async () => {
    env.fake.enqueue({ text: 'You were asked to read x; it said hello.' });
    const convo = await (await (await env.conversation().instructions('Be terse.')).user('read x')).message('assistant', 'x says hello');
    const facts = await env.adapter.compact(
      { sessionId: 'ses_test', compactionId: 'cmp_1', model: { providerId: 'fake', apiKind: 'openai:completions', model: 'fake-echo' }, items: convo.items.slice(1), instructions: convo.items.slice(0, 1) },
      endpoint(),
      context(),
    );
    expect(facts.outputs).toHaveLength(1);
    expect(facts.outputs[0]!.kind).toEqual({ type: 'message', role: 'user' });
    const [summary] = await outputTexts(env.blobs, { finishReason: 'stop', usage: facts.usage, outputs: facts.outputs, toolCalls: [] });
    expect(summary).toBe(`${SUMMARY_HEADER}You were asked to read x; it said hello.`);
    const messages = (env.fake.requests[0]!.body as { messages: { role: string; content: string }[] }).messages;
    expect(messages[0]!.content).toContain('Be terse.');
    expect(messages.at(-1)!.content).toMatch(/Summarise the conversation/);
    expect(env.deltas).toHaveLength(0);
  });
});
