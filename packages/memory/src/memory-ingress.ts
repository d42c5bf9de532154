import { canonicalJson } from '@lightspeed/engine';
import { MEMORY_PROVIDERS, RateLimiter, type Clock, type MemoryEvent, type MemoryEventStore, type MemoryProvider, type MemorySource, type MemorySourceDirectory } from '@lightspeed/ports';
import { sha256Hex } from './canonical-event.js';
import { SIGNATURE_HEADERS, verifyDelivery } from './delivery-verification.js';
import { sensorEventOf, type SensorSink } from './sensor-bridge.js';
import { openSecret, type SecretBox } from './secret-box.js';
import { DEFAULT_SIGNIFICANCE_RULES, scoreSignificance, type SignificanceRule } from './significance.js';
import { transformDelivery } from './transform.js';
import { extractGraph } from './graph-extraction.js';
import { linkPeople } from './people-mapping.js';

/*
 * `POST /webhooks/<provider>/<webhookId>`, independent of the HTTP framework. Order: resolve the
 * source (404, also when the path's provider is not the source's), the universe's rate limit (429 +
 * Retry-After, before the body is read), the body under the cap (413),
 * the signature (401: nothing is read past this point for a forged delivery), the transform, the
 * raw delivery to CAS, the event once per source key (202 new, 200 deduped). No answer carries the
 * secret or the signature, and no error message includes either.
 */

export type BodyRead = { ok: true; bytes: Uint8Array } | { ok: false; reason: 'too_large' | 'unreadable' };

export interface MemoryAnswer {
  status: 200 | 202 | 400 | 401 | 404 | 413 | 429 | 503;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

export interface MemoryIngressOptions {
  directory: MemorySourceDirectory;
  /** Records each event with its raw delivery (put in CAS in the event's transaction). */
  events(universe: string): MemoryEventStore;
  clock: Clock;
  /** Opens sealed secrets; without it only env-referenced secrets verify. */
  box?: SecretBox;
  env?: NodeJS.ProcessEnv;
  /** Largest body accepted (default 25 MiB, GitHub's own payload cap). */
  maxBodyBytes?: number;
  /** A universe's significance table (default DEFAULT_SIGNIFICANCE_RULES). */
  rules?(universe: string): readonly SignificanceRule[];
  /** Deliveries accepted per universe and second (default 500), bursts up to `burst` (default 2× the rate). */
  ratePerSecond?: number;
  burst?: number;
  /** Where each accepted event is also sent as a sensor event (trigger rules); see sensor-bridge.ts. */
  sensors?: SensorSink;
  /** How long a resolved source is reused (default 1 s); `forget` drops it at once after a put or delete. */
  sourceCacheMs?: number;
}

export const DEFAULT_MAX_MEMORY_BODY_BYTES = 25 * 1024 * 1024;

function refusal(status: MemoryAnswer['status'], kind: string, message: string): MemoryAnswer {
  return { status, body: { error: { kind, message } } };
}

export type IngestResult = { ok: true; event: MemoryEvent; deduped: boolean } | { ok: false; answer: MemoryAnswer };

export class MemoryIngress {
  readonly maxBodyBytes: number;
  private readonly limiter: RateLimiter;
  private readonly cacheMs: number;
  private readonly cached = new Map<string, { at: number; resolved: ReturnType<MemorySourceDirectory['resolve']> }>();

  constructor(private readonly options: MemoryIngressOptions) {
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_MEMORY_BODY_BYTES;
    const rate = options.ratePerSecond ?? 500;
    this.limiter = new RateLimiter(rate, options.burst ?? rate * 2);
    this.cacheMs = options.sourceCacheMs ?? 1_000;
  }

  /** Drops every cached source (after a source put or delete). */
  forget(): void {
    this.cached.clear();
  }

  private resolve(webhookId: string): ReturnType<MemorySourceDirectory['resolve']> {
    const now = this.options.clock.now();
    const hit = this.cached.get(webhookId);
    if (hit && now - hit.at < this.cacheMs) return hit.resolved;
    if (this.cached.size > 10_000) this.cached.clear();
    const resolved = this.options.directory.resolve(webhookId);
    this.cached.set(webhookId, { at: now, resolved });
    // A failed lookup is not cached.
    resolved.catch(() => this.cached.delete(webhookId));
    return resolved;
  }

  async handle(request: { provider: string; webhookId: string; headers: Readonly<Record<string, string | undefined>>; readBody(maxBytes: number): Promise<BodyRead> }): Promise<MemoryAnswer> {
    const provider = request.provider as MemoryProvider;
    if (!MEMORY_PROVIDERS.includes(provider)) return refusal(404, 'not_found', `no such provider; one of ${MEMORY_PROVIDERS.join(', ')}`);
    const resolved = await this.resolve(request.webhookId);
    if (!resolved || resolved.source.provider !== provider) return refusal(404, 'not_found', 'no such memory source');
    const wait = this.limiter.take(resolved.universe, this.options.clock.now());
    if (wait > 0) return { ...refusal(429, 'rate_limited', 'too many deliveries for this universe; retry later'), headers: { 'retry-after': String(Math.max(1, Math.ceil(wait / 1000))) } };
    const body = await request.readBody(this.maxBodyBytes);
    if (!body.ok) return body.reason === 'too_large' ? refusal(413, 'too_large', `a delivery may hold at most ${this.maxBodyBytes} bytes`) : refusal(400, 'invalid', 'the body could not be read');
    let secret: string | undefined;
    try {
      secret = openSecret(resolved.secret, { universe: resolved.universe, sourceId: resolved.source.sourceId }, this.options.box, this.options.env ?? process.env);
    } catch {
      return refusal(503, 'unavailable', 'this server cannot open the source secret; check LIGHTSPEED_MEMORY_KEY');
    }
    if (secret === undefined) return refusal(503, 'unavailable', `the secret variable of this source is not set on the server`);
    const result = await this.ingest(resolved.universe, resolved.source, request.headers, body.bytes, { secret });
    if (!result.ok) return result.answer;
    if (this.options.sensors) {
      try {
        await this.options.sensors.ingest(resolved.universe, sensorEventOf(result.event));
      } catch {
        // The event is recorded; a redelivery is deduped and forwards again.
        return refusal(503, 'unavailable', 'the event was recorded but its triggers could not run; redeliver');
      }
    }
    return { status: result.deduped ? 200 : 202, body: { eventId: result.event.eventId, deduped: result.deduped, significance: result.event.significance } };
  }

  /**
   * Recorded deliveries (`lightspeed memory import`) through the same pipeline: verified with the
   * source's secret unless `trusted`, deduped always, so a re-run changes nothing. Each answer is
   * what `handle` would have said for that delivery (202 / 200 / 401 / 400).
   */
  async importDeliveries(universe: string, source: MemorySource, deliveries: readonly { headers: Readonly<Record<string, string>>; body: Uint8Array }[], options: { trusted: boolean }): Promise<MemoryAnswer[]> {
    let secret: string | undefined;
    if (!options.trusted) {
      const resolved = await this.options.directory.resolve(source.webhookId);
      if (!resolved || resolved.universe !== universe) return deliveries.map(() => refusal(404, 'not_found', 'no such memory source'));
      try {
        secret = openSecret(resolved.secret, { universe, sourceId: source.sourceId }, this.options.box, this.options.env ?? process.env);
      } catch {
        secret = undefined;
      }
      if (secret === undefined) return deliveries.map(() => refusal(503, 'unavailable', 'this server cannot open the source secret; import with trusted, or fix LIGHTSPEED_MEMORY_KEY'));
    }
    const answers: MemoryAnswer[] = [];
    for (const delivery of deliveries) {
      if (delivery.body.byteLength > this.maxBodyBytes) {
        answers.push(refusal(413, 'too_large', `a delivery may hold at most ${this.maxBodyBytes} bytes`));
        continue;
      }
      const result = await this.ingest(universe, source, delivery.headers, delivery.body, secret === undefined ? {} : { secret });
      if (!result.ok) {
        answers.push(result.answer);
        continue;
      }
      if (this.options.sensors) await this.options.sensors.ingest(universe, sensorEventOf(result.event));
      answers.push({ status: result.deduped ? 200 : 202, body: { eventId: result.event.eventId, deduped: result.deduped, significance: result.event.significance } });
    }
    return answers;
  }

  /**
   * One delivery through verify → transform → score → CAS → store. `secret` undefined skips the
   * signature (a trusted import of recorded deliveries); dedupe always applies.
   */
  async ingest(universe: string, source: MemorySource, headers: Readonly<Record<string, string | undefined>>, bytes: Uint8Array, options: { secret?: string }): Promise<IngestResult> {
    const now = this.options.clock.now();
    const lower = lowerCase(headers);
    let deliveryId: string | undefined;
    let eventType: string | undefined;
    if (options.secret !== undefined) {
      const verified = await verifyDelivery(source.provider, options.secret, lower, bytes, now);
      if (!verified.ok) return { ok: false, answer: refusal(401, 'unauthorized', `delivery not verified: ${verified.reason}`) };
      deliveryId = verified.deliveryId;
      eventType = verified.eventType;
    } else {
      deliveryId = lower['x-github-delivery'] ?? lower['linear-delivery'] ?? lower['request-id'];
      eventType = lower['x-github-event'] ?? lower['sentry-hook-resource'] ?? lower['linear-event'];
    }
    let payload: unknown;
    try {
      payload = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      return { ok: false, answer: refusal(400, 'invalid', 'the body is not JSON') };
    }
    const canonical = transformDelivery(source.provider, payload, { receivedAt: now, bodyHash: sha256Hex(bytes), ...(eventType ? { eventType } : {}), ...(deliveryId ? { deliveryId } : {}) });
    if (source.eventTypes.length > 0 && !source.eventTypes.includes(canonical.type)) {
      return { ok: false, answer: { status: 200, body: { ignored: true, reason: `event type ${canonical.type} is not accepted by this source` } } };
    }
    const { significance, factors } = scoreSignificance(canonical, this.options.rules?.(universe) ?? DEFAULT_SIGNIFICANCE_RULES);
    const { samePerson: _proofs, ...facts } = canonical;
    void _proofs;
    const { event, deduped } = await this.options.events(universe).record({
      ...facts,
      sourceId: source.sourceId,
      ...(deliveryId ? { deliveryId } : {}),
      significance,
      factors,
      raw: { bytes: rawDelivery(source.provider, lower, bytes), mediaType: 'application/json' },
      graph: linkPeople(extractGraph(canonical), source.people),
    });
    return { ok: true, event, deduped };
  }
}

function lowerCase(headers: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

/** `{provider, headers, body}` (the import format), signature headers removed. */
export function rawDelivery(provider: MemoryProvider, headers: Readonly<Record<string, string | undefined>>, body: Uint8Array): Uint8Array {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !SIGNATURE_HEADERS.has(name)) kept[name] = value;
  return new TextEncoder().encode(canonicalJson({ provider, headers: kept, body: new TextDecoder().decode(body) }));
}
