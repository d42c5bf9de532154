// The console of an API-key `lightspeed serve`: sign in with a key (HttpOnly, SameSite=Strict
// cookie), only that key's universe, forms refused cross-site or without the form token, sign out;
// and the session stream proxy resuming from Last-Event-ID. A real server and a real browser.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runCli, startServe, tempDir, type CliRun } from './support/cli-harness.js';
import { launchChromium, outputDir, seriousViolations } from './support/browser.js';
import { rpcCall } from './support/console-fixture.js';

const rpc = (url: string, key: string, method: string, params: unknown) => rpcCall(url, method, params, key);

/** Reads SSE `id:` lines of durable events until `count` of them arrived. */
async function eventIds(response: Response, count: number): Promise<number[]> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const ids: number[] = [];
  while (ids.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    const blocks = buffer.split('\n\n');
    buffer = blocks.pop() ?? '';
    for (const block of blocks) {
      const id = /^id: (\d+)$/m.exec(block)?.[1];
      if (/^event: event$/m.test(block) && id !== undefined) ids.push(Number(id));
    }
  }
  await reader.cancel();
  return ids.slice(0, count);
}

describe('the web console of an API-key lightspeed serve', () => {
  let home: { path: string; remove(): Promise<void> };
  let server: { url: string; stop(): Promise<CliRun> };
  let browser: Browser;
  let page: Page;
  let keyA = '';
  let keyB = '';

  beforeAll(async () => {
    home = await tempDir('ls-console-keys-');
    const env = cleanEnv(home.path);
    const keys = join(home.path, 'keys.json');
    for (const universe of ['team-a', 'team-b']) {
      const created = await runCli(['keys', 'create', '--universe', universe, '--api-keys', keys], { env });
      expect(created.code, created.stderr).toBe(0);
      if (universe === 'team-a') keyA = created.stdout.trim();
      else keyB = created.stdout.trim();
    }
    server = await startServe(['--provider', 'fake', '--data-dir', ':memory:', '--api-keys', keys], env);
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await home?.remove();
  });

  it('asks for a key, refuses a wrong one, and signs in with an HttpOnly SameSite=Strict cookie', async () => {
    await page.goto(`${server.url}/`);
    expect(new URL(page.url()).pathname).toBe('/console/login');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(await outputDir(), 'login.png'), fullPage: true });
    await page.fill('#key', 'lsk_000000000000_not-a-key');
    await page.click('button:has-text("Sign in")');
    await page.locator('.notice', { hasText: 'not accepted' }).waitFor();
    await page.fill('#key', keyA);
    await page.click('button:has-text("Sign in")');
    await page.waitForURL(/\/console\/sessions$/);
    await page.locator('.universe', { hasText: 'universe team-a' }).waitFor();
    const cookies = await page.context().cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: 'ls_console', httpOnly: true, sameSite: 'Strict', path: '/' });
    // The cookie names a server-side sign-in; the key itself never reaches the browser.
    expect(cookies[0]!.value).not.toContain(keyA.slice(17));
    expect(await page.content()).not.toContain(keyA.slice(17));
  });

  it("shows only the key's universe: another universe's session is not listed and not found", async () => {
    const other = await rpc(server.url, keyB, 'session/start', {});
    await page.fill('#new-message', 'hello from team a');
    await page.click('button:has-text("Start chat")');
    await page.locator('.message-assistant', { hasText: 'You said: hello from team a' }).waitFor();
    await page.goto(`${server.url}/console/sessions`);
    expect(await page.locator('main').textContent()).not.toContain(other.session.id);
    const response = await page.goto(`${server.url}/console/sessions/${other.session.id}`);
    expect(response?.status()).toBe(404);
  });

  it('refuses a form posted from another origin or without the form token', async () => {
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const post = (headers: Record<string, string>, body: string) => fetch(`${server.url}/console/sessions`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers }, body, redirect: 'manual' });
    await page.goto(`${server.url}/console/sessions`);
    const csrf = await page.locator('input[name="csrf"]').first().getAttribute('value');
    expect((await post({ origin: 'http://evil.example' }, `csrf=${encodeURIComponent(csrf!)}&message=x`)).status).toBe(403);
    expect((await post({ origin: server.url }, 'message=x')).status).toBe(403);
    expect((await post({}, `csrf=${encodeURIComponent(csrf!)}&message=x`)).status).toBe(403);
    const accepted = await post({ origin: server.url }, `csrf=${encodeURIComponent(csrf!)}&message=from+fetch`);
    expect(accepted.status).toBe(303);
  });

  it('resumes the session stream after Last-Event-ID without duplicates or gaps', async () => {
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const sessionId = /\/console\/sessions\/(ses_[^/?#]+)/.exec((await page.locator('table.list a').first().getAttribute('href'))!)![1]!;
    const stream = (headers: Record<string, string>) => fetch(`${server.url}/console/sessions/${sessionId}/events`, { headers: { cookie, ...headers } });
    const all = await eventIds(await stream({}), 6);
    expect(all).toHaveLength(6);
    const resumed = await eventIds(await stream({ 'last-event-id': String(all[2]) }), 3);
    expect(resumed).toEqual(all.slice(3, 6));
    // Without a sign-in there is no stream.
    expect((await fetch(`${server.url}/console/sessions/${sessionId}/events`)).status).toBe(401);
  });

  it('signs out: the old cookie no longer opens anything', async () => {
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    await page.click('button:has-text("Sign out")');
    await page.waitForURL(/\/console\/login$/);
    expect(await page.context().cookies()).toEqual([]);
    const again = await fetch(`${server.url}/console/sessions`, { headers: { cookie }, redirect: 'manual' });
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe('/console/login');
  });
});
