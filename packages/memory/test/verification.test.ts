import { describe, expect, it } from 'vitest';
import { LINEAR_REPLAY_WINDOW_MS, SecretBox, openSecret, signDelivery, verifyDelivery } from '../src/index.js';

const enc = (text: string) => new TextEncoder().encode(text);

describe('delivery verification', () => {
  it("passes GitHub's documented test vector (docs.github.com, validating webhook deliveries)", async () => {
    // secret "It's a Secret to Everybody", payload "Hello, World!".
    const headers = { 'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17', 'x-github-event': 'ping', 'x-github-delivery': 'd-1' };
    expect(await verifyDelivery('github', "It's a Secret to Everybody", headers, enc('Hello, World!'), 0)).toEqual({ ok: true, eventType: 'ping', deliveryId: 'd-1' });
    expect(await verifyDelivery('github', "It's a Secret to Everybody", headers, enc('Hello, World?'), 0)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(await verifyDelivery('github', 'another secret', headers, enc('Hello, World!'), 0)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(await verifyDelivery('github', "It's a Secret to Everybody", { 'x-github-event': 'ping' }, enc('Hello, World!'), 0)).toEqual({ ok: false, reason: 'missing_headers' });
  });

  it('refuses a GitHub body that is not UTF-8 rather than verifying a re-encoding of it', async () => {
    const body = new Uint8Array([0x7b, 0xff, 0x7d]);
    expect(await verifyDelivery('github', 's', { 'x-hub-signature-256': 'sha256=00', 'x-github-event': 'push' }, body, 0)).toEqual({ ok: false, reason: 'malformed' });
  });

  for (const provider of ['linear', 'sentry', 'vercel'] as const) {
    it(`${provider}: a signed body verifies; a tampered body, a wrong secret or no header does not`, async () => {
      const now = Date.parse('2026-06-01T00:00:00Z');
      const body = enc(JSON.stringify({ id: 'x1', type: 'Issue', action: 'create', webhookTimestamp: now, data: { id: 'i1' } }));
      const headers = await signDelivery(provider, 'sekrit', body, { eventType: 'issue', deliveryId: 'del-1' });
      const good = await verifyDelivery(provider, 'sekrit', headers, body, now + 1_000);
      expect(good.ok).toBe(true);
      const tampered = enc(new TextDecoder().decode(body).replace('create', 'remove'));
      expect(await verifyDelivery(provider, 'sekrit', headers, tampered, now)).toEqual({ ok: false, reason: 'bad_signature' });
      expect(await verifyDelivery(provider, 'wrong', headers, body, now)).toEqual({ ok: false, reason: 'bad_signature' });
      expect(await verifyDelivery(provider, 'sekrit', {}, body, now)).toEqual({ ok: false, reason: 'missing_headers' });
    });
  }

  it('Sentry: hex HMAC-SHA256 of the raw body; Vercel: hex HMAC-SHA1 (independently computed here)', async () => {
    const { createHmac } = await import('node:crypto');
    const body = enc('{"action":"created","data":{}}');
    expect((await signDelivery('sentry', 'k', body))['sentry-hook-signature']).toBe(createHmac('sha256', 'k').update(body).digest('hex'));
    expect((await signDelivery('vercel', 'k', body))['x-vercel-signature']).toBe(createHmac('sha1', 'k').update(body).digest('hex'));
    expect((await signDelivery('linear', 'k', body))['linear-signature']).toBe(createHmac('sha256', 'k').update(body).digest('hex'));
  });

  it('Linear: a webhookTimestamp more than 60 s away is stale, however well signed', async () => {
    const now = Date.parse('2026-06-01T00:00:00Z');
    const body = enc(JSON.stringify({ type: 'Issue', action: 'update', webhookTimestamp: now - LINEAR_REPLAY_WINDOW_MS - 1 }));
    const headers = await signDelivery('linear', 'sekrit', body);
    expect(await verifyDelivery('linear', 'sekrit', headers, body, now)).toEqual({ ok: false, reason: 'expired' });
    const missing = enc(JSON.stringify({ type: 'Issue' }));
    expect(await verifyDelivery('linear', 'sekrit', await signDelivery('linear', 'sekrit', missing), missing, now)).toEqual({ ok: false, reason: 'expired' });
  });
});

describe('secret box', () => {
  const box = SecretBox.fromKey(new Uint8Array(32).fill(7));
  const binding = { universe: 'u1', sourceId: 'gh' };

  it('seals so the ciphertext holds no byte of the secret, and opens only for the same row and key', () => {
    const sealed = box.seal('whsec-very-secret', binding);
    expect(sealed).not.toContain('very-secret');
    expect(box.open(sealed, binding)).toBe('whsec-very-secret');
    expect(() => box.open(sealed, { universe: 'u2', sourceId: 'gh' })).toThrow(/does not open/);
    expect(() => SecretBox.fromKey(new Uint8Array(32).fill(8)).open(sealed, binding)).toThrow(/does not open/);
    expect(box.seal('whsec-very-secret', binding)).not.toBe(sealed);
  });

  it('reads the key from LIGHTSPEED_MEMORY_KEY and env-referenced secrets from their variable', () => {
    const env = { LIGHTSPEED_MEMORY_KEY: '07'.repeat(32), GH_HOOK_SECRET: 'from-env' };
    const fromEnv = SecretBox.fromEnv(env)!;
    expect(fromEnv.open(box.seal('s', binding), binding)).toBe('s');
    expect(SecretBox.fromEnv({})).toBeUndefined();
    expect(() => SecretBox.fromEnv({ LIGHTSPEED_MEMORY_KEY: 'short' })).toThrow(/32 bytes/);
    expect(openSecret({ kind: 'env', name: 'GH_HOOK_SECRET' }, binding, undefined, env)).toBe('from-env');
    expect(openSecret({ kind: 'env', name: 'UNSET' }, binding, undefined, env)).toBeUndefined();
    expect(() => openSecret({ kind: 'sealed', sealed: 'v1.a.b.c' }, binding, undefined, env)).toThrow(/LIGHTSPEED_MEMORY_KEY/);
  });
});
