/**
 * A toolCall entry's content is the provider item as emitted (OpenAI `function_call` item, Chat
 * `tool_calls[]` element, Anthropic `tool_use` block) or, when the entry was produced elsewhere,
 * just the arguments JSON. This extracts the arguments text from any of those shapes so a tool
 * call can be replayed to any API kind.
 */
export function toolCallArgumentsText(value: unknown, rawText: string): string {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const item = value as Record<string, unknown>;
    if (item.type === 'function_call' && typeof item.arguments === 'string') return item.arguments;
    if (item.type === 'tool_use' && 'input' in item) return JSON.stringify(item.input ?? {});
    if (item.type === 'function' && typeof item.function === 'object' && item.function !== null) {
      const args = (item.function as Record<string, unknown>).arguments;
      if (typeof args === 'string') return args;
    }
  }
  return rawText;
}

/** Whether parsed content is a provider-native tool call item (as opposed to bare arguments). */
export function isNativeToolCallItem(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const type = (value as Record<string, unknown>).type;
  return type === 'function_call' || type === 'tool_use' || (type === 'function' && 'function' in value);
}
