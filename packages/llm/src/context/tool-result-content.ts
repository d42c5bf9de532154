/** An image a tool returned (MCP-style `{type:'image', data, mimeType}`), base64-encoded. */
export interface ToolResultImage {
  mediaType: string;
  base64: string;
}

export interface ToolResultContent {
  text: string;
  images: ToolResultImage[];
}

const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/**
 * A tool result's content is UTF-8 text, or JSON. JSON of the form `{content: [{type:'text',
 * text}, {type:'image', data, mimeType}, …]}` (the tool runtime's / MCP's shape) is split into its
 * text and its images; other parts and any other JSON are passed as JSON text.
 */
export function toolResultContent(text: string, mediaType: string): ToolResultContent {
  if (!mediaType.startsWith('application/json')) return { text, images: [] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { text, images: [] };
  }
  if (typeof value === 'string') return { text: value, images: [] };
  if (typeof value !== 'object' || value === null || !Array.isArray((value as { content?: unknown }).content)) return { text, images: [] };
  const texts: string[] = [];
  const images: ToolResultImage[] = [];
  for (const part of (value as { content: unknown[] }).content) {
    const record = (typeof part === 'object' && part !== null ? part : {}) as Record<string, unknown>;
    if (record.type === 'text') texts.push(String(record.text ?? ''));
    else if (record.type === 'image' && typeof record.data === 'string' && IMAGE_TYPES.has(String(record.mimeType))) images.push({ mediaType: String(record.mimeType), base64: record.data });
    else texts.push(JSON.stringify(part));
  }
  return { text: texts.join('\n'), images };
}
