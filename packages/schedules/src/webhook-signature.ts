import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { WebhookSettings } from '@lightspeed/ports';

/*
 * Verifying a generic webhook delivery. Both schemes sign the timestamp with the body, so the
 * replay window (checked against our clock, not the library's) bounds how long a captured
 * delivery can be replayed; within it, the dedupe key makes a replay a no-op.
 *
 * - `standard-webhooks`: `webhook-id`, `webhook-timestamp`, `webhook-signature` (`v1,<base64>`,
 *   space-separated for key rotation), signed content `id.timestamp.body`, secret `whsec_<base64>`.
 *   The signature is computed by the `standardwebhooks` package; its own `verify` reads the
 *   process clock with a fixed 5-minute window, so we compare with its `sign` instead.
 * - `hmac-sha256`: `x-signature-timestamp: <unix s>` and `x-signature-256: sha256=<hex>` of
 *   `timestamp.body`; `x-delivery-id` optional (default: a hash of the body).
 */

export type Verification =
  | { ok: true; externalId: string; timestamp: number }
  | { ok: false; reason: 'missing_headers' | 'bad_signature' | 'expired' };

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `headers` has lower-case names. */
export function verifyDelivery(settings: WebhookSettings, secret: string, headers: Readonly<Record<string, string | undefined>>, body: Uint8Array, now: number): Verification {
  const standard = settings.scheme === 'standard-webhooks';
  const id = standard ? headers['webhook-id'] : (headers['x-delivery-id'] ?? undefined);
  const stamp = standard ? headers['webhook-timestamp'] : headers['x-signature-timestamp'];
  const signature = standard ? headers['webhook-signature'] : headers['x-signature-256'];
  if (!stamp || !signature || (standard && !id)) return { ok: false, reason: 'missing_headers' };
  if (!/^\d{1,12}$/.test(stamp)) return { ok: false, reason: 'bad_signature' };
  const timestamp = Number(stamp) * 1000;
  let valid: boolean;
  if (standard) {
    let expected: string;
    try {
      expected = new Webhook(secret).sign(id!, new Date(timestamp), Buffer.from(body)).split(',')[1]!;
    } catch {
      return { ok: false, reason: 'bad_signature' };
    }
    valid = signature.split(' ').some((part) => {
      const [version, value] = part.split(',');
      return version === 'v1' && value !== undefined && safeEqual(value, expected);
    });
  } else {
    const expected = `sha256=${createHmac('sha256', secret).update(`${stamp}.`).update(body).digest('hex')}`;
    valid = safeEqual(signature.trim().toLowerCase(), expected);
  }
  if (!valid) return { ok: false, reason: 'bad_signature' };
  // Checked after the signature, so an attacker learns nothing about the window from a forged one.
  if (Math.abs(now - timestamp) > settings.replayWindowMs) return { ok: false, reason: 'expired' };
  return { ok: true, externalId: id ?? `sha256:${createHash('sha256').update(body).digest('hex')}`, timestamp };
}

/** The headers a sender puts on a delivery (tests, `lightspeed events` examples, and benchmarks). */
export function signDelivery(settings: Pick<WebhookSettings, 'scheme'>, secret: string, body: Uint8Array, at: Date, id: string): Record<string, string> {
  const stamp = String(Math.floor(at.getTime() / 1000));
  if (settings.scheme === 'standard-webhooks') {
    return { 'webhook-id': id, 'webhook-timestamp': stamp, 'webhook-signature': new Webhook(secret).sign(id, new Date(Number(stamp) * 1000), Buffer.from(body)) };
  }
  return { 'x-delivery-id': id, 'x-signature-timestamp': stamp, 'x-signature-256': `sha256=${createHmac('sha256', secret).update(`${stamp}.`).update(body).digest('hex')}` };
}
