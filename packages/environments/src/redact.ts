/**
 * Replaces every occurrence of a credential's value with `[redacted:NAME]`. Longer values first,
 * so a value that contains another is replaced whole. Values are matched literally (never as a
 * pattern). Applied to everything an environment stores: stdout, stderr and the diff's patch text.
 */
export function redactSecrets(text: string, secrets: ReadonlyMap<string, string>): string {
  const pairs = [...secrets].filter(([, value]) => value.length > 0).sort((a, b) => b[1].length - a[1].length);
  let out = text;
  for (const [name, value] of pairs) out = out.split(value).join(`[redacted:${name}]`);
  return out;
}
