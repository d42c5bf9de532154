// The console's environment views in a real browser (Debian's chromium under playwright-core)
// against a real `lightspeed serve --provider fake` on PGlite: create an environment over a
// workspace from the form, run a command that edits a file and prints hostile markup (inert as
// text), read its output, changed files and diff, then cancel a long job (its process group is
// killed) and close the environment. axe-core and a screenshot on each view.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runCli, startServe, tempDir, type CliRun } from './support/cli-harness.js';
import { launchChromium } from './support/browser.js';
import { checkView, stopConsoleTest, watchPageErrors } from './support/console-fixture.js';

const HOSTILE = "<script>window.__xss = 1</script><img src=x onerror='window.__xss = 2'>";

describe('the console views of environments', () => {
  let home: { path: string; remove(): Promise<void> };
  let server: { url: string; stop(): Promise<CliRun> };
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    home = await tempDir('ls-console-env-');
    const env = cleanEnv(home.path);
    server = await startServe(['--provider', 'fake', '--data-dir', join(home.path, 'data'), '--no-dispatch'], env);
    const seed = join(home.path, 'seed');
    await mkdir(seed, { recursive: true });
    await writeFile(join(seed, 'readme.md'), 'one\n');
    const created = await runCli(['vfs', 'workspace', 'create', '--id', 'ws', '--from-dir', seed, '--api-url', server.url], { env });
    expect(created.code, created.stderr).toBe(0);
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
    watchPageErrors(page, pageErrors);
  }, 120_000);

  afterAll(() => stopConsoleTest({ browser, server, home }));

  it('creates an environment, runs a command that edits the workspace, shows its output, files and diff; cancels a long job; closes it', async () => {
    await page.goto(`${server.url}/console/sessions`);
    await page.locator('nav a', { hasText: 'Environments' }).click();
    await expect(page.locator('p.empty').first().textContent()).resolves.toContain('No environments');
    await checkView(page, 'environments-empty');
    await page.fill('#environment-id', 'review');
    await page.fill('#environment-workspace', 'ws');
    await page.fill('#environment-name', 'Review');
    await page.locator('#environment-form button[type="submit"]').click();
    await page.waitForURL(/\/console\/environments\/review$/);
    await expect(page.locator('#environment-isolation').textContent()).resolves.toMatch(/^(isolated \(bubblewrap, no network\)|not isolated: .+)$/);
    await checkView(page, 'environment');

    await page.fill('#job-command', `echo "${HOSTILE}"; echo warn >&2; sed -i s/one/two/ readme.md`);
    await page.locator('#job-form button[type="submit"]').click();
    await page.waitForURL(/\/jobs\//);
    // The page reloads itself while the job runs.
    await expect(page.locator('#job-status', { hasText: 'succeeded' }).waitFor({ timeout: 30_000 })).resolves.toBeUndefined();
    await expect(page.locator('#job-stdout').textContent()).resolves.toBe(`${HOSTILE}\n`);
    await expect(page.locator('#job-stderr').textContent()).resolves.toBe('warn\n');
    await expect(page.locator('#job-changes').textContent()).resolves.toContain('/readme.md');
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(await page.locator('main script, main img').count()).toBe(0);
    await checkView(page, 'environment-job');
    const jobUrl = page.url();
    await page.locator('#job-diff').click();
    await expect(page.locator('main pre').textContent()).resolves.toContain('+two');
    await checkView(page, 'environment-job-diff');
    await page.locator('main p a').first().click();
    expect(page.url()).toBe(jobUrl);
    // The workspace holds the change.
    const out = join(home.path, 'out');
    const materialized = await runCli(['vfs', 'materialize', 'ws', out, '--api-url', server.url], { env: cleanEnv(home.path) });
    expect(materialized.code, materialized.stderr).toBe(0);
    expect(await readFile(join(out, 'readme.md'), 'utf8')).toBe('two\n');

    await page.goto(`${server.url}/console/environments/review`);
    await page.fill('#job-command', 'sleep 30');
    await page.locator('#job-form button[type="submit"]').click();
    await page.waitForURL(/\/jobs\//);
    await page.locator('#job-status', { hasText: 'running' }).waitFor({ timeout: 15_000 });
    await page.locator('button', { hasText: 'Cancel job' }).click();
    await page.locator('#job-status', { hasText: 'cancelled' }).waitFor({ timeout: 15_000 });
    await expect(page.locator('#job-facts').textContent()).resolves.toContain('cancelled from the console');

    await page.goto(`${server.url}/console/environments/review`);
    await page.locator('button', { hasText: 'Close environment' }).click();
    await page.waitForURL(/\/console\/environments\/review$/);
    await expect(page.locator('.badge').first().textContent()).resolves.toBe('closed');
    await page.goto(`${server.url}/console/environments`);
    await expect(page.locator('#environments tbody tr').textContent()).resolves.toContain('Review (review)');
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('shows a refused create with the API message (an unknown workspace)', async () => {
    await page.goto(`${server.url}/console/environments`);
    const errors = pageErrors.length;
    await page.fill('#environment-id', 'nowhere');
    await page.fill('#environment-workspace', 'no-such-workspace');
    await page.locator('#environment-form button[type="submit"]').click();
    await expect(page.locator('p.notice').textContent()).resolves.toMatch(/no-such-workspace/);
    // The refusal is the 404/400 page itself: that response is expected here.
    pageErrors.splice(errors);
  });
});
