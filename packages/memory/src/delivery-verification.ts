import { createHmac, timingSafeEqual } from 'node:crypto';
import { sign as signGithub, verify as verifyGithub } from '@octokit/webhooks-methods';
import type { MemoryProvider } from '@lightspeed/ports';

/*
 * Verifying a delivery exactly as each provider signs it, over the raw body, timing-safe:
 *
 * - GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>`, checked by
 *   `@octokit/webhooks-methods`; `X-GitHub-Event` names the type, `X-GitHub-Delivery` the delivery.
 * - Linear: `Linear-Signature: <hex HMAC-SHA256(secret, body)>`; the body's `webhookTimestamp`
 *   (epoch ms) must be within 60 s of our clock, so a captured delivery cannot be replayed later.
 * - Sentry: `Sentry-Hook-Signature: <hex HMAC-SHA256(client secret, body)>`; the resource
 *   (`issue`, `error`, `event_alert`, `metric_alert`…) is `Sentry-Hook-Resource`.
 * - Vercel: `x-vercel-signature: <hex HMAC-SHA1(secret, body)>`; the type is the body's `type`.
 *
 * The octokit helper takes a string; a body that is not valid UTF-8 is refused, and a valid one
 * round-trips byte for byte, so the HMAC it computes is the HMAC of the raw body.
 */

export const LINEAR_REPLAY_WINDOW_MS = 60_000;

export type Verification =
  | { ok: true; deliveryId?: string; eventType?: string }
  | { ok: false; reason: 'missing_headers' | 'bad_signature' | 'expired' | 'malformed' };

type Headers = Readonly<Record<string, string | undefined>>;

function safeHexEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given.trim().toLowerCase());
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function textOf(body: Uint8Array): string | undefined {
  try {
    return utf8.decode(body);
  } catch {
    return undefined;
  }
}

function hmacHex(algorithm: 'sha256' | 'sha1', secret: string, body: Uint8Array): string {
  return createHmac(algorithm, secret).update(body).digest('hex');
}

/** `headers` has lower-case names; `now` is epoch ms (only Linear's window reads it). */
export async function verifyDelivery(provider: MemoryProvider, secret: string, headers: Headers, body: Uint8Array, now: number): Promise<Verification> {
  if (secret.length === 0) return { ok: false, reason: 'bad_signature' };
  switch (provider) {
    case 'github': {
      const signature = headers['x-hub-signature-256'];
      const eventType = headers['x-github-event'];
      if (!signature || !eventType) return { ok: false, reason: 'missing_headers' };
      const text = textOf(body);
      if (text === undefined || text.length === 0) return { ok: false, reason: 'malformed' };
      if (!(await verifyGithub(secret, text, signature.trim()))) return { ok: false, reason: 'bad_signature' };
      const deliveryId = headers['x-github-delivery'];
      return { ok: true, eventType, ...(deliveryId ? { deliveryId } : {}) };
    }
    case 'linear': {
      const signature = headers['linear-signature'];
      if (!signature) return { ok: false, reason: 'missing_headers' };
      if (!safeHexEqual(signature, hmacHex('sha256', secret, body))) return { ok: false, reason: 'bad_signature' };
      // Checked after the signature, so a forger learns nothing about the window.
      const stamp = jsonField(body, 'webhookTimestamp');
      if (typeof stamp !== 'number' || Math.abs(now - stamp) > LINEAR_REPLAY_WINDOW_MS) return { ok: false, reason: 'expired' };
      const deliveryId = headers['linear-delivery'];
      const eventType = headers['linear-event'];
      return { ok: true, ...(deliveryId ? { deliveryId } : {}), ...(eventType ? { eventType } : {}) };
    }
    case 'sentry': {
      const signature = headers['sentry-hook-signature'];
      if (!signature) return { ok: false, reason: 'missing_headers' };
      if (!safeHexEqual(signature, hmacHex('sha256', secret, body))) return { ok: false, reason: 'bad_signature' };
      const deliveryId = headers['request-id'];
      const eventType = headers['sentry-hook-resource'];
      return { ok: true, ...(deliveryId ? { deliveryId } : {}), ...(eventType ? { eventType } : {}) };
    }
    case 'vercel': {
      const signature = headers['x-vercel-signature'];
      if (!signature) return { ok: false, reason: 'missing_headers' };
      if (!safeHexEqual(signature, hmacHex('sha1', secret, body))) return { ok: false, reason: 'bad_signature' };
      const id = jsonField(body, 'id');
      return { ok: true, ...(typeof id === 'string' ? { deliveryId: id } : {}) };
    }
  }
}

function jsonField(body: Uint8Array, field: string): unknown {
  const text = textOf(body);
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[field] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The signature headers a provider would send for `body` (tests, imports of recorded deliveries,
 * the benchmark). `eventType` is GitHub's `X-GitHub-Event` / Sentry's resource / Linear's event.
 */
export async function signDelivery(provider: MemoryProvider, secret: string, body: Uint8Array, options: { eventType?: string; deliveryId?: string } = {}): Promise<Record<string, string>> {
  const { eventType, deliveryId } = options;
  switch (provider) {
    case 'github':
      return {
        'x-hub-signature-256': await signGithub(secret, utf8.decode(body)),
        'x-github-event': eventType ?? 'ping',
        ...(deliveryId ? { 'x-github-delivery': deliveryId } : {}),
      };
    case 'linear':
      return { 'linear-signature': hmacHex('sha256', secret, body), ...(eventType ? { 'linear-event': eventType } : {}), ...(deliveryId ? { 'linear-delivery': deliveryId } : {}) };
    case 'sentry':
      return { 'sentry-hook-signature': hmacHex('sha256', secret, body), ...(eventType ? { 'sentry-hook-resource': eventType } : {}), ...(deliveryId ? { 'request-id': deliveryId } : {}) };
    case 'vercel':
      return { 'x-vercel-signature': hmacHex('sha1', secret, body) };
  }
}

/** Headers that carry or derive from the secret: never stored with the raw delivery, never echoed. */
export const SIGNATURE_HEADERS: ReadonlySet<string> = new Set(['x-hub-signature-256', 'x-hub-signature', 'linear-signature', 'sentry-hook-signature', 'x-vercel-signature', 'authorization', 'cookie']);
