import { chunksOf, fakeId, type TurnPlan } from '../plan.js';
import type { RequestView } from '../request-view.js';
import type { RenderedTurn, WireEvent } from './wire-event.js';

type Json = Record<string, unknown>;

export function usageOf(plan: Pick<TurnPlan, 'usage'>): Json {
  const input = plan.usage.input + plan.usage.cachedInput;
  const output = plan.usage.output + plan.usage.reasoning;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: plan.usage.cachedInput },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: plan.usage.reasoning },
    total_tokens: input + output,
  };
}

function statusOf(plan: TurnPlan): { status: string; incomplete: Json | null } {
  if (plan.finish === 'length') return { status: 'incomplete', incomplete: { reason: 'max_output_tokens' } };
  if (plan.finish === 'content_filter') return { status: 'incomplete', incomplete: { reason: 'content_filter' } };
  return { status: 'completed', incomplete: null };
}

function responseShell(id: string, view: RequestView, body: Json, createdAt: number): Json {
  return {
    id,
    object: 'response',
    created_at: createdAt,
    status: 'in_progress',
    background: false,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: view.model,
    output: [],
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: body.reasoning ?? { effort: null, summary: null },
    store: body.store ?? false,
    temperature: body.temperature ?? 1,
    text: { format: { type: 'text' } },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_p: 1,
    truncation: 'disabled',
    usage: null,
    user: null,
    metadata: {},
  };
}

/**
 * OpenAI Responses: `response.created` → per item `output_item.added` / part / delta / done events →
 * `response.completed` (or `response.incomplete`), each with a rising `sequence_number`.
 */
export function renderResponses(plan: TurnPlan, view: RequestView, body: Json): RenderedTurn {
  const id = fakeId('resp_');
  const createdAt = Math.floor(Date.now() / 1000);
  const shell = responseShell(id, view, body, createdAt);
  const events: WireEvent[] = [];
  let sequence = 0;
  const emit = (type: string, fields: Json): void => {
    events.push({ event: type, data: { type, sequence_number: sequence++, ...fields } });
  };
  emit('response.created', { response: shell });
  emit('response.in_progress', { response: shell });
  const output: Json[] = [];
  plan.blocks.forEach((block, outputIndex) => {
    if (block.type === 'reasoning') {
      const itemId = fakeId('rs_');
      const summaryPart = { type: 'summary_text', text: block.text };
      const done = { id: itemId, type: 'reasoning', summary: [summaryPart], encrypted_content: block.encryptedContent };
      emit('response.output_item.added', { output_index: outputIndex, item: { id: itemId, type: 'reasoning', summary: [], encrypted_content: null } });
      emit('response.reasoning_summary_part.added', { item_id: itemId, output_index: outputIndex, summary_index: 0, part: { type: 'summary_text', text: '' } });
      for (const delta of chunksOf(block.text, plan.chunkChars)) {
        emit('response.reasoning_summary_text.delta', { item_id: itemId, output_index: outputIndex, summary_index: 0, delta, obfuscation: '' });
      }
      emit('response.reasoning_summary_text.done', { item_id: itemId, output_index: outputIndex, summary_index: 0, text: block.text });
      emit('response.reasoning_summary_part.done', { item_id: itemId, output_index: outputIndex, summary_index: 0, part: summaryPart });
      emit('response.output_item.done', { output_index: outputIndex, item: done });
      output.push(done);
    } else if (block.type === 'text' || block.type === 'refusal') {
      const itemId = fakeId('msg_');
      const isText = block.type === 'text';
      const finalPart = isText ? { type: 'output_text', text: block.text, annotations: [], logprobs: [] } : { type: 'refusal', refusal: block.text };
      const done = { id: itemId, type: 'message', status: 'completed', role: 'assistant', content: [finalPart] };
      emit('response.output_item.added', { output_index: outputIndex, item: { id: itemId, type: 'message', status: 'in_progress', role: 'assistant', content: [] } });
      emit('response.content_part.added', {
        item_id: itemId,
        output_index: outputIndex,
        content_index: 0,
        part: isText ? { type: 'output_text', text: '', annotations: [], logprobs: [] } : { type: 'refusal', refusal: '' },
      });
      for (const delta of chunksOf(block.text, plan.chunkChars)) {
        if (isText) emit('response.output_text.delta', { item_id: itemId, output_index: outputIndex, content_index: 0, delta, logprobs: [], obfuscation: '' });
        else emit('response.refusal.delta', { item_id: itemId, output_index: outputIndex, content_index: 0, delta });
      }
      if (isText) emit('response.output_text.done', { item_id: itemId, output_index: outputIndex, content_index: 0, text: block.text, logprobs: [] });
      else emit('response.refusal.done', { item_id: itemId, output_index: outputIndex, content_index: 0, refusal: block.text });
      emit('response.content_part.done', { item_id: itemId, output_index: outputIndex, content_index: 0, part: finalPart });
      emit('response.output_item.done', { output_index: outputIndex, item: done });
      output.push(done);
    } else {
      const itemId = fakeId('fc_');
      const done = { id: itemId, type: 'function_call', status: 'completed', call_id: block.id, name: block.name, arguments: block.arguments };
      emit('response.output_item.added', { output_index: outputIndex, item: { ...done, status: 'in_progress', arguments: '' } });
      for (const delta of chunksOf(block.arguments, plan.chunkChars)) {
        emit('response.function_call_arguments.delta', { item_id: itemId, output_index: outputIndex, delta, obfuscation: '' });
      }
      emit('response.function_call_arguments.done', { item_id: itemId, output_index: outputIndex, name: block.name, arguments: block.arguments });
      emit('response.output_item.done', { output_index: outputIndex, item: done });
      output.push(done);
    }
  });
  const { status, incomplete } = statusOf(plan);
  const final = { ...shell, status, incomplete_details: incomplete, output, usage: usageOf(plan) };
  emit(status === 'completed' ? 'response.completed' : 'response.incomplete', { response: final });
  return { json: final, events };
}

/**
 * `POST /v1/responses/compact`: the user messages of the input kept as they were, followed by one
 * opaque `compaction` item (its content is the fake's own encoding, meaningful only to the fake).
 */
export function renderCompaction(body: Json, requestChars: number): Json {
  const input = typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : Array.isArray(body.input) ? body.input : [];
  const userMessages = input
    .filter((item): item is Json => typeof item === 'object' && item !== null && (item as Json).role === 'user')
    .map((item) => ({
      id: fakeId('msg_'),
      type: 'message',
      status: 'completed',
      role: 'user',
      content: typeof item.content === 'string' ? [{ type: 'input_text', text: item.content }] : item.content,
    }));
  const summary = `compacted ${input.length} items`;
  const inputTokens = Math.max(1, Math.ceil(requestChars / 4));
  return {
    id: fakeId('resp_'),
    object: 'response.compaction',
    created_at: Math.floor(Date.now() / 1000),
    output: [...userMessages, { id: fakeId('cmp_'), type: 'compaction', encrypted_content: `fake-compaction:${Buffer.from(summary).toString('base64')}` }],
    usage: {
      input_tokens: inputTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 16,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: inputTokens + 16,
    },
  };
}
