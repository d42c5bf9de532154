import { createHash } from 'node:crypto';
import type { MemoryAttribute, MemoryEntityRef, MemoryEventInput, MemoryRelatedEntity } from '@lightspeed/ports';

/*
 * What every transform produces: a canonical event without the fields the pipeline adds (source,
 * significance, raw delivery ref). Helpers here keep transforms total: a payload missing a field
 * yields a smaller event, never a throw.
 */

export type CanonicalEvent = Omit<MemoryEventInput, 'sourceId' | 'significance' | 'factors' | 'rawRef' | 'raw'> & {
  /**
   * Person keys the payload proves are one person (one object carrying both a login or user id
   * and an email), canonical (`email:…`) first. Read by the graph extraction, not stored.
   */
  samePerson?: string[][];
};

/** Bodies are cut here (characters) so one huge PR description cannot bloat every list read. */
export const MAX_MEMORY_BODY_CHARS = 8_192;
export const MAX_MEMORY_TITLE_CHARS = 512;
/** At most this many related entities per event (a 2,000-commit push links its first commits). */
export const MAX_RELATED_ENTITIES = 50;

export interface DeliveryContext {
  /** The type the headers name (GitHub `X-GitHub-Event`, Sentry resource, Linear event). */
  eventType?: string;
  deliveryId?: string;
  /** When we received it (epoch ms): the occurred-at of an event that carries no time. */
  receivedAt: number;
  /** sha256 hex of the raw body: the source key of last resort. */
  bodyHash: string;
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function obj(value: unknown): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** An ISO string, epoch seconds (GitHub's push timestamps) or epoch ms, as epoch ms. */
export function millis(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value < 1e11 ? value * 1000 : value);
  if (typeof value === 'string') {
    const at = Date.parse(value);
    return Number.isNaN(at) ? undefined : at;
  }
  return undefined;
}

export function firstTime(fallback: number, ...values: unknown[]): number {
  for (const value of values) {
    const at = millis(value);
    if (at !== undefined) return at;
  }
  return fallback;
}

export function clip(text: string | undefined, max: number): string | undefined {
  if (text === undefined) return undefined;
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Flat attributes: undefined values are dropped, strings bounded. */
export function attributes(entries: Record<string, MemoryAttribute | undefined>): Record<string, MemoryAttribute> {
  const out: Record<string, MemoryAttribute> = {};
  for (const [key, value] of Object.entries(entries)) {
    if (value === undefined) continue;
    out[key] = typeof value === 'string' ? clip(value, 1024)! : value;
  }
  return out;
}

/** Related entities without duplicates (same type, key and relation), bounded, never the primary. */
export function related(primary: MemoryEntityRef | undefined, items: (MemoryRelatedEntity | undefined)[]): MemoryRelatedEntity[] {
  const seen = new Set<string>(primary ? [`${primary.type}\u0000${primary.key}\u0000`] : []);
  const out: MemoryRelatedEntity[] = [];
  for (const item of items) {
    if (!item) continue;
    const id = `${item.type}\u0000${item.key}\u0000${item.relation}`;
    if (seen.has(id) || (primary && primary.type === item.type && primary.key === item.key)) continue;
    seen.add(id);
    out.push(item);
    if (out.length === MAX_RELATED_ENTITIES) break;
  }
  return out;
}

export function finish(event: CanonicalEvent): CanonicalEvent {
  const body = clip(event.body, MAX_MEMORY_BODY_CHARS);
  const { body: _body, ...rest } = event;
  void _body;
  return { ...rest, title: clip(event.title, MAX_MEMORY_TITLE_CHARS) ?? event.type, ...(body !== undefined ? { body } : {}) };
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
