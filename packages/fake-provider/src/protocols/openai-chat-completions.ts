import { chunksOf, fakeId, type TurnPlan } from '../plan.js';
import type { RequestView } from '../request-view.js';
import type { RenderedTurn, WireEvent } from './wire-event.js';

type Json = Record<string, unknown>;

function finishReasonOf(plan: TurnPlan): string {
  switch (plan.finish) {
    case 'toolCalls':
      return 'tool_calls';
    case 'length':
    case 'context_length':
      return 'length';
    case 'content_filter':
      return 'content_filter';
    default:
      return 'stop';
  }
}

function usageOf(plan: TurnPlan): Json {
  const prompt = plan.usage.input + plan.usage.cachedInput;
  const completion = plan.usage.output + plan.usage.reasoning;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: plan.usage.cachedInput, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: plan.usage.reasoning, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

/**
 * Chat Completions: `chat.completion.chunk` objects (role first, then content / tool-call deltas,
 * then a chunk with `finish_reason`, then a usage chunk with empty choices when asked) and `[DONE]`.
 * Reasoning goes in `reasoning_content`, the field OpenAI-compatible servers (vLLM, DeepSeek) use.
 */
export function renderChatCompletions(plan: TurnPlan, view: RequestView): RenderedTurn {
  const id = fakeId('chatcmpl-');
  const created = Math.floor(Date.now() / 1000);
  const events: WireEvent[] = [];
  const chunk = (delta: Json, finishReason: string | null = null): void => {
    events.push({
      data: { id, object: 'chat.completion.chunk', created, model: view.model, system_fingerprint: null, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] },
    });
  };
  chunk({ role: 'assistant', content: '', refusal: null });
  const message: Json = { role: 'assistant', content: null, refusal: null, annotations: [] };
  const toolCalls: Json[] = [];
  let text = '';
  for (const block of plan.blocks) {
    if (block.type === 'reasoning') {
      for (const delta of chunksOf(block.text, plan.chunkChars)) chunk({ reasoning_content: delta });
      message.reasoning_content = block.text;
    } else if (block.type === 'text') {
      for (const delta of chunksOf(block.text, plan.chunkChars)) chunk({ content: delta });
      text += block.text;
    } else if (block.type === 'refusal') {
      for (const delta of chunksOf(block.text, plan.chunkChars)) chunk({ refusal: delta });
      message.refusal = block.text;
    } else {
      const index = toolCalls.length;
      chunk({ tool_calls: [{ index, id: block.id, type: 'function', function: { name: block.name, arguments: '' } }] });
      for (const delta of chunksOf(block.arguments, plan.chunkChars)) chunk({ tool_calls: [{ index, function: { arguments: delta } }] });
      toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: block.arguments } });
    }
  }
  const finishReason = finishReasonOf(plan);
  chunk({}, finishReason);
  if (view.includeUsage) {
    events.push({ data: { id, object: 'chat.completion.chunk', created, model: view.model, system_fingerprint: null, choices: [], usage: usageOf(plan) } });
  }
  events.push({ data: '[DONE]' });
  if (text !== '') message.content = text;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  const json = {
    id,
    object: 'chat.completion',
    created,
    model: view.model,
    system_fingerprint: null,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
    usage: usageOf(plan),
  };
  return { json, events };
}
