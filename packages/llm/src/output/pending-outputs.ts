import { preview, type ContextEntry, type OutputItemFact, type ToolCallFact } from '@lightspeed/engine';
import type { BlobStore } from '@lightspeed/ports';

interface PendingItem {
  kind: ContextEntry['kind'];
  bytes: Uint8Array;
  mediaType: string;
  preview: string;
  providerKind?: string;
  providerItemId?: string;
}

interface PendingCall {
  callId: string;
  name: string;
  argumentsText: string;
  providerItemId?: string;
}

const encoder = new TextEncoder();
export const TEXT_MEDIA_TYPE = 'text/plain; charset=utf-8';
export const JSON_MEDIA_TYPE = 'application/json';

/**
 * The output items of one generation, held in memory until the provider's terminal event. Only
 * `commit` writes to CAS, so a stream that fails half-way leaves nothing recorded.
 */
export class PendingOutputs {
  private readonly items: PendingItem[] = [];
  private readonly calls: PendingCall[] = [];

  /** Assistant (or summary) text: stored as UTF-8 text so any API kind can replay it. */
  text(role: 'assistant' | 'user', text: string, providerKind: string, providerItemId?: string): void {
    this.items.push({ kind: { type: 'message', role }, bytes: encoder.encode(text), mediaType: TEXT_MEDIA_TYPE, preview: preview(text), providerKind, providerItemId });
  }

  /** A provider-native item (reasoning, compaction, server tool…): stored as the raw JSON emitted. */
  native(kind: 'reasoningState' | 'providerOpaque', raw: unknown, providerKind: string, previewText: string, providerItemId?: string): void {
    this.items.push({ kind: { type: kind }, bytes: encoder.encode(JSON.stringify(raw)), mediaType: JSON_MEDIA_TYPE, preview: preview(previewText), providerKind, providerItemId });
  }

  /** A tool call: the raw provider item as the output, the arguments text as the call's argumentsRef. */
  toolCall(raw: unknown, callId: string, name: string, argumentsText: string, providerKind: string, providerItemId?: string): void {
    this.items.push({
      kind: { type: 'toolCall', callId, name },
      bytes: encoder.encode(JSON.stringify(raw)),
      mediaType: JSON_MEDIA_TYPE,
      preview: preview(`${name}(${argumentsText})`),
      providerKind,
      providerItemId,
    });
    this.calls.push({ callId, name, argumentsText, providerItemId });
  }

  /** Text of the assistant messages recorded so far (summarisation reads its summary from here). */
  assistantText(): string {
    const decoder = new TextDecoder();
    return this.items
      .filter((item) => item.kind.type === 'message' && item.kind.role === 'assistant' && item.providerKind !== 'refusal')
      .map((item) => decoder.decode(item.bytes))
      .join('');
  }

  get isEmpty(): boolean {
    return this.items.length === 0;
  }

  /** Writes every item and every call's arguments to CAS in one batch and returns the facts. */
  async commit(blobs: BlobStore): Promise<{ outputs: OutputItemFact[]; toolCalls: ToolCallFact[] }> {
    const stats = await blobs.putMany([
      ...this.items.map((item) => ({ bytes: item.bytes, mediaType: item.mediaType })),
      ...this.calls.map((call) => ({ bytes: encoder.encode(call.argumentsText), mediaType: JSON_MEDIA_TYPE })),
    ]);
    const outputs = this.items.map((item, position): OutputItemFact => {
      const fact: OutputItemFact = { kind: item.kind, contentRef: stats[position]!.ref, preview: item.preview, mediaType: item.mediaType };
      if (item.providerKind !== undefined) fact.providerKind = item.providerKind;
      if (item.providerItemId !== undefined) fact.providerItemId = item.providerItemId;
      return fact;
    });
    const toolCalls = this.calls.map((call, position): ToolCallFact => {
      const fact: ToolCallFact = { callId: call.callId, name: call.name, argumentsRef: stats[this.items.length + position]!.ref };
      if (call.providerItemId !== undefined) fact.providerItemId = call.providerItemId;
      return fact;
    });
    return { outputs, toolCalls };
  }
}
