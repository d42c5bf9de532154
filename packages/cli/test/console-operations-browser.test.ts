// The console's operations views (schedules, triggers, sensor events, workflows) in a real
// browser (Debian's chromium under playwright-core) against a real `lightspeed serve --provider
// fake` on PGlite. The data is made through the API (POST /rpc), as a client would; the pages
// must show it, their buttons must act, hostile text in an event stays inert, and axe-core
// finds no serious or critical violation. Screenshots go to test-output/console.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, startServe, tempDir, type CliRun } from './support/cli-harness.js';
import { launchChromium } from './support/browser.js';
import { checkView, greeterProject, rpcCall, stopConsoleTest, watchPageErrors } from './support/console-fixture.js';

const HOSTILE = '<script>window.__xss = "script"</script> <img src="x" onerror="window.__xss = \'img\'"> <a href="javascript:window.__xss=\'link\'">link</a>';
const SECRET = 'whsec-console-test-never-shown';
const WORKFLOW_AGENTS = { plan: 'greeter', execute: 'greeter', verify: 'greeter' };

describe('the console views of schedules, triggers, events and workflows', () => {
  let home: { path: string; remove(): Promise<void> };
  let server: { url: string; stop(): Promise<CliRun> };
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  let eventId = '';

  const rpc = <T,>(method: string, params: unknown) => rpcCall<T>(server.url, method, params);

  beforeAll(async () => {
    home = await tempDir('ls-console-ops-');
    const project = await greeterProject(home.path);
    server = await startServe(['--provider', 'fake', '--data-dir', join(home.path, 'data'), '--project', project], cleanEnv(home.path));
    // Held tasks stay queued, so the workflow waits in its first state for the operator's buttons.
    await rpc('dispatch/pause', { agent: 'greeter', reason: 'console test holds the queue' });
    await rpc('schedules/put', {
      schedule: { scheduleId: 'hourly-greeting', spec: { kind: 'interval', everyMs: 3_600_000 }, task: { kind: 'greet', agent: 'greeter', payload: { name: 'schedule' } }, description: 'greets every hour' },
    });
    await rpc('triggers/put', {
      trigger: { triggerId: 'issue-opened', match: { source: 'github', type: 'issue.opened' }, task: { kind: 'triage', agent: 'greeter', subject: 'triage {{event.payload.number}}', payload: { name: '{{event.payload.title}}' } } },
    });
    await rpc('triggers/put', {
      trigger: { triggerId: 'issue-loop', match: { source: 'github', type: 'issue.opened' }, workflow: { templateId: 'goal-loop', instanceKey: 'issue-{{event.payload.number}}', input: { goal: 'fix it' }, agents: WORKFLOW_AGENTS } },
    });
    await rpc('triggers/put', {
      trigger: { triggerId: 'signed-hook', match: { type: 'push' }, task: { kind: 'build', agent: 'greeter' }, webhook: { scheme: 'hmac-sha256' } },
      secret: SECRET,
    });
    const event = { source: 'github', type: 'issue.opened', externalId: 'delivery-1', subject: HOSTILE, payload: { number: 7, title: HOSTILE } };
    const first = await rpc<{ event: { eventId: string }; deduped: boolean }>('events/ingest', event);
    const repeat = await rpc<{ event: { eventId: string }; deduped: boolean }>('events/ingest', event);
    expect([first.deduped, repeat.deduped, repeat.event.eventId]).toEqual([false, true, first.event.eventId]);
    eventId = first.event.eventId;
    await rpc('workflows/create', { templateId: 'goal-loop', instanceKey: 'console-goal', input: { goal: 'greet' }, agents: WORKFLOW_AGENTS });
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
    watchPageErrors(page, pageErrors);
  }, 120_000);

  afterAll(() => stopConsoleTest({ browser, server, home }));

  it('lists schedules with their next runs and counters; pause, resume and run now act', async () => {
    await page.goto(`${server.url}/console/sessions`);
    await page.locator('nav a', { hasText: 'Schedules' }).click();
    await page.waitForURL(/\/console\/schedules$/);
    const row = page.locator('tr[data-schedule-id="hourly-greeting"]');
    await expect(row.locator('.next-runs li').count()).resolves.toBe(3);
    await expect(row.textContent()).resolves.toContain('every 3600 s');
    await expect(row.textContent()).resolves.toContain('never fired');
    await checkView(page, 'schedules');
    await row.locator('button', { hasText: 'Pause' }).click();
    await row.locator('.badge-paused').waitFor();
    await expect(row.locator('.next-runs li').count()).resolves.toBe(0);
    await row.locator('button', { hasText: 'Resume' }).click();
    await row.locator('.next-runs li').first().waitFor();
    await row.locator('button', { hasText: 'Run now' }).click();
    await row.locator('.badge-enqueued').waitFor();
    await expect(row.textContent()).resolves.toMatch(/1 · \d+ · 0/);
    await row.locator('a[href^="/console/tasks/"]').click();
    await expect(page.locator('main dl').textContent()).resolves.toContain('greet');
  });

  it('creates and edits a schedule from its form; the API refusals show, markup stays text', async () => {
    await page.goto(`${server.url}/console/schedules`);
    await page.locator('a', { hasText: 'New schedule' }).click();
    await page.waitForURL(/\/console\/schedules\/new$/);
    await checkView(page, 'schedule-new');
    await page.fill('#schedule-id', 'nightly');
    await page.fill('#schedule-expression', 'not a cron');
    await page.selectOption('#schedule-agent', 'greeter');
    await page.fill('#schedule-payload', '{"name":"night"}');
    // A refused form answers 400 with the API's message (the watcher would count it as an error).
    const refused = page.waitForResponse((response) => response.request().method() === 'POST');
    await page.click('button:has-text("Create schedule")');
    expect((await refused).status()).toBe(400);
    await expect(page.locator('p.notice').textContent()).resolves.toMatch(/cron|expression/i);
    // Only that expected 400 is taken off the recorded errors.
    const expected = pageErrors.findIndex((error) => error === `HTTP 400 for ${server.url}/console/schedules`);
    expect(expected).toBeGreaterThanOrEqual(0);
    pageErrors.splice(expected, 1);
    await page.goto(`${server.url}/console/schedules/new`);
    await page.fill('#schedule-id', 'nightly');
    await page.fill('#schedule-expression', '0 3 * * *');
    await page.fill('#schedule-payload', '{"name":"night"}');
    await page.click('button:has-text("Create schedule")');
    await page.waitForURL(/\/console\/schedules$/);
    const row = page.locator('tr[data-schedule-id="nightly"]');
    await expect(row.textContent()).resolves.toContain('cron 0 3 * * * (UTC)');
    await row.locator('a', { hasText: 'Edit' }).click();
    await page.waitForURL(/\/console\/schedules\/nightly\/edit$/);
    await expect(page.inputValue('#schedule-expression')).resolves.toBe('0 3 * * *');
    await page.check('input[name="specKind"][value="interval"]');
    await page.fill('#schedule-every', '7200');
    await page.fill('#schedule-description', `<img src=x onerror="window.__xss='schedule'">nightly`);
    await page.click('button:has-text("Save schedule")');
    await page.waitForURL(/\/console\/schedules$/);
    await expect(row.textContent()).resolves.toContain('every 7200 s');
    await expect(row.locator('.hint').textContent()).resolves.toContain('<img src=x');
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(await row.locator('img').count()).toBe(0);
    await checkView(page, 'schedules-edited');
    expect(pageErrors).toEqual([]);
  });

  it('lists triggers with what they match and start, and no secret', async () => {
    await page.goto(`${server.url}/console/triggers`);
    const task = page.locator('tr[data-trigger-id="issue-opened"]');
    await expect(task.textContent()).resolves.toContain('triage → greeter');
    await expect(page.locator('tr[data-trigger-id="issue-loop"]').textContent()).resolves.toContain('goal-loop (issue-{{event.payload.number}})');
    const hook = page.locator('tr[data-trigger-id="signed-hook"]');
    await expect(hook.textContent()).resolves.toContain('hmac-sha256 at /hooks/');
    await expect(hook.textContent()).resolves.toContain('(secret set)');
    expect(await page.content()).not.toContain(SECRET);
    await checkView(page, 'triggers');
  });

  it('lists the event once (its repeat deduped) with its firings, and keeps hostile payload text inert', async () => {
    await page.goto(`${server.url}/console/events`);
    await expect(page.locator('table.list tbody tr').count()).resolves.toBe(1);
    await expect(page.locator('table.list a[href^="/console/tasks/"]').count()).resolves.toBe(1);
    await expect(page.locator('table.list a[href="/console/workflows/issue-7"]').count()).resolves.toBe(1);
    await checkView(page, 'events');
    await page.locator(`a[href="/console/events/${encodeURIComponent(eventId)}"]`).click();
    // Escaping alone must keep it inert: also with the page's Content-Security-Policy bypassed.
    const noCsp = await browser.newContext({ bypassCSP: true });
    try {
      for (const target of [page, await noCsp.newPage()]) {
        if (target !== page) await target.goto(page.url());
        await target.locator('#event-payload').waitFor();
        await target.waitForTimeout(300);
        expect(await target.evaluate('window.__xss')).toBeUndefined();
        expect(await target.locator('main script, main img, main a[href^="javascript:"]').count()).toBe(0);
        expect(JSON.parse((await target.locator('#event-payload').textContent())!)).toEqual({ number: 7, title: HOSTILE });
        await expect(target.locator('main dd.text').textContent()).resolves.toBe(HOSTILE);
      }
    } finally {
      await noCsp.close();
    }
    await expect(page.locator('#event-firings').textContent()).resolves.toContain('issue-loop: workflow issue-7 (created)');
    await checkView(page, 'event');
  });

  it('lists workflow instances and shows one with its states and history; advance and cancel act', async () => {
    await page.goto(`${server.url}/console/workflows`);
    const row = page.locator('tr', { hasText: 'console-goal' });
    await expect(row.textContent()).resolves.toMatch(/goal-loop.*plan.*running.*0 of 3|goal-loop.*plan.*running.*1 of 3/);
    await checkView(page, 'workflows');
    await row.locator('a').click();
    await page.waitForURL(/\/console\/workflows\/console-goal$/);
    await expect(page.locator('#workflow-states tr[aria-current="step"]').textContent()).resolves.toContain('plan (initial)');
    await expect(page.locator('#workflow-states tbody tr').count()).resolves.toBe(3);
    await expect(page.locator('#workflow-history tbody tr').first().textContent()).resolves.toContain('create');
    await expect(page.locator('#workflow-steps a[href^="/console/tasks/"]').count()).resolves.toBe(1);
    await checkView(page, 'workflow');
    await page.selectOption('#advance-to', 'execute');
    await page.fill('#advance-note', 'skip planning');
    await page.click('button:has-text("Advance")');
    await page.locator('#workflow-states tr[aria-current="step"]', { hasText: 'execute' }).waitFor();
    const advanced = page.locator('#workflow-history tbody tr', { hasText: 'skip planning' });
    await expect(advanced.textContent()).resolves.toContain('operator');
    await expect(advanced.locator('a[href^="/console/tasks/"]').count()).resolves.toBe(1);
    await page.fill('#cancel-reason', 'done testing');
    await page.click('button:has-text("Cancel workflow")');
    await page.locator('dd .badge-cancelled').waitFor();
    await expect(page.locator('button:has-text("Advance")').count()).resolves.toBe(0);
    await checkView(page, 'workflow-cancelled');
    expect(pageErrors).toEqual([]);
  });
});
