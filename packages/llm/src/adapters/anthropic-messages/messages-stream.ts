import type { FinishReason, Usage } from '@lightspeed/engine';
import type { DeltaPublisher } from '../../live/delta-publisher.js';
import { UnsupportedProviderFeatureError } from '../../errors/unsupported-feature.js';
import { PendingOutputs } from '../../output/pending-outputs.js';
import type { TurnOutcome } from '../turn-outcome.js';
import { TEXT_BLOCKS_TYPE } from './messages-text-blocks.js';

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
  let stopDetails: Json | undefined;
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
      case 'content_block_start': {
        const block = structuredClone(event.content_block as Json);
        // Native compaction (`context_management`) is refused rather than half-handled: its block
        // would be sent back without content and its usage.iterations miscounted.
        if (block.type === 'compaction') {
          throw new UnsupportedProviderFeatureError(
            'anthropic.compaction',
            'the provider answered with a native compaction block (Anthropic context_management), which anthropic:messages does not support; remove context_management from the request or the endpoint — Lightspeed compacts Anthropic sessions by summarisation',
            seen.usage,
          );
        }
        blocks[Number(event.index)] = { block, json: '' };
        break;
      }
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
        if (typeof delta.stop_details === 'object' && delta.stop_details !== null) stopDetails = delta.stop_details as Json;
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
  const present = blocks.filter(Boolean).map(({ block }) => block);
  // All text blocks of the message are one answer, in order (a cited web-search answer comes as
  // many blocks); cited blocks are kept verbatim beside it, for replay and for clients.
  const texts = present.filter((block) => block.type === 'text');
  const cited = texts.some((block) => Array.isArray(block.citations) && block.citations.length > 0);
  let textRecorded = false;
  for (const block of present) {
    switch (block.type) {
      case 'text':
        if (textRecorded) break;
        textRecorded = true;
        for (const text of texts) if (text.citations === null) delete text.citations;
        pending.text('assistant', texts.map((text) => String(text.text ?? '')).join(''), 'text', cited ? messageId : undefined);
        if (cited) pending.native('providerOpaque', { type: TEXT_BLOCKS_TYPE, message_id: messageId, blocks: texts }, 'citations', `[${texts.length} text blocks with citations]`, messageId);
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
  // A refusal carries the provider's explanation (`stop_details.explanation`) as refusal text.
  if (stopReason === 'refusal' && typeof stopDetails?.explanation === 'string' && stopDetails.explanation !== '') pending.text('assistant', stopDetails.explanation, 'refusal', messageId);
  const outcome: TurnOutcome = { pending, finishReason: finishOf(stopReason), usage: usageOf(usage) };
  if (messageId !== undefined) outcome.responseId = messageId;
  return outcome;
}
