import { getJson, getText } from '@lightspeed/cas';
import { describe, expect, it } from 'vitest';
import { OpenAiResponsesAdapter } from '../src/index.js';
import { adapterContract } from './support/adapter-contract.js';
import { fakeEndpoint } from './support/fake-endpoint.js';

const env = adapterContract('openai:responses', () => new OpenAiResponsesAdapter());

describe('openai:responses specifics', () => {
  const context = () => ({ blobs: env.blobs, live: env.live });

  it('requests stateless encrypted reasoning and passes the reasoning item back verbatim', async () => {
    env.fake.enqueue({ reasoning: { text: 'Consider the options.', encryptedContent: 'gAAAA-opaque-blob' }, text: 'Option B.', usage: { input: 50, output: 30, reasoning: 12 } });
    const convo = await env.conversation().user('which option?');
    const first = await env.adapter.generate(convo.request('gpt-5', { params: { reasoningEffort: 'high' } }), fakeEndpoint(env.fake, 'openai:responses'), context());
    expect(first.usage).toMatchObject({ output: 42, reasoning: 12 });
    const reasoning = first.outputs.find((output) => output.kind.type === 'reasoningState')!;
    expect(reasoning).toMatchObject({ providerKind: 'reasoning', preview: 'Consider the options.' });
    const stored = await getJson<Record<string, unknown>>(env.blobs, reasoning.contentRef);
    expect(stored).toMatchObject({ type: 'reasoning', encrypted_content: 'gAAAA-opaque-blob' });
    expect(env.deltas.filter((m) => m.delta.type === 'reasoning').length).toBeGreaterThan(0);
    const sent = env.fake.requests[0]!.body as Record<string, unknown>;
    expect(sent).toMatchObject({ store: false, stream: true, include: ['reasoning.encrypted_content'], reasoning: { effort: 'high', summary: 'auto' }, prompt_cache_key: 'ses_test' });

    convo.addOutputs(first.outputs);
    await convo.user('why?');
    await env.adapter.generate(convo.request('gpt-5'), fakeEndpoint(env.fake, 'openai:responses'), context());
    const input = (env.fake.requests[1]!.body as { input: Record<string, unknown>[] }).input;
    expect(input[1]).toEqual(stored);
    // The message item verbatim, in place of its text.
    expect(input[2]).toMatchObject({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Option B.' }] });
    expect(input).toHaveLength(4);
  });

  it('reasoning items from another API kind are dropped, not sent', async () => {
    const convo = await env.conversation().user('hi');
    const ref = (await env.blobs.put(new TextEncoder().encode(JSON.stringify({ type: 'thinking', thinking: 'x', signature: 's' })), { mediaType: 'application/json' })).ref;
    convo.items.push({ id: 'ctx_foreign', kind: { type: 'reasoningState' }, contentRef: ref, apiKind: 'anthropic:messages' });
    await env.adapter.generate(convo.request('fake-echo'), fakeEndpoint(env.fake, 'openai:responses'), context());
    expect(JSON.stringify(env.fake.requests[0]!.body)).not.toContain('thinking');
  });

  it('puts instructions in `instructions` and tool results as function_call_output items', async () => {
    env.fake.enqueue({ toolCalls: [{ name: 'read_file', arguments: { path: 'a' }, id: 'call_z' }] });
    const convo = await (await (await env.conversation().instructions('You are terse.')).tool('read_file', 'Read', { type: 'object' })).user('go');
    const first = await env.adapter.generate(convo.request('fake-echo', { params: { toolChoice: 'required', parallelToolUse: false } }), fakeEndpoint(env.fake, 'openai:responses'), context());
    convo.addOutputs(first.outputs);
    await convo.toolResult('call_z', 'file body');
    await env.adapter.generate(convo.request('fake-echo'), fakeEndpoint(env.fake, 'openai:responses'), context());
    const firstBody = env.fake.requests[0]!.body as Record<string, unknown>;
    expect(firstBody).toMatchObject({ instructions: 'You are terse.', tool_choice: 'required', parallel_tool_calls: false, tools: [{ type: 'function', name: 'read_file', description: 'Read' }] });
    const input = (env.fake.requests[1]!.body as { input: Record<string, unknown>[] }).input;
    expect(input.slice(-2)).toEqual([
      expect.objectContaining({ type: 'function_call', call_id: 'call_z', name: 'read_file', arguments: '{"path":"a"}' }),
      { type: 'function_call_output', call_id: 'call_z', output: 'file body' },
    ]);
  });

  it('compacts natively: the compaction item comes back as an opaque entry and is passed back verbatim', async () => {
    const convo = await (await (await env.conversation().instructions('Be helpful.')).user('first question')).message('assistant', 'first answer');
    const facts = await env.adapter.compact(
      { sessionId: 'ses_test', compactionId: 'cmp_1', model: { providerId: 'fake', apiKind: 'openai:responses', model: 'fake-echo' }, items: convo.items.slice(1), instructions: convo.items.slice(0, 1) },
      fakeEndpoint(env.fake, 'openai:responses'),
      context(),
    );
    expect(env.fake.requests[0]!.path).toBe('/v1/responses/compact');
    expect(env.fake.requests[0]!.body).toMatchObject({ instructions: 'Be helpful.', model: 'fake-echo' });
    expect(facts.outputs.map((output) => output.kind)).toEqual([{ type: 'message', role: 'user' }, { type: 'providerOpaque' }]);
    expect(await getText(env.blobs, facts.outputs[0]!.contentRef)).toBe('first question');
    expect(facts.usage.input).toBeGreaterThan(0);
    const compaction = await getJson<Record<string, unknown>>(env.blobs, facts.outputs[1]!.contentRef);
    expect(compaction.type).toBe('compaction');

    const next = env.conversation();
    next.addOutputs(facts.outputs);
    await next.user('continue');
    await env.adapter.generate(next.request('fake-echo'), fakeEndpoint(env.fake, 'openai:responses'), context());
    const input = (env.fake.requests[1]!.body as { input: unknown[] }).input;
    expect(input).toContainEqual(compaction);
  });
});
