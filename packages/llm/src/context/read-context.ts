import type { ApiKind, ContextEntry, ToolDescriptor } from '@lightspeed/engine';
import { LightspeedError } from '@lightspeed/ports';
import type { BlobReader } from './blob-reader.js';
import type { NeutralPart } from './neutral-part.js';
import { isNativeToolCallItem, toolCallArgumentsText } from './tool-call-content.js';
import { toolResultContent } from './tool-result-content.js';

export interface ReadContextOptions {
  /**
   * Render tool calls and results as plain text and drop native items: used for summarisation,
   * which sends the conversation without tool definitions.
   */
  degradeTools?: boolean;
}

const decoder = new TextDecoder();

function isMedia(mediaType: string): boolean {
  return mediaType.startsWith('image/') || mediaType === 'application/pdf';
}

function baseMediaType(mediaType: string): string {
  return mediaType.split(';')[0]!.trim().toLowerCase();
}

function asRecord(value: unknown, entry: ContextEntry): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LightspeedError('invalid', `context entry ${entry.id} (${entry.kind.type}) must hold a provider item JSON object`, { entryId: entry.id });
  }
  return value as Record<string, unknown>;
}

/**
 * Reads the planned context items from CAS into neutral parts. Provider-native items (reasoning,
 * opaque items, native tool-call items) are kept verbatim for the API kind that produced them;
 * reasoning and opaque items of another API kind are dropped (their encrypted/signed content is
 * meaningless elsewhere), tool calls of another API kind are replayed from their arguments.
 */
export async function readContext(items: readonly ContextEntry[], apiKind: ApiKind, reader: BlobReader, options: ReadContextOptions = {}): Promise<NeutralPart[]> {
  const parts: NeutralPart[] = [];
  const callNames = new Map<string, string>();
  const blobs = await Promise.all(items.map((entry) => reader.read(entry.contentRef)));
  for (let index = 0; index < items.length; index++) {
    const entry = items[index]!;
    const kind = entry.kind;
    const sameApi = entry.apiKind === undefined || entry.apiKind === apiKind;
    const blob = blobs[index]!;
    const mediaType = baseMediaType(entry.mediaType ?? blob.mediaType ?? 'text/plain');
    switch (kind.type) {
      case 'instructions':
      case 'vfsCatalog':
      case 'skillCatalog':
      case 'skillActivation':
        parts.push({ kind: 'system', text: decoder.decode(blob.bytes), index });
        break;
      case 'message': {
        if (isMedia(mediaType) && (kind.role === 'user' || kind.role === 'assistant')) {
          const name = entry.preview?.trim() || `${entry.id}.${mediaType.split('/')[1] ?? 'bin'}`;
          parts.push({ kind: 'media', role: kind.role, mediaType, base64: Buffer.from(blob.bytes).toString('base64'), name, index });
        } else {
          const part: NeutralPart = { kind: 'text', role: kind.role, text: decoder.decode(blob.bytes), index };
          if (sameApi && entry.providerItemId !== undefined && !options.degradeTools) part.itemId = entry.providerItemId;
          parts.push(part);
        }
        break;
      }
      case 'toolCall': {
        const text = decoder.decode(blob.bytes);
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        const argumentsText = toolCallArgumentsText(parsed, text);
        callNames.set(kind.callId, kind.name);
        if (options.degradeTools) {
          parts.push({ kind: 'text', role: 'assistant', text: `[called tool ${kind.name} with ${argumentsText}]`, index });
          break;
        }
        const part: NeutralPart = { kind: 'toolCall', callId: kind.callId, name: kind.name, argumentsText, index };
        if (sameApi && isNativeToolCallItem(parsed)) part.raw = parsed;
        parts.push(part);
        break;
      }
      case 'toolResult': {
        const { text, images } = toolResultContent(decoder.decode(blob.bytes), mediaType);
        const name = callNames.get(kind.callId);
        if (options.degradeTools) {
          const note = images.length > 0 ? ` (+${images.length} image${images.length > 1 ? 's' : ''})` : '';
          parts.push({ kind: 'text', role: 'user', text: `[result of tool ${name ?? kind.callId}${kind.isError ? ' (error)' : ''}: ${text}${note}]`, index });
          break;
        }
        parts.push({ kind: 'toolResult', callId: kind.callId, name, isError: kind.isError, text, images, index });
        break;
      }
      case 'reasoningState':
      case 'providerOpaque': {
        if (!sameApi || options.degradeTools) break;
        const raw = asRecord(JSON.parse(decoder.decode(blob.bytes)), entry);
        parts.push({ kind: 'native', raw, providerKind: entry.providerKind, index });
        break;
      }
    }
  }
  return parts;
}

export interface ToolDefinition {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

/** Loads each tool's `{description, inputSchema}` from CAS. */
export async function readTools(tools: readonly ToolDescriptor[], reader: BlobReader): Promise<ToolDefinition[]> {
  const definitions = await Promise.all(tools.map((tool) => reader.json(tool.definitionRef)));
  const out: ToolDefinition[] = [];
  for (const [position, tool] of tools.entries()) {
    const definition = definitions[position] as { description?: unknown; inputSchema?: unknown };
    const schema = typeof definition.inputSchema === 'object' && definition.inputSchema !== null ? (definition.inputSchema as Record<string, unknown>) : { type: 'object', properties: {} };
    out.push({ name: tool.name, description: typeof definition.description === 'string' ? definition.description : '', inputSchema: schema });
  }
  return out;
}
