import type { FinishReason, Usage } from '@lightspeed/engine';
import type { DeltaPublisher } from '../../live/delta-publisher.js';
import { PendingOutputs } from '../../output/pending-outputs.js';

type Json = Record<string, unknown>;

interface CallSnapshot {
  id: string;
  name: string;
  arguments: string;
}

export interface CompletionsResult {
  pending: PendingOutputs;
  finishReason: FinishReason;
  usage: Usage;
  responseId?: string;
}

function usageOf(usage: Json | undefined): Usage {
  const u = usage ?? {};
  const prompt = Number(u.prompt_tokens ?? 0);
  const cached = Number(((u.prompt_tokens_details ?? {}) as Json).cached_tokens ?? 0);
  return {
    input: Math.max(0, prompt - cached),
    cachedInput: cached,
    cacheWrite: 0,
    output: Number(u.completion_tokens ?? 0),
    reasoning: Number(((u.completion_tokens_details ?? {}) as Json).reasoning_tokens ?? 0),
  };
}

function finishOf(reason: string, refusal: boolean): FinishReason {
  switch (reason) {
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content_filter';
    case 'stop':
      return refusal ? 'refusal' : 'stop';
    default:
      return 'other';
  }
}

/**
 * Accumulates chat completion chunks (choice 0), publishing deltas as they arrive. Returns
 * undefined when the stream ended before a `finish_reason` (a cut stream). Reasoning arrives as
 * `reasoning_content` or `reasoning` on compatible servers.
 */
export async function consumeCompletionsStream(stream: AsyncIterable<unknown>, publisher: DeltaPublisher): Promise<CompletionsResult | undefined> {
  let text = '';
  let reasoning = '';
  let refusal = '';
  let finish: string | undefined;
  let usage: Json | undefined;
  let responseId: string | undefined;
  const calls: CallSnapshot[] = [];
  for await (const raw of stream) {
    const chunk = raw as Json;
    if (responseId === undefined && typeof chunk.id === 'string') responseId = chunk.id;
    if (chunk.usage) usage = chunk.usage as Json;
    const choice = Array.isArray(chunk.choices) ? (chunk.choices.find((c: Json) => (c.index ?? 0) === 0) as Json | undefined) : undefined;
    if (!choice) continue;
    const delta = (choice.delta ?? {}) as Json;
    if (typeof delta.content === 'string' && delta.content !== '') {
      text += delta.content;
      publisher.text(delta.content);
    }
    const thought = typeof delta.reasoning_content === 'string' ? delta.reasoning_content : typeof delta.reasoning === 'string' ? delta.reasoning : '';
    if (thought !== '') {
      reasoning += thought;
      publisher.reasoning(thought);
    }
    if (typeof delta.refusal === 'string') refusal += delta.refusal;
    if (Array.isArray(delta.tool_calls)) {
      for (const callDelta of delta.tool_calls as Json[]) {
        const index = Number(callDelta.index ?? calls.length);
        const fn = (callDelta.function ?? {}) as Json;
        const call = (calls[index] ??= { id: '', name: '', arguments: '' });
        if (typeof callDelta.id === 'string' && callDelta.id !== '') call.id = callDelta.id;
        if (typeof fn.name === 'string') call.name += fn.name;
        if (typeof fn.arguments === 'string' && fn.arguments !== '') {
          call.arguments += fn.arguments;
          publisher.toolCall(call.id, call.name, fn.arguments);
        }
      }
    }
    if (typeof choice.finish_reason === 'string') finish = choice.finish_reason;
  }
  if (finish === undefined) return undefined;
  const pending = new PendingOutputs();
  if (reasoning !== '') pending.native('reasoningState', { type: 'reasoning_content', reasoning_content: reasoning }, 'reasoning_content', reasoning);
  if (text !== '') pending.text('assistant', text, 'message');
  if (refusal !== '') pending.text('assistant', refusal, 'refusal');
  for (const call of calls.filter(Boolean)) {
    pending.toolCall({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }, call.id, call.name, call.arguments, 'tool_call');
  }
  const result: CompletionsResult = { pending, finishReason: calls.length > 0 && finish === 'stop' ? 'tool_calls' : finishOf(finish, refusal !== ''), usage: usageOf(usage) };
  if (responseId !== undefined) result.responseId = responseId;
  return result;
}
