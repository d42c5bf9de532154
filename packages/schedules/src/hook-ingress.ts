import { RateLimiter, type Clock, type HookDirectory, type TaskJson } from '@lightspeed/ports';
import type { EventIntake } from './event-intake.js';
import { hookSource } from './trigger-definition.js';
import { verifyDelivery } from './webhook-signature.js';

/*
 * `POST /hooks/<hookId>`, independent of the HTTP framework: the gateway resolves nothing itself,
 * it hands the hook id, the headers and a bounded body reader to `handle` and writes the answer.
 * Order: resolve the hook (404), the universe's rate limit (429 + Retry-After, before the body is
 * read), the body under the trigger's cap (413), the signature and replay window (401), then the
 * raw body to CAS and the event through the intake (202 new, 200 deduped).
 */

export type BodyRead = { ok: true; bytes: Uint8Array } | { ok: false; reason: 'too_large' | 'unreadable' | 'stalled' };

export interface HookAnswer {
  status: 200 | 202 | 400 | 401 | 404 | 408 | 413 | 429;
  body: Record<string, TaskJson>;
  headers?: Record<string, string>;
}

export interface HookIngressOptions {
  hooks: HookDirectory;
  intake: EventIntake;
  clock: Clock;
  /** Deliveries accepted per universe and second (default 100), with bursts up to `burst` (default 2× the rate). */
  ratePerSecond?: number;
  burst?: number;
  /** How long a resolved hook (trigger and secret) is reused (default 1 s); a put or delete here takes effect at once (`forget`). */
  hookCacheMs?: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,127}$/;

function refusal(status: HookAnswer['status'], kind: string, message: string, headers?: Record<string, string>): HookAnswer {
  return { status, body: { error: { kind, message } }, ...(headers ? { headers } : {}) };
}

type Resolved = Awaited<ReturnType<HookDirectory['resolve']>>;

export class HookIngress {
  private readonly limiter: RateLimiter;
  private readonly cacheMs: number;
  private readonly cached = new Map<string, { at: number; target: Promise<Resolved> }>();

  constructor(private readonly options: HookIngressOptions) {
    const rate = options.ratePerSecond ?? 100;
    this.limiter = new RateLimiter(rate, options.burst ?? rate * 2);
    this.cacheMs = options.hookCacheMs ?? 1_000;
  }

  /** Drops every cached hook (after a trigger put or delete). */
  forget(): void {
    this.cached.clear();
  }

  private resolve(hookId: string): Promise<Resolved> {
    const now = Date.now();
    const hit = this.cached.get(hookId);
    if (hit && now - hit.at < this.cacheMs) return hit.target;
    const target = this.options.hooks.resolve(hookId);
    // Unknown ids are not kept: a flood of made-up ids must not fill memory.
    void target.then(
      (found) => {
        if (!found) this.cached.delete(hookId);
      },
      () => this.cached.delete(hookId),
    );
    this.cached.set(hookId, { at: now, target });
    if (this.cached.size > 10_000) this.cached.clear();
    return target;
  }

  async handle(hookId: string, headers: Readonly<Record<string, string | undefined>>, readBody: (maxBytes: number) => Promise<BodyRead>): Promise<HookAnswer> {
    const target = await this.resolve(hookId);
    const webhook = target?.trigger.definition.webhook;
    if (!target || !webhook) return refusal(404, 'not_found', 'no webhook at this address; the trigger may have been deleted or changed');
    const { universe, definition } = target.trigger;
    const wait = this.limiter.take(universe, this.options.clock.now());
    if (wait > 0) return refusal(429, 'rate_limited', 'too many deliveries for this universe; retry later', { 'retry-after': String(Math.max(1, Math.ceil(wait / 1000))) });
    const body = await readBody(webhook.maxBodyBytes);
    if (!body.ok) {
      if (body.reason === 'too_large') return refusal(413, 'too_large', `the body exceeds this hook's limit of ${webhook.maxBodyBytes} bytes`);
      if (body.reason === 'stalled') return refusal(408, 'timeout', 'the body stalled; send it again');
      return refusal(400, 'invalid_request', 'the body could not be read');
    }
    const verdict = verifyDelivery(webhook, target.secret, headers, body.bytes, this.options.clock.now());
    if (!verdict.ok) {
      const message = verdict.reason === 'expired' ? 'the signed timestamp is outside the replay window; check the sender clock' : verdict.reason === 'missing_headers' ? 'the signature headers are missing' : 'the signature does not verify';
      return refusal(401, verdict.reason, message);
    }
    let payload: TaskJson;
    try {
      payload = JSON.parse(Buffer.from(body.bytes).toString('utf8')) as TaskJson;
    } catch {
      return refusal(400, 'invalid_request', 'the body is not JSON');
    }
    const typeField = webhook.typeField ?? 'type';
    const declared = payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? payload[typeField] : undefined;
    const type = typeof declared === 'string' && NAME.test(declared) ? declared : 'webhook';
    // The raw delivery is the audit record (what was signed, byte for byte); the store writes it to
    // CAS with the event, in one statement, and keeps only its ref on the event.
    const raw = { bytes: body.bytes, mediaType: headers['content-type'] ?? 'application/json' };
    const source = hookSource(definition.triggerId);
    const { event, deduped } = await this.options.intake.ingest(universe, { source, type, externalId: verdict.externalId, payload, raw });
    const tasks = event.firings.flatMap((firing) => (firing.taskId ? [firing.taskId] : []));
    return { status: deduped ? 200 : 202, body: { eventId: event.id, deduped, tasks } };
  }
}
