import type { GenerationParams } from '@lightspeed/engine';
import type { NeutralPart } from '../../context/neutral-part.js';
import type { ToolDefinition } from '../../context/read-context.js';
import type { CompletionsNativeParams } from './completions-params.js';
import { attachChatReasoning, isChatReasoningItem } from './completions-reasoning.js';

type Json = Record<string, unknown>;

function userPart(part: NeutralPart): Json {
  if (part.kind === 'media') {
    const url = `data:${part.mediaType};base64,${part.base64}`;
    if (part.mediaType === 'application/pdf') return { type: 'file', file: { filename: part.name, file_data: url } };
    return { type: 'image_url', image_url: { url } };
  }
  return { type: 'text', text: part.kind === 'text' ? part.text : '' };
}

/**
 * Renders neutral parts as chat messages: one system message first, consecutive user parts as one
 * user message, assistant text and tool calls as one assistant message, tool results as `tool`
 * messages. A stored reasoning item opens its turn's assistant message and is sent back on it,
 * in the server's own field, when that message called tools (DeepSeek's thinking mode requires
 * it there and ignores it elsewhere); other native items are left out.
 */
export function completionsMessages(parts: readonly NeutralPart[]): Json[] {
  const system = parts.filter((part) => part.kind === 'system').map((part) => (part.kind === 'system' ? part.text : ''));
  const messages: Json[] = system.length > 0 ? [{ role: 'system', content: system.join('\n\n') }] : [];
  let user: Json[] | undefined;
  let assistant: Json | undefined;
  const reasoningOf = new Map<Json, Json>();
  for (const part of parts) {
    if (part.kind === 'system') continue;
    if (part.kind === 'native') {
      if (!isChatReasoningItem(part.raw)) continue;
      user = undefined;
      assistant = { role: 'assistant', content: null };
      messages.push(assistant);
      reasoningOf.set(assistant, part.raw);
      continue;
    }
    if ((part.kind === 'text' || part.kind === 'media') && part.role === 'user') {
      assistant = undefined;
      if (!user) {
        user = [];
        messages.push({ role: 'user', content: user });
      }
      user.push(userPart(part));
      continue;
    }
    user = undefined;
    if (part.kind === 'toolResult') {
      assistant = undefined;
      // Chat tool messages carry text only; images are noted so the model knows they existed.
      const note = part.images.length > 0 ? `\n[${part.images.length} image(s) returned by the tool are not shown: this API takes text tool results]` : '';
      messages.push({ role: 'tool', tool_call_id: part.callId, content: `${part.text}${note}` });
      continue;
    }
    if (part.kind === 'text' && (part.role === 'system' || part.role === 'developer')) {
      assistant = undefined;
      messages.push({ role: 'system', content: part.text });
      continue;
    }
    if (!assistant) {
      assistant = { role: 'assistant', content: null };
      messages.push(assistant);
    }
    if (part.kind === 'text') assistant.content = `${typeof assistant.content === 'string' ? assistant.content : ''}${part.text}`;
    else if (part.kind === 'media') assistant.content = `${typeof assistant.content === 'string' ? assistant.content : ''}[${part.mediaType} attachment ${part.name}]`;
    else if (part.kind === 'toolCall') {
      const calls = (assistant.tool_calls as Json[] | undefined) ?? [];
      calls.push(part.raw?.type === 'function' ? part.raw : { id: part.callId, type: 'function', function: { name: part.name, arguments: part.argumentsText } });
      assistant.tool_calls = calls;
    }
  }
  for (const [message, raw] of reasoningOf) if (message.tool_calls !== undefined) attachChatReasoning(message, raw);
  // A reasoning-only turn (no text, no calls) leaves nothing to send.
  const sent = messages.filter((message) => !(message.role === 'assistant' && message.content === null && message.tool_calls === undefined));
  // A single text part is sent as a plain string: the form every compatible server accepts.
  for (const message of sent) {
    const content = message.content;
    if (message.role === 'user' && Array.isArray(content) && content.length === 1 && (content[0] as Json).type === 'text') message.content = (content[0] as Json).text;
  }
  return sent;
}

function toolChoice(choice: GenerationParams['toolChoice']): unknown {
  if (choice === undefined) return undefined;
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

export function completionsBody(model: string, params: GenerationParams, parts: readonly NeutralPart[], tools: readonly ToolDefinition[]): Json {
  const native = (params.native ?? {}) as CompletionsNativeParams;
  const body: Json = { model, messages: completionsMessages(parts), stream: true, stream_options: { include_usage: true } };
  if (tools.length > 0) {
    body.tools = tools.map((tool) => ({ type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.inputSchema } }));
    const choice = toolChoice(params.toolChoice);
    if (choice !== undefined) body.tool_choice = choice;
    if (params.parallelToolUse !== undefined) body.parallel_tool_calls = params.parallelToolUse;
  }
  if (params.maxOutputTokens !== undefined && native.max_tokens === undefined) body.max_completion_tokens = params.maxOutputTokens;
  if (params.temperature !== undefined) body.temperature = params.temperature;
  if (params.reasoningEffort !== undefined) body.reasoning_effort = params.reasoningEffort;
  const { extra_body: extra, ...rest } = native;
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) body[key] = value;
  // Server-specific fields go last so a compatible server gets exactly what the deployment asked for.
  if (extra) Object.assign(body, extra);
  return body;
}
