const decoder = new TextDecoder('utf-8', { fatal: true });

/** Binary if it has a NUL byte near the start or is not valid UTF-8 (what `git` and editors do). */
export function decodeText(bytes: Uint8Array): string | undefined {
  const head = bytes.subarray(0, 8000);
  if (head.includes(0)) return undefined;
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Caps text at `max` characters with a notice the model can act on. */
export function capText(text: string, max: number, hint: string): string {
  if (text.length <= max) return text;
  const omitted = text.length - max;
  return `${text.slice(0, max)}\n[output truncated: ${omitted} more characters omitted; ${hint}]`;
}
