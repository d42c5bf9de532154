// The console's memory views in a real browser (Debian's chromium under playwright-core) against
// a real `lightspeed serve --provider fake` on PGlite: a GitHub pull_request delivery imported
// through memory/deliveries/import (the webhook pipeline, trusted: no signature), then the
// events list, the event, the PR's entity page with its graph edges and their evidence linked
// back to the event. Hostile text in the PR stays inert; axe-core on each view.
import { join } from 'node:path';
import { startFakeProvider, type FakeProvider } from '@lightspeed/fake-provider';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, startServe, tempDir, type CliRun } from './support/cli-harness.js';
import { launchChromium } from './support/browser.js';
import { checkView, rpcCall, stopConsoleTest, watchPageErrors } from './support/console-fixture.js';

const HOSTILE = '<script>window.__xss = "script"</script> <img src="x" onerror="window.__xss = \'img\'">';

// The shape of GitHub's pull_request webhook payload (https://docs.github.com/en/webhooks/webhook-events-and-payloads#pull_request), cut to the fields memory reads.
const DELIVERY = {
  action: 'opened',
  number: 7,
  pull_request: { number: 7, title: `Fix the login outage ${HOSTILE}`, body: `fixes #3 ${HOSTILE}`, updated_at: '2026-06-01T00:00:00Z', user: { login: 'ana' }, head: { ref: 'fix' }, base: { ref: 'main' } },
  repository: { full_name: 'octo/app' },
  sender: { login: 'ana' },
};

describe('the console views of memory', () => {
  let home: { path: string; remove(): Promise<void> };
  let server: { url: string; stop(): Promise<CliRun> };
  let browser: Browser;
  let page: Page;
  let fake: FakeProvider;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    home = await tempDir('ls-console-memory-');
    // Our own fake provider (LIGHTSPEED_FAKE_PROVIDER_URL), so the answer agent can be scripted.
    fake = await startFakeProvider();
    server = await startServe(['--provider', 'fake', '--data-dir', join(home.path, 'data')], cleanEnv(home.path, { CONSOLE_TEST_GITHUB_SECRET: 'memory-test-secret', LIGHTSPEED_FAKE_PROVIDER_URL: fake.url }));
    await rpcCall(server.url, 'memory/sources/put', { sourceId: 'gh', provider: 'github', secretEnv: 'CONSOLE_TEST_GITHUB_SECRET' });
    const imported = await rpcCall<{ accepted: number }>(server.url, 'memory/deliveries/import', {
      sourceId: 'gh',
      trusted: true,
      deliveries: [{ headers: { 'x-github-event': 'pull_request', 'x-github-delivery': 'g-1' }, body: JSON.stringify(DELIVERY) }],
    });
    expect(imported.accepted).toBe(1);
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
    watchPageErrors(page, pageErrors);
  }, 120_000);

  afterAll(async () => {
    await stopConsoleTest({ browser, server, home });
    await fake?.stop();
  });

  it('lists the event, shows it, and the PR with its edges, each edge with its evidence linked to the event', async () => {
    await page.goto(`${server.url}/console/sessions`);
    await page.locator('nav a', { hasText: 'Memory' }).click();
    const row = page.locator('#memory-events tbody tr');
    await expect(row.count()).resolves.toBe(1);
    await expect(row.textContent()).resolves.toContain('pr github:octo/app#7');
    await checkView(page, 'memory');
    await row.locator('a').first().click();
    await page.waitForURL(/\/console\/memory\/events\//);
    const eventUrl = new URL(page.url()).pathname;
    await expect(page.locator('#memory-related').textContent()).resolves.toContain('author: person github:ana');
    await expect(page.locator('main p.text').textContent()).resolves.toBe(`fixes #3 ${HOSTILE}`);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(await page.locator('main script, main img').count()).toBe(0);
    await checkView(page, 'memory-event');
    await page.locator('dd a', { hasText: 'pr github:octo/app#7' }).click();
    const fixes = page.locator('#memory-edges tbody tr', { hasText: 'fixes' });
    await expect(fixes.textContent()).resolves.toContain('issue github:octo/app#3');
    await expect(fixes.locator(`a[href="${eventUrl}"]`).count()).resolves.toBe(1);
    await expect(page.locator('#memory-edges tbody tr', { hasText: 'authored_by' }).textContent()).resolves.toContain('person github:ana');
    // The PR's own events, through memory/events/list's entity filter; the title's markup is text.
    const own = page.locator('#memory-events tbody tr');
    await expect(own.count()).resolves.toBe(1);
    await expect(own.locator(`a[href="${eventUrl}"]`).count()).resolves.toBe(1);
    expect(await page.locator('main script, main img').count()).toBe(0);
    await checkView(page, 'memory-entity');
    // The person is a related entity of the event (its author): the event is theirs too.
    await page.goto(`${server.url}/console/memory/entity?type=person&key=${encodeURIComponent('github:ana')}`);
    await expect(page.locator(`#memory-events a[href="${eventUrl}"]`).count()).resolves.toBe(1);
    // The issue is only named in the PR's body ("fixes #3"): an edge's evidence, not an event about it.
    await page.goto(`${server.url}/console/memory/entity?type=issue&key=${encodeURIComponent('github:octo/app#3')}`);
    await page.locator('p.empty', { hasText: 'No event names this entity.' }).waitFor();
    await expect(page.locator(`#memory-edges a[href="${eventUrl}"]`).count()).resolves.toBe(1);
    await page.goBack();
    await page.goBack();
    await fixes.locator(`a[href="${eventUrl}"]`).click();
    await page.waitForURL((url) => url.pathname === eventUrl);
    expect(pageErrors).toEqual([]);
  });

  it('searches memory with each path explained, asks a question and opens the cited event; a made-up citation is dropped', async () => {
    await page.goto(`${server.url}/console/memory`);
    await page.locator('#memory-query').fill('login outage');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/console\/memory\/search\?q=/);
    const hit = page.locator('#memory-hits tbody tr');
    await expect(hit.count()).resolves.toBe(1);
    await expect(hit.textContent()).resolves.toContain('Fix the login outage');
    await expect(hit.locator('td').nth(4).textContent()).resolves.toMatch(/^#1 \(/);
    await expect(page.locator('#memory-explanation').textContent()).resolves.toContain('tsvector');
    expect(await page.locator('main script, main img').count()).toBe(0);
    await checkView(page, 'memory-search');
    const eventUrl = await hit.locator('a').first().getAttribute('href');
    const eventId = decodeURIComponent(eventUrl!.split('/').pop()!);

    // The answer agent searches, then cites the hit, an id nobody retrieved, and writes markup.
    fake.enqueue({ toolCalls: [{ name: 'memory_search', arguments: { query: 'login outage' }, id: 'call_search' }] }, { text: `PR 7 fixed the login outage [${eventId}] [mev_00000000-dead-4000-8000-000000000000] ${HOSTILE}` });
    await page.locator('a', { hasText: 'Ask a question about this instead' }).click();
    await page.locator('#memory-question').fill('Who fixed the login outage?');
    await page.locator('button', { hasText: 'Ask' }).click();
    await page.locator('#memory-answer').waitFor({ timeout: 60_000 });
    await expect(page.locator('#memory-answer-text').textContent()).resolves.toContain('PR 7 fixed the login outage');
    await expect(page.locator('#memory-answer-text').textContent()).resolves.not.toContain('mev_00000000-dead-4000-8000-000000000000');
    await expect(page.locator('#memory-dropped').textContent()).resolves.toContain('mev_00000000-dead-4000-8000-000000000000: no such event or entity in this universe');
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(await page.locator('main script, main img').count()).toBe(0);
    await checkView(page, 'memory-answer');
    await page.locator(`#memory-answer-text a[href="${eventUrl}"]`).click();
    await page.waitForURL((url) => url.pathname === eventUrl);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
