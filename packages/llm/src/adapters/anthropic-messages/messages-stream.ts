import type { FinishReason, Usage } from '@lightspeed/engine';
import type { DeltaPublisher } from '../../live/delta-publisher.js';
import { PendingOutputs } from '../../output/pending-outputs.js';
import type { TurnOutcome } from '../turn-outcome.js';

type Json = Record<string, unknown>;

interface BlockSnapshot {
  block: Json;
  json: string;
}

function finishOf(stopReason: unknown): FinishReason {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'tool_use':
      return 'tool_calls';
    case 'max_tokens':
      return 'length';
    case 'model_context_window_exceeded':
      return 'context_length';
    case 'refusal':
      return 'refusal';
    default:
      return 'other';
  }
}

function usageOf(usage: Json): Usage {
  return {
    // Anthropic's input_tokens already excludes cache reads and writes.
    input: Number(usage.input_tokens ?? 0),
    cachedInput: Number(usage.cache_read_input_tokens ?? 0),
    cacheWrite: Number(usage.cache_creation_input_tokens ?? 0),
    // Includes thinking; Anthropic does not report thinking tokens separately.
    output: Number(usage.output_tokens ?? 0),
    reasoning: 0,
  };
}

function parseToolInput(json: string): unknown {
  if (json === '') return {};
  return JSON.parse(json);
}

/** The usage a stream reported so far, kept where the caller can read it when the stream fails. */
export interface UsageSeen {
  usage?: Usage;
}

/**
 * Accumulates raw Messages stream events into content blocks, publishing deltas as they arrive.
 * Returns undefined when the stream ended before `message_stop` (a cut stream). In-stream `error`
 * events are thrown by the SDK as APIError and classified by the caller, which reads `seen` to
 * count the tokens the failed attempt was billed for (`message_start` reports the input).
 */
export async function consumeMessagesStream(stream: AsyncIterable<unknown>, publisher: DeltaPublisher, seen: UsageSeen = {}): Promise<TurnOutcome | undefined> {
  const blocks: BlockSnapshot[] = [];
  let usage: Json = {};
  let messageId: string | undefined;
  let stopReason: unknown;
  let stopped = false;
  for await (const raw of stream) {
    const event = raw as Json;
    switch (event.type) {
      case 'message_start': {
        const message = (event.message ?? {}) as Json;
        messageId = typeof message.id === 'string' ? message.id : undefined;
        usage = { ...((message.usage ?? {}) as Json) };
        seen.usage = usageOf(usage);
        break;
      }
      case 'content_block_start':
        blocks[Number(event.index)] = { block: structuredClone(event.content_block as Json), json: '' };
        break;
      case 'content_block_delta': {
        const snapshot = blocks[Number(event.index)];
        if (!snapshot) break;
        const delta = (event.delta ?? {}) as Json;
        const block = snapshot.block;
        if (delta.type === 'text_delta') {
          block.text = `${String(block.text ?? '')}${String(delta.text)}`;
          publisher.text(String(delta.text));
        } else if (delta.type === 'thinking_delta') {
          block.thinking = `${String(block.thinking ?? '')}${String(delta.thinking)}`;
          publisher.reasoning(String(delta.thinking));
        } else if (delta.type === 'signature_delta') {
          // The signature arrives whole in one delta (as the SDK's own accumulator assumes).
          block.signature = String(delta.signature);
        } else if (delta.type === 'input_json_delta') {
          snapshot.json += String(delta.partial_json);
          if (block.type === 'tool_use') publisher.toolCall(String(block.id), String(block.name), String(delta.partial_json));
        } else if (delta.type === 'citations_delta') {
          block.citations = [...((block.citations as unknown[] | null) ?? []), delta.citation];
        }
        break;
      }
      case 'content_block_stop': {
        const snapshot = blocks[Number(event.index)];
        if (snapshot && (snapshot.block.type === 'tool_use' || snapshot.block.type === 'server_tool_use')) snapshot.block.input = parseToolInput(snapshot.json);
        break;
      }
      case 'message_delta': {
        const delta = (event.delta ?? {}) as Json;
        if (delta.stop_reason !== undefined) stopReason = delta.stop_reason;
        const more = (event.usage ?? {}) as Json;
        for (const [key, value] of Object.entries(more)) if (value !== null && value !== undefined) usage[key] = value;
        seen.usage = usageOf(usage);
        break;
      }
      case 'message_stop':
        stopped = true;
        break;
    }
  }
  if (!stopped) return undefined;
  const pending = new PendingOutputs();
  for (const { block } of blocks.filter(Boolean)) {
    switch (block.type) {
      case 'text':
        if (block.citations === null) delete block.citations;
        pending.text('assistant', String(block.text ?? ''), 'text');
        break;
      case 'thinking':
        pending.native('reasoningState', block, 'thinking', String(block.thinking ?? ''));
        break;
      case 'redacted_thinking':
        pending.native('reasoningState', block, 'redacted_thinking', '[redacted thinking]');
        break;
      case 'tool_use':
        pending.toolCall(block, String(block.id), String(block.name), JSON.stringify(block.input ?? {}), 'tool_use', String(block.id));
        break;
      default:
        pending.native('providerOpaque', block, String(block.type), `[${String(block.type)}]`);
    }
  }
  const outcome: TurnOutcome = { pending, finishReason: finishOf(stopReason), usage: usageOf(usage) };
  if (messageId !== undefined) outcome.responseId = messageId;
  return outcome;
}
