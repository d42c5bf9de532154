/** Inline previews in events and views are bounded so no field grows with content size. */
export const PREVIEW_MAX_CHARS = 200;

export function preview(text: string, max: number = PREVIEW_MAX_CHARS): string {
  if (text.length <= max) return text;
  // Cut on a code point boundary so a surrogate pair is never split.
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}
