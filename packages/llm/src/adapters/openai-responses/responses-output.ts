import type { FinishReason, Usage } from '@lightspeed/engine';
import type { PendingOutputs } from '../../output/pending-outputs.js';

type Json = Record<string, unknown>;

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function parts(value: unknown): Json[] {
  return Array.isArray(value) ? (value.filter((part) => typeof part === 'object' && part !== null) as Json[]) : [];
}

/**
 * Records each Responses output item: assistant text as text, refusals as text marked `refusal`
 * (each followed by the message item itself, for verbatim echo), function calls and
 * reasoning/compaction/other items as the raw JSON the provider emitted.
 * Returns whether a refusal was seen.
 */
export function recordResponsesOutput(items: readonly Json[], pending: PendingOutputs, role: 'assistant' | 'user' = 'assistant'): { refusal: boolean } {
  let refusal = false;
  for (const item of items) {
    const id = typeof item.id === 'string' ? item.id : undefined;
    switch (item.type) {
      case 'message': {
        const content = parts(item.content);
        const text = content
          .filter((part) => part.type === 'output_text' || part.type === 'input_text')
          .map((part) => str(part.text))
          .join('');
        const refusals = content.filter((part) => part.type === 'refusal').map((part) => str(part.refusal));
        const messageRole = item.role === 'user' ? 'user' : role;
        if (text !== '') pending.text(messageRole, text, 'message', id);
        if (refusals.length > 0) {
          refusal = true;
          pending.text('assistant', refusals.join(''), 'refusal', id);
        }
        // The item itself, sent back verbatim in place of the text (its `phase`, annotations and
        // id kept); other API kinds replay the text entry and drop this one.
        if (messageRole === 'assistant' && id !== undefined) pending.native('providerOpaque', item, 'message', `[message${typeof item.phase === 'string' ? ` ${item.phase}` : ''}]`, id);
        break;
      }
      case 'function_call':
        pending.toolCall(item, str(item.call_id), str(item.name), str(item.arguments), 'function_call', id);
        break;
      case 'reasoning': {
        const summary = parts(item.summary)
          .map((part) => str(part.text))
          .join('\n');
        pending.native('reasoningState', item, 'reasoning', summary === '' ? '[reasoning]' : summary, id);
        break;
      }
      default:
        pending.native('providerOpaque', item, str(item.type) || 'item', `[${str(item.type) || 'item'}]`, id);
    }
  }
  return { refusal };
}

export function responsesUsage(usage: unknown): Usage {
  const u = (usage ?? {}) as Json;
  const inputDetails = (u.input_tokens_details ?? {}) as Json;
  const outputDetails = (u.output_tokens_details ?? {}) as Json;
  const inputTokens = Number(u.input_tokens ?? 0);
  const cached = Number(inputDetails.cached_tokens ?? 0);
  return {
    input: Math.max(0, inputTokens - cached),
    cachedInput: cached,
    cacheWrite: 0,
    // Output includes reasoning tokens (the engine counts reasoning as part of output).
    output: Number(u.output_tokens ?? 0),
    reasoning: Number(outputDetails.reasoning_tokens ?? 0),
  };
}

export function responsesFinish(response: Json, hasToolCalls: boolean, refusal: boolean): FinishReason {
  if (response.status === 'incomplete') {
    const reason = ((response.incomplete_details ?? {}) as Json).reason;
    if (reason === 'max_output_tokens') return 'length';
    if (reason === 'content_filter') return 'content_filter';
    return 'other';
  }
  if (hasToolCalls) return 'tool_calls';
  if (refusal) return 'refusal';
  return 'stop';
}
