type Json = Record<string, unknown>;

/** The field a compatible server put its reasoning in; it is sent back in the same field. */
export type ChatReasoningField = 'reasoning_content' | 'reasoning' | 'thinking';

/**
 * The stored reasoning item: `{type:'reasoning_content', reasoning_content}` (DeepSeek, xAI,
 * vLLM), `{type:'reasoning', reasoning}` (Groq, OpenRouter) or Mistral's own thinking part
 * `{type:'thinking', thinking:[{type:'text', text}]}`.
 */
export function chatReasoningItem(field: ChatReasoningField, text: string): Json {
  if (field === 'thinking') return { type: 'thinking', thinking: [{ type: 'text', text }] };
  return { type: field, [field]: text };
}

export function isChatReasoningItem(raw: Json): boolean {
  return (raw.type === 'reasoning_content' && typeof raw.reasoning_content === 'string') || (raw.type === 'reasoning' && typeof raw.reasoning === 'string') || (raw.type === 'thinking' && Array.isArray(raw.thinking));
}

/**
 * Puts a stored reasoning item back on its assistant message, in the field the server used.
 * DeepSeek's thinking mode requires the reasoning of every assistant message that called tools
 * (HTTP 400 otherwise) and ignores it elsewhere, so callers attach it to tool-calling messages only.
 */
export function attachChatReasoning(message: Json, raw: Json): void {
  if (raw.type === 'thinking') {
    const text = typeof message.content === 'string' && message.content !== '' ? [{ type: 'text', text: message.content }] : [];
    message.content = [raw, ...text];
    return;
  }
  const field = String(raw.type);
  message[field] = raw[field];
}
