import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { isAgentApiFailure } from './agent-api.js';

/** A tool's answer: the structured content (matching its output schema) and its readable text. */
export function toolResult(structured: Record<string, unknown>, text: string): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: structured };
}

/**
 * A failed call as a tool error the model can read and act on (MCP reports tool failures in the
 * result, not as protocol errors). API errors keep their message, which is safe to show; anything
 * else is reported to `onInternal` and shown as an opaque internal error.
 */
export function toolFailure(error: unknown, onInternal: (error: unknown) => void): CallToolResult {
  if (isAgentApiFailure(error)) return { isError: true, content: [{ type: 'text', text: `${error.kind}: ${error.message}` }] };
  onInternal(error);
  return { isError: true, content: [{ type: 'text', text: 'internal error; the server logged the details' }] };
}
