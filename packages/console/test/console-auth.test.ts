// The console's sign-ins and form checks, against the gateway's real auth (a JSON key file) and
// a real Hono app: what the browser tests cannot reach quickly (expiry, the store's bound, the
// exact cookie and refusal rules).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiKeyAuth, JsonFileApiKeyRegistry, singleUserAuth } from '@lightspeed/api';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountConsole, SignInStore, SIGN_IN_TTL_MS } from '../src/index.js';
import { newChatConfig } from '../src/new-chat-config.js';

describe('SignInStore', () => {
  it('forgets a sign-in once its time is up, and never holds the key in the id or token', () => {
    let now = 1_000;
    const store = new SignInStore(() => now);
    const signIn = store.create('lsk_0123456789ab_secret', 'team-a');
    expect(signIn.id).not.toContain('secret');
    expect(signIn.csrf).not.toBe(signIn.id);
    expect(store.get(signIn.id)?.universe).toBe('team-a');
    now += SIGN_IN_TTL_MS;
    expect(store.get(signIn.id)).toBeUndefined();
    expect(store.get(undefined)).toBeUndefined();
  });
});

describe('newChatConfig', () => {
  it('grants what the form asked for and refuses a tool name that is not one', () => {
    expect(newChatConfig({})).toBeUndefined();
    expect(newChatConfig({ timers: 'on', askUser: 'on', askBefore: 'sleep, mcp__docs__*' })).toEqual({
      features: { timers: { version: 1 }, askUser: { version: 1 } },
      approvals: { rules: [{ tool: 'sleep', policy: 'ask' }, { tool: 'mcp__docs__*', policy: 'ask' }] },
    });
    expect(() => newChatConfig({ askBefore: 'rm -rf' })).toThrow(/askBefore: "rm -rf" is not a tool name/);
  });
});

describe('the console routes on an API-key gateway app', () => {
  let dir: string;
  let key: string;
  let app: Hono;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ls-console-auth-'));
    const registry = await JsonFileApiKeyRegistry.open(join(dir, 'keys.json'));
    key = (await registry.createApiKey('team-a', { name: 'test' })).key;
    app = new Hono();
    mountConsole(app, apiKeyAuth(registry));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const login = (body: string, headers: Record<string, string> = { origin: 'http://localhost' }) =>
    app.request('http://localhost/console/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });

  it('sends every page with a CSP that allows no inline script and no other origin', async () => {
    const page = await app.request('http://localhost/console/login');
    expect(page.headers.get('content-security-policy')).toBe("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('signs in with a good key only from a same-origin form, with a Strict HttpOnly cookie', async () => {
    expect((await login(`key=${encodeURIComponent(key)}`, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await login(`key=${encodeURIComponent(key)}`, {})).status).toBe(403);
    expect((await login('key=lsk_000000000000_nope')).status).toBe(401);
    const ok = await login(`key=${encodeURIComponent(key)}`);
    expect(ok.status).toBe(303);
    const cookie = ok.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^ls_console=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict$/);
    // A page answers the signed-in browser (the universe shows) and sends others to sign in.
    const unsigned = await app.request('http://localhost/console/health');
    expect(unsigned.status).toBe(303);
    expect(unsigned.headers.get('location')).toBe('/console/login');
  });

  it('answers a single-user app without a login', async () => {
    const local = new Hono();
    mountConsole(local, singleUserAuth());
    const page = await local.request('http://127.0.0.1/console/login');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/console/sessions');
    // A rebound DNS name is refused before any page (the loopback Host check).
    const rebound = await local.request('http://evil.example/console/sessions', { headers: { host: 'evil.example' } });
    expect(rebound.status).toBe(403);
  });
});
