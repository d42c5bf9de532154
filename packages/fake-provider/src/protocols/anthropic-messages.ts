import { chunksOf, fakeId, type TurnPlan } from '../plan.js';
import type { RequestView } from '../request-view.js';
import type { RenderedTurn, WireEvent } from './wire-event.js';

type Json = Record<string, unknown>;

function stopReasonOf(plan: TurnPlan): string {
  switch (plan.finish) {
    case 'toolCalls':
      return 'tool_use';
    case 'length':
      return 'max_tokens';
    case 'context_length':
      return 'model_context_window_exceeded';
    case 'refusal':
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

function parsedInput(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

/**
 * Anthropic Messages: `message_start` → per block `content_block_start` / `content_block_delta`
 * (text, thinking + signature, input_json) / `content_block_stop` → `message_delta` → `message_stop`.
 * Anthropic has no separate refusal block: a refusal is text with `stop_reason: refusal`.
 */
export function renderMessages(plan: TurnPlan, view: RequestView): RenderedTurn {
  const id = fakeId('msg_');
  const events: WireEvent[] = [];
  const emit = (type: string, fields: Json): void => {
    events.push({ event: type, data: { type, ...fields } });
  };
  const usage = {
    input_tokens: plan.usage.input,
    cache_creation_input_tokens: plan.usage.cacheWrite,
    cache_read_input_tokens: plan.usage.cachedInput,
    output_tokens: plan.usage.output + plan.usage.reasoning,
    service_tier: 'standard',
  };
  const shell = { id, type: 'message', role: 'assistant', model: view.model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } };
  emit('message_start', { message: shell });
  const content: Json[] = [];
  plan.blocks.forEach((block, index) => {
    if (block.type === 'reasoning') {
      emit('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } });
      for (const delta of chunksOf(block.text, plan.chunkChars)) emit('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: delta } });
      emit('content_block_delta', { index, delta: { type: 'signature_delta', signature: block.signature } });
      content.push({ type: 'thinking', thinking: block.text, signature: block.signature });
    } else if (block.type === 'text' || block.type === 'refusal') {
      emit('content_block_start', { index, content_block: { type: 'text', text: '', citations: null } });
      for (const delta of chunksOf(block.text, plan.chunkChars)) emit('content_block_delta', { index, delta: { type: 'text_delta', text: delta } });
      content.push({ type: 'text', text: block.text, citations: null });
    } else {
      emit('content_block_start', { index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } });
      for (const delta of chunksOf(block.arguments, plan.chunkChars)) emit('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: delta } });
      content.push({ type: 'tool_use', id: block.id, name: block.name, input: parsedInput(block.arguments) });
    }
    emit('content_block_stop', { index });
    if (index === 0) emit('ping', {});
  });
  const stopReason = stopReasonOf(plan);
  emit('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } });
  emit('message_stop', {});
  return { json: { ...shell, content, stop_reason: stopReason, usage }, events };
}
