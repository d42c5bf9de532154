import { createHash } from 'node:crypto';

const MAX = 64;

/** Characters providers accept in a tool name (`^[a-zA-Z0-9_-]{1,64}$`). */
function sanitize(part: string): string {
  const cleaned = part.replace(/[^a-zA-Z0-9_-]/g, '_');
  return cleaned === '' ? '_' : cleaned;
}

/**
 * `mcp__<server>__<tool>`, sanitised and capped at 64 characters. When it had to be changed, a
 * short hash of the original pair keeps distinct tools distinct.
 */
export function mcpToolName(serverId: string, tool: string): string {
  const plain = `mcp__${sanitize(serverId)}__${sanitize(tool)}`;
  const changed = plain !== `mcp__${serverId}__${tool}`;
  if (plain.length <= MAX && !changed) return plain;
  const hash = createHash('sha256').update(`${serverId}\0${tool}`).digest('hex').slice(0, 8);
  if (plain.length + 9 <= MAX) return `${plain}_${hash}`;
  return `${plain.slice(0, MAX - 9)}_${hash}`;
}
