import { usageError } from '../cli-error.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `1500ms`, `30s`, `5m`, `2h`, `1d` (a bare number is seconds) as whole milliseconds ≥ `min`. */
export function parseDuration(flag: string, text: string, min = 0): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  const ms = match ? Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 's']!) : NaN;
  if (!match || !Number.isSafeInteger(ms)) throw usageError(`${flag} must be a duration such as 30s, 5m, 2h or 1500ms, got "${text}"`, text.startsWith('-') ? 'a duration cannot be negative' : undefined);
  if (ms < min) throw usageError(`${flag} must be at least ${min} ms, got "${text}"`);
  return ms;
}

/** A short "in 4m" / "3s ago" for a time relative to `now`. */
export function relative(at: number, now: number): string {
  const delta = at - now;
  const abs = Math.abs(delta);
  const text = abs < 1_000 ? `${abs}ms` : abs < 60_000 ? `${Math.round(abs / 1_000)}s` : abs < 3_600_000 ? `${Math.round(abs / 60_000)}m` : abs < 86_400_000 ? `${Math.round(abs / 3_600_000)}h` : `${Math.round(abs / 86_400_000)}d`;
  return delta >= 0 ? `in ${text}` : `${text} ago`;
}
