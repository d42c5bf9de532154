type Json = Record<string, unknown>;

/** The answer text and the reasoning text carried by one chat `content` value. */
export interface ChatContent {
  text: string;
  thinking: string;
}

function thinkingText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) return '';
  return value.map((part) => (typeof part === 'object' && part !== null && typeof (part as Json).text === 'string' ? String((part as Json).text) : '')).join('');
}

/**
 * Reads a Chat Completions `content` (message or delta) as servers actually send it: a string
 * (OpenAI), or an array of typed parts — `{type:'text', text}` and, on Mistral's reasoning models,
 * `{type:'thinking', thinking:[{type:'text', text}]}`. Parts of other types carry no answer text.
 */
export function readChatContent(content: unknown): ChatContent {
  if (typeof content === 'string') return { text: content, thinking: '' };
  if (!Array.isArray(content)) return { text: '', thinking: '' };
  let text = '';
  let thinking = '';
  for (const part of content) {
    if (typeof part !== 'object' || part === null) continue;
    const record = part as Json;
    if (record.type === 'text' && typeof record.text === 'string') text += record.text;
    else if (record.type === 'thinking') thinking += thinkingText(record.thinking);
  }
  return { text, thinking };
}
