import type { FinishReason, Usage } from '@lightspeed/engine';
import type { DeltaPublisher } from '../../live/delta-publisher.js';
import { PendingOutputs } from '../../output/pending-outputs.js';
import { readChatContent } from './completions-content.js';
import { chatReasoningItem, type ChatReasoningField } from './completions-reasoning.js';
import { completionsUsage } from './completions-usage.js';

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
 * Tool-call deltas as compatible servers really stream them: OpenAI's `index` + first-chunk `id`
 * + argument pieces; the whole call in one chunk (Groq, xAI); no `index` at all (Mistral); a first
 * call at `index: 1`; continuation chunks repeating an empty `name` (GLM). Calls are kept in the
 * order they first appeared, whatever their indexes.
 */
class ToolCallAccumulator {
  private readonly calls = new Map<string, CallSnapshot>();
  private last: string | undefined;

  add(delta: Json, publisher: DeltaPublisher): void {
    const fn = (delta.function ?? {}) as Json;
    const id = typeof delta.id === 'string' && delta.id !== '' ? delta.id : undefined;
    let key: string;
    if (typeof delta.index === 'number') key = `index:${delta.index}`;
    // Without an index, a chunk naming a new id starts a call; anything else continues the last.
    else if (this.last !== undefined && (id === undefined || this.calls.get(this.last)!.id === id)) key = this.last;
    else key = `position:${this.calls.size}`;
    let call = this.calls.get(key);
    if (!call) {
      call = { id: '', name: '', arguments: '' };
      this.calls.set(key, call);
    }
    this.last = key;
    if (id !== undefined) call.id = id;
    // Names arrive whole; a server repeating the name on every chunk must not double it.
    if (typeof fn.name === 'string' && fn.name !== '' && fn.name !== call.name) call.name = call.name === '' ? fn.name : `${call.name}${fn.name}`;
    if (typeof fn.arguments === 'string' && fn.arguments !== '') {
      call.arguments += fn.arguments;
      publisher.toolCall(call.id, call.name, fn.arguments);
    }
  }

  /** Finished calls; a server that never sent an id gets a stable positional one. */
  finished(responseId: string | undefined): CallSnapshot[] {
    return [...this.calls.values()].map((call, position) => (call.id !== '' ? call : { ...call, id: `call_${responseId ?? 'chat'}_${position}` }));
  }
}

/**
 * Accumulates chat completion chunks (choice 0), publishing deltas as they arrive. Returns
 * undefined when the stream ended before a `finish_reason` (a cut stream). Reasoning arrives as
 * `reasoning_content` (DeepSeek, xAI, vLLM), `reasoning` (Groq, OpenRouter) or thinking parts of
 * an array `content` (Mistral); it is kept under the field it came in, so it can be sent back.
 */
export async function consumeCompletionsStream(stream: AsyncIterable<unknown>, publisher: DeltaPublisher): Promise<CompletionsResult | undefined> {
  let text = '';
  let reasoning = '';
  let reasoningField: ChatReasoningField | undefined;
  let refusal = '';
  let finish: string | undefined;
  let usage: Json | undefined;
  let responseId: string | undefined;
  const calls = new ToolCallAccumulator();
  const addReasoning = (field: ChatReasoningField, thought: string): void => {
    if (thought === '') return;
    reasoningField ??= field;
    reasoning += thought;
    publisher.reasoning(thought);
  };
  for await (const raw of stream) {
    const chunk = raw as Json;
    // Some gateways open with a placeholder chunk whose id is empty.
    if (responseId === undefined && typeof chunk.id === 'string' && chunk.id !== '') responseId = chunk.id;
    // Groq reported usage only under `x_groq` before it adopted `usage`.
    const chunkUsage = chunk.usage ?? (chunk.x_groq as Json | undefined)?.usage;
    if (typeof chunkUsage === 'object' && chunkUsage !== null) usage = chunkUsage as Json;
    const choice = Array.isArray(chunk.choices) ? (chunk.choices.find((c: Json) => (c.index ?? 0) === 0) as Json | undefined) : undefined;
    if (!choice) continue;
    const delta = (choice.delta ?? {}) as Json;
    const content = readChatContent(delta.content);
    addReasoning('thinking', content.thinking);
    if (content.text !== '') {
      text += content.text;
      publisher.text(content.text);
    }
    if (typeof delta.reasoning_content === 'string') addReasoning('reasoning_content', delta.reasoning_content);
    else if (typeof delta.reasoning === 'string') addReasoning('reasoning', delta.reasoning);
    if (typeof delta.refusal === 'string') refusal += delta.refusal;
    if (Array.isArray(delta.tool_calls)) for (const callDelta of delta.tool_calls as Json[]) calls.add(callDelta, publisher);
    if (typeof choice.finish_reason === 'string') finish = choice.finish_reason;
  }
  if (finish === undefined) return undefined;
  const pending = new PendingOutputs();
  if (reasoning !== '' && reasoningField) pending.native('reasoningState', chatReasoningItem(reasoningField, reasoning), reasoningField, reasoning);
  if (text !== '') pending.text('assistant', text, 'message');
  if (refusal !== '') pending.text('assistant', refusal, 'refusal');
  const finished = calls.finished(responseId);
  for (const call of finished) {
    pending.toolCall({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }, call.id, call.name, call.arguments, 'tool_call');
  }
  const finishReason = finished.length > 0 && finish === 'stop' ? 'tool_calls' : finishOf(finish, refusal !== '');
  const result: CompletionsResult = { pending, finishReason, usage: completionsUsage(usage) };
  if (responseId !== undefined) result.responseId = responseId;
  return result;
}
