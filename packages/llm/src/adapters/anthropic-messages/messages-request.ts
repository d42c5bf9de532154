import type { GenerationParams } from '@lightspeed/engine';
import type { NeutralPart } from '../../context/neutral-part.js';
import type { ToolDefinition } from '../../context/read-context.js';
import type { MessagesNativeParams } from './messages-params.js';
import type { ReasoningEffort } from '../reasoning-effort.js';
import { isTextBlocks } from './messages-text-blocks.js';

type Json = Record<string, unknown>;

/** Anthropic accepts at most four `cache_control` breakpoints per request. */
export const MAX_CACHE_BREAKPOINTS = 4;
export const DEFAULT_MAX_TOKENS = 8192;

/** Thinking budgets for the portable `reasoningEffort` param. */
const THINKING_BUDGETS: Record<Exclude<ReasoningEffort, 'none'>, number> = { minimal: 1024, low: 2048, medium: 8192, high: 24576, xhigh: 32768 };

interface PlacedBlock {
  block: Json;
  index: number;
}

function parseInput(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : { value };
  } catch {
    return {};
  }
}

function blockOf(part: NeutralPart): { role: 'user' | 'assistant'; block: Json } | undefined {
  switch (part.kind) {
    case 'system':
      return undefined;
    case 'text':
      if (part.role === 'system' || part.role === 'developer') return { role: 'user', block: { type: 'text', text: `<system>\n${part.text}\n</system>` } };
      return { role: part.role, block: { type: 'text', text: part.text } };
    case 'media': {
      const source = { type: 'base64', media_type: part.mediaType, data: part.base64 };
      return { role: part.role, block: part.mediaType === 'application/pdf' ? { type: 'document', source, title: part.name } : { type: 'image', source } };
    }
    case 'toolCall':
      return { role: 'assistant', block: part.raw?.type === 'tool_use' ? part.raw : { type: 'tool_use', id: part.callId, name: part.name, input: parseInput(part.argumentsText) } };
    case 'toolResult': {
      const content =
        part.images.length === 0
          ? part.text
          : [...(part.text === '' ? [] : [{ type: 'text', text: part.text }]), ...part.images.map((image) => ({ type: 'image', source: { type: 'base64', media_type: image.mediaType, data: image.base64 } }))];
      const block: Json = { type: 'tool_result', tool_use_id: part.callId, content };
      if (part.isError) block.is_error = true;
      return { role: 'user', block };
    }
    case 'native':
      // Thinking (with signature), redacted thinking and server-tool blocks, exactly as emitted.
      return { role: 'assistant', block: part.raw };
  }
}

/** Blocks that may carry `cache_control` (thinking blocks and empty text cannot). */
function cacheable(block: Json): boolean {
  if (block.type === 'thinking' || block.type === 'redacted_thinking') return false;
  if (block.type === 'text' && block.text === '') return false;
  return true;
}

/** The first breakpoint (the stable prefix) and the latest ones, at most four in all. */
function chooseBreakpoints(breakpoints: readonly number[]): number[] {
  const sorted = [...new Set(breakpoints)].sort((a, b) => a - b);
  if (sorted.length <= MAX_CACHE_BREAKPOINTS) return sorted;
  return [sorted[0]!, ...sorted.slice(-(MAX_CACHE_BREAKPOINTS - 1))];
}

/**
 * Marks `cache_control` on the last cacheable block produced from an item at or before each
 * breakpoint index (a breakpoint on a dropped item falls back to the block before it).
 */
function placeBreakpoints(placed: readonly PlacedBlock[], breakpoints: readonly number[]): void {
  const marked = new Set<Json>();
  for (const breakpoint of chooseBreakpoints(breakpoints)) {
    for (let position = placed.length - 1; position >= 0; position--) {
      const candidate = placed[position]!;
      if (candidate.index > breakpoint || !cacheable(candidate.block)) continue;
      if (!marked.has(candidate.block)) {
        marked.add(candidate.block);
      }
      break;
    }
  }
  for (const block of marked) block.cache_control = { type: 'ephemeral' };
}

/**
 * Renders neutral parts as Anthropic `system` blocks and alternating messages: consecutive parts of
 * one role merge into one message, tool results lead their user message, and the conversation
 * starts with a user turn as the API requires.
 */
export function messagesInput(parts: readonly NeutralPart[], breakpoints: readonly number[]): { system: Json[]; messages: Json[] } {
  const placed: PlacedBlock[] = [];
  const system: Json[] = [];
  const messages: { role: 'user' | 'assistant'; content: Json[] }[] = [];
  const add = (role: 'user' | 'assistant', block: Json, index: number): void => {
    const last = messages.at(-1);
    if (last && last.role === role) last.content.push(block);
    else messages.push({ role, content: [block] });
    placed.push({ block, index });
  };
  // Cited text blocks kept verbatim replace the merged text entry recorded from them.
  const verbatim = new Set(parts.flatMap((part) => (part.kind === 'native' && isTextBlocks(part.raw) && typeof part.raw.message_id === 'string' ? [part.raw.message_id] : [])));
  for (const part of parts) {
    if (part.kind === 'system') {
      const block = { type: 'text', text: part.text };
      system.push(block);
      placed.push({ block, index: part.index });
      continue;
    }
    if (part.kind === 'text' && part.itemId !== undefined && verbatim.has(part.itemId)) continue;
    if (part.kind === 'native' && isTextBlocks(part.raw)) {
      for (const block of part.raw.blocks) add('assistant', { ...block }, part.index);
      continue;
    }
    const rendered = blockOf(part);
    if (!rendered) continue;
    // Passed-back native blocks are shared objects from the reader; never mutate them.
    add(rendered.role, part.kind === 'native' || part.kind === 'toolCall' ? { ...rendered.block } : rendered.block, part.index);
  }
  for (const message of messages) {
    if (message.role === 'user') message.content.sort((a, b) => Number(b.type === 'tool_result') - Number(a.type === 'tool_result'));
  }
  if (messages[0]?.role === 'assistant') messages.unshift({ role: 'user', content: [{ type: 'text', text: '(continuing the conversation)' }] });
  placeBreakpoints(placed, breakpoints);
  return { system, messages };
}

function toolChoice(choice: GenerationParams['toolChoice'], parallel: boolean | undefined): Json | undefined {
  let out: Json | undefined;
  if (choice === 'auto') out = { type: 'auto' };
  else if (choice === 'required') out = { type: 'any' };
  else if (choice === 'none') out = { type: 'none' };
  else if (choice !== undefined) out = { type: 'tool', name: choice.name };
  if (parallel === false) out = { ...(out ?? { type: 'auto' }), disable_parallel_tool_use: true };
  return out;
}

export function messagesBody(model: string, params: GenerationParams, parts: readonly NeutralPart[], tools: readonly ToolDefinition[], breakpoints: readonly number[]): Json {
  const native = (params.native ?? {}) as MessagesNativeParams;
  const { system, messages } = messagesInput(parts, breakpoints);
  let maxTokens = params.maxOutputTokens ?? DEFAULT_MAX_TOKENS;
  const body: Json = { model, messages, stream: true };
  if (system.length > 0) body.system = system;
  if (tools.length > 0) {
    body.tools = tools.map((tool) => ({ name: tool.name, description: tool.description, input_schema: tool.inputSchema }));
    const choice = toolChoice(params.toolChoice, params.parallelToolUse);
    if (choice) body.tool_choice = choice;
  }
  let thinking = native.thinking as Json | undefined;
  if (!thinking && params.reasoningEffort !== undefined && params.reasoningEffort !== 'none') {
    const budget = THINKING_BUDGETS[params.reasoningEffort as Exclude<ReasoningEffort, 'none'>] ?? THINKING_BUDGETS.medium;
    thinking = { type: 'enabled', budget_tokens: budget };
  }
  if (thinking) {
    body.thinking = thinking;
    // max_tokens covers thinking plus the answer, and must exceed the budget.
    const budget = Number(thinking.budget_tokens ?? 0);
    if (budget >= maxTokens) maxTokens = budget + (params.maxOutputTokens ?? 4096);
  }
  body.max_tokens = maxTokens;
  if (params.temperature !== undefined) body.temperature = params.temperature;
  for (const [key, value] of Object.entries(native)) if (key !== 'thinking' && value !== undefined) body[key] = value;
  return body;
}
