/** Key-shaped tokens that must never leave the adapter, whatever the provider echoed back. */
const KEY_PATTERNS = [/\bsk-[A-Za-z0-9_-]{8,}/g, /\b(Bearer)\s+[A-Za-z0-9._~+/-]{8,}=*/gi, /\b(api[_-]?key|x-api-key|authorization)(["']?\s*[:=]\s*["']?)[^\s"',}]{6,}/gi];

const MAX_MESSAGE_CHARS = 500;

/** Removes the given secrets and anything key-shaped from a message, and bounds its length. */
export function redactSecrets(message: string, secrets: readonly (string | undefined)[] = []): string {
  let out = message;
  for (const secret of secrets) {
    if (secret !== undefined && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  out = out
    .replace(KEY_PATTERNS[0]!, '[redacted]')
    .replace(KEY_PATTERNS[1]!, '$1 [redacted]')
    .replace(KEY_PATTERNS[2]!, '$1$2[redacted]');
  return out.length > MAX_MESSAGE_CHARS ? `${out.slice(0, MAX_MESSAGE_CHARS - 1)}…` : out;
}
