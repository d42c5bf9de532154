import type { GenerationParams } from '@lightspeed/engine';
import type { NeutralPart } from '../../context/neutral-part.js';
import type { ToolDefinition } from '../../context/read-context.js';
import type { ResponsesNativeParams } from './responses-params.js';

type Json = Record<string, unknown>;

/**
 * Models that reason and accept `include: ['reasoning.encrypted_content']`; the `-chat` variants
 * of GPT-5 do not reason and answer 400 "Encrypted content is not supported with this model".
 */
const REASONING_MODEL = /^(o\d|gpt-5(?![\w.]*-chat)|codex)/i;

/**
 * Whether a stored native item can be sent back under `store: false`. A reasoning item is only
 * resolvable through its `encrypted_content`: sent by id alone the API answers 404 "Item … not
 * found" (items are not persisted when not storing), so one without it is left out.
 */
function resolvable(raw: Json): boolean {
  return raw.type !== 'reasoning' || (typeof raw.encrypted_content === 'string' && raw.encrypted_content !== '');
}

function userContent(part: NeutralPart): Json {
  if (part.kind === 'media') {
    const url = `data:${part.mediaType};base64,${part.base64}`;
    if (part.mediaType === 'application/pdf') return { type: 'input_file', filename: part.name, file_data: url };
    return { type: 'input_image', image_url: url, detail: 'auto' };
  }
  return { type: 'input_text', text: part.kind === 'text' ? part.text : '' };
}

/**
 * Renders neutral parts as Responses input items. System parts become `instructions`; native items
 * (assistant message items with their `phase`, reasoning with encrypted content, compaction items,
 * function calls) are sent exactly as emitted.
 */
export function responsesInput(parts: readonly NeutralPart[]): { instructions: string | undefined; input: Json[] } {
  const system: string[] = [];
  const input: Json[] = [];
  let openUser: Json[] | undefined;
  // Message items kept verbatim replace the text entries recorded from them.
  const verbatim = new Set(parts.flatMap((part) => (part.kind === 'native' && part.raw.type === 'message' && typeof part.raw.id === 'string' ? [part.raw.id] : [])));
  for (const part of parts) {
    if (part.kind === 'system') {
      system.push(part.text);
      continue;
    }
    if (part.kind === 'text' && part.itemId !== undefined && verbatim.has(part.itemId)) continue;
    if (part.kind === 'native' && !resolvable(part.raw)) continue;
    const userPart = (part.kind === 'text' || part.kind === 'media') && part.role === 'user';
    if (userPart) {
      if (!openUser) {
        openUser = [];
        input.push({ role: 'user', content: openUser });
      }
      openUser.push(userContent(part));
      continue;
    }
    openUser = undefined;
    switch (part.kind) {
      case 'text':
        input.push({ role: part.role, content: part.text });
        break;
      case 'media':
        // Assistant media cannot be sent back on this API; keep the turn's shape with a note.
        input.push({ role: 'assistant', content: `[${part.mediaType} attachment ${part.name}]` });
        break;
      case 'toolCall':
        input.push(part.raw?.type === 'function_call' ? part.raw : { type: 'function_call', call_id: part.callId, name: part.name, arguments: part.argumentsText });
        break;
      case 'toolResult':
        input.push({
          type: 'function_call_output',
          call_id: part.callId,
          output:
            part.images.length === 0
              ? part.text
              : [{ type: 'input_text', text: part.text }, ...part.images.map((image) => ({ type: 'input_image', image_url: `data:${image.mediaType};base64,${image.base64}`, detail: 'auto' }))],
        });
        break;
      case 'native':
        input.push(part.raw);
        break;
    }
  }
  return { instructions: system.length > 0 ? system.join('\n\n') : undefined, input };
}

export function responsesTools(tools: readonly ToolDefinition[]): Json[] {
  return tools.map((tool) => ({ type: 'function', name: tool.name, description: tool.description, parameters: tool.inputSchema, strict: false }));
}

function toolChoice(choice: GenerationParams['toolChoice']): unknown {
  if (choice === undefined) return undefined;
  return typeof choice === 'string' ? choice : { type: 'function', name: choice.name };
}

/** The full streaming request body: stateless (`store: false`) with encrypted reasoning returned. */
export function responsesBody(model: string, params: GenerationParams, parts: readonly NeutralPart[], tools: readonly ToolDefinition[], cacheKey?: string): Json {
  const { instructions, input } = responsesInput(parts);
  const native = (params.native ?? {}) as ResponsesNativeParams;
  const body: Json = { model, input, store: false, stream: true };
  if (instructions !== undefined) body.instructions = instructions;
  if (tools.length > 0) {
    body.tools = responsesTools(tools);
    const choice = toolChoice(params.toolChoice);
    if (choice !== undefined) body.tool_choice = choice;
    if (params.parallelToolUse !== undefined) body.parallel_tool_calls = params.parallelToolUse;
  }
  if (params.maxOutputTokens !== undefined) body.max_output_tokens = params.maxOutputTokens;
  if (params.temperature !== undefined) body.temperature = params.temperature;
  const reasoning: Json = { ...native.reasoning };
  if (params.reasoningEffort !== undefined && reasoning.effort === undefined) reasoning.effort = params.reasoningEffort;
  const reasons = REASONING_MODEL.test(model) || Object.keys(reasoning).length > 0;
  if (reasons) {
    if (reasoning.summary === undefined) reasoning.summary = 'auto';
    body.reasoning = reasoning;
    body.include = ['reasoning.encrypted_content'];
  }
  // Routes a session's turns to the same prompt cache (a native `prompt_cache_key` wins).
  if (cacheKey !== undefined) body.prompt_cache_key = cacheKey;
  for (const [key, value] of Object.entries(native)) {
    if (key !== 'reasoning' && value !== undefined) body[key] = value;
  }
  return body;
}
