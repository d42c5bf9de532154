/**
 * A tool result's content is UTF-8 text, or JSON. JSON of the form `{content: [{type:'text',
 * text}, …]}` (the tool runtime's / MCP's shape) is flattened to its text parts; any other JSON
 * is passed as its JSON text.
 */
export function toolResultText(text: string, mediaType: string): string {
  if (!mediaType.startsWith('application/json')) return text;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && Array.isArray((value as { content?: unknown }).content)) {
    const parts = ((value as { content: unknown[] }).content ?? []).map((part) => {
      if (typeof part === 'object' && part !== null && (part as { type?: unknown }).type === 'text') return String((part as { text?: unknown }).text ?? '');
      return JSON.stringify(part);
    });
    return parts.join('\n');
  }
  return text;
}
