// The web console in a real browser (Debian's chromium under playwright-core) against a real
// `lightspeed serve --provider fake` on PGlite: the newcomer path (chat, live answer, tool card,
// cancel, a task to completion), hostile text rendered inert, axe-core on every view, and a
// screenshot of each view under test-output/console.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, startServe, tempDir, type CliRun } from './support/cli-harness.js';
import { launchChromium } from './support/browser.js';
import { checkView as checkAndSave, greeterProject, rpcCall, stopConsoleTest, watchPageErrors } from './support/console-fixture.js';

/** Every way the transcript could run injected code, each setting a marker if it did. */
const HOSTILE = [
  '<script>window.__xss = "script"</script>',
  '<img src="x" onerror="window.__xss = \'img\'">',
  '[click me](javascript:window.__xss="markdown")',
  '<a href="javascript:window.__xss=\'link\'">link</a>',
].join(' ');

/** A script task: a command, not a model; its stdout and the file it writes become the attempt's evidence. */
const CHECKER_AGENT = `---
description: Checks with a command
task:
  executor:
    type: script
    argv: [sh, -c, "echo checked {{payload.name}}; echo ok > result.txt"]
---
Runs the check command.
`;

/** Views of this test, for the check that each got its axe run and screenshot. */
const VIEWS = new Set<string>();

async function checkView(page: Page, name: string): Promise<void> {
  await checkAndSave(page, name);
  VIEWS.add(name);
}

describe('the web console of a single-user lightspeed serve', () => {
  let home: { path: string; remove(): Promise<void> };
  let server: { url: string; stop(): Promise<CliRun> };
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  let chatUrl = '';

  beforeAll(async () => {
    home = await tempDir('ls-console-');
    const project = await greeterProject(home.path);
    await writeFile(join(project, '.lightspeed', 'agents', 'checker.md'), CHECKER_AGENT);
    server = await startServe(['--provider', 'fake', '--data-dir', join(home.path, 'data'), '--project', project], cleanEnv(home.path));
    browser = await launchChromium();
    context = await browser.newContext();
    page = await context.newPage();
    watchPageErrors(page, pageErrors);
  }, 120_000);

  afterAll(() => stopConsoleTest({ browser, server, home }));

  it('opens at /, starts a chat and shows the answer', async () => {
    await page.goto(`${server.url}/`);
    expect(new URL(page.url()).pathname).toBe('/console/sessions');
    await expect(page.getByText('No sessions yet.').isVisible()).resolves.toBe(true);
    await checkView(page, 'sessions-empty');
    await page.fill('#new-message', 'hello console');
    await page.check('input[name="timers"]');
    await page.click('button:has-text("Start chat")');
    await page.waitForURL(/\/console\/sessions\/ses_/);
    chatUrl = page.url();
    await page.locator('.message-assistant', { hasText: 'You said: hello console' }).waitFor();
    await page.locator('#stream-state', { hasText: 'live' }).waitFor();
  });

  it('sends a message without leaving the page: the answer streams in and a tool call shows as a card', async () => {
    // A marker on the window survives only if the page is not reloaded; the observer records
    // what the streaming bubble showed before the transcript took over.
    // (In-page code is passed as text: it runs in the browser, not under this file's Node types.)
    await page.evaluate(`(() => {
      window.__marker = 'same page';
      window.__streamed = '';
      const text = document.querySelector('#live-answer .text');
      new MutationObserver(() => {
        if (text.textContent) window.__streamed = text.textContent;
      }).observe(text, { childList: true, characterData: true, subtree: true });
    })()`);
    await page.fill('#message', 'use sleep {"seconds":1}');
    await page.click('#send-button');
    const card = page.locator('article.tool[aria-label="tool call sleep"]');
    await card.locator('.badge-ok').waitFor({ timeout: 20_000 });
    await expect(card.locator('pre.args').textContent()).resolves.toBe('{\n  "seconds": 1\n}');
    await page.locator('.message-assistant', { hasText: 'Tool results received' }).waitFor();
    const state = await page.evaluate<{ marker: string; streamed: string }>('({ marker: window.__marker, streamed: window.__streamed })');
    expect(state.marker).toBe('same page');
    expect(state.streamed).toContain('Tool results received');
    await checkView(page, 'session');
  }, 40_000);

  it('steers the running run: the message joins that run instead of starting another', async () => {
    await page.fill('#message', 'use sleep {"seconds":3}');
    await page.click('#send-button');
    const running = page.locator('section.run[data-run-status="running"]');
    await running.locator('article.tool[aria-label="tool call sleep"] .badge-running').waitFor({ timeout: 20_000 });
    const runsBefore = await page.locator('section.run').count();
    await page.fill('#message', 'steer: prefer the short answer');
    await page.click('#steer-button');
    await page.locator('#stream-state', { hasText: 'steered' }).waitFor({ timeout: 10_000 });
    const steered = page.locator('section.run', { hasText: 'steer: prefer the short answer' });
    await steered.locator('article.tool[aria-label="tool call sleep"]').waitFor({ timeout: 20_000 });
    await page.locator('section.run[data-run-status="completed"]', { hasText: 'steer: prefer the short answer' }).waitFor({ timeout: 20_000 });
    expect(await page.locator('section.run').count()).toBe(runsBefore);
    // With nothing running the button is disabled, and the server refuses a steer anyway.
    await expect(page.locator('#steer-button').isDisabled()).resolves.toBe(true);
    const refused = await page.request.post(`${chatUrl}/steer`, { headers: { origin: server.url }, form: { message: 'nothing to steer', csrf: await page.locator('#send-form input[name="csrf"]').inputValue() } });
    expect(refused.status()).toBe(400);
    expect(await refused.text()).toContain('no run is running');
    expect(await page.locator('section.run').count()).toBe(runsBefore);
  }, 60_000);

  it('cancels a running run from its card', async () => {
    await page.fill('#message', 'use sleep {"seconds":120}');
    await page.click('#send-button');
    const running = page.locator('section.run[data-run-status="running"]');
    await running.locator('article.tool[aria-label="tool call sleep"] .badge-running').waitFor({ timeout: 20_000 });
    await running.locator('button:has-text("Cancel run")').click();
    await page.waitForURL(chatUrl);
    await page.locator('section.run[data-run-status="cancelled"]').waitFor({ timeout: 20_000 });
    await expect(page.locator('section.run[data-run-status="running"]').count()).resolves.toBe(0);
  }, 40_000);

  it('answers an approval and a question inline', async () => {
    await page.goto(`${server.url}/console/sessions`);
    await page.fill('#new-message', 'use sleep {"seconds":1}');
    await page.check('input[name="timers"]');
    await page.check('input[name="askUser"]');
    await page.fill('#new-ask-before', 'sleep');
    await page.click('button:has-text("Start chat")');
    await page.waitForURL(/\/console\/sessions\/ses_/);
    const approval = page.locator('article.wait-approval');
    await approval.waitFor({ timeout: 20_000 });
    await expect(approval.locator('pre.args').textContent()).resolves.toContain('"seconds":1');
    await checkView(page, 'session-approval');
    await approval.locator('button:has-text("Approve")').first().click();
    await page.locator('article.tool[aria-label="tool call sleep"] .badge-ok').waitFor({ timeout: 20_000 });
    await page.fill('#message', 'use ask_user {"question":"Which colour?","choices":["red","blue"]}');
    await page.click('#send-button');
    const question = page.locator('article.wait-question', { hasText: 'Which colour?' });
    await question.waitFor({ timeout: 20_000 });
    await checkView(page, 'session-question');
    await question.locator('input[value="blue"]').check();
    await question.locator('button:has-text("Answer")').click();
    await page.locator('.message-assistant', { hasText: 'ask_user returned: blue' }).waitFor({ timeout: 20_000 });
    await expect(page.locator('article.wait').count()).resolves.toBe(0);
  }, 60_000);

  it('renders script, event-handler and javascript: payloads as inert text', async () => {
    await page.goto(`${server.url}/console/sessions`);
    await page.fill('#new-message', HOSTILE);
    await page.click('button:has-text("Start chat")');
    await page.waitForURL(/\/console\/sessions\/ses_/);
    const hostileUrl = page.url();
    await page.locator('.message-assistant', { hasText: 'You said:' }).waitFor();
    // Escaping alone must keep it inert: also with the page's Content-Security-Policy bypassed.
    const noCsp = await browser.newContext({ bypassCSP: true });
    try {
      for (const target of [page, await noCsp.newPage()]) {
        if (target !== page) await target.goto(hostileUrl);
        await target.locator('.message-assistant', { hasText: 'You said:' }).waitFor();
        await target.waitForTimeout(300);
        expect(await target.evaluate('window.__xss')).toBeUndefined();
        expect(await target.locator('#transcript script, #transcript img, #transcript a[href^="javascript:"]').count()).toBe(0);
        const shown = await target.locator('.message-user .text').textContent();
        expect(shown).toBe(HOSTILE);
        await target.locator('.message-user .text a').count().then((links) => expect(links).toBe(0));
        // The agent's echo is rendered as Markdown, and still inert: its tags are text, its javascript: link no link.
        const echo = target.locator('.message-assistant .text.markdown', { hasText: 'You said:' });
        await expect(echo.textContent()).resolves.toContain('<script>window.__xss = "script"</script>');
        await expect(echo.locator('a').count()).resolves.toBe(0);
      }
    } finally {
      await noCsp.close();
    }
    await checkView(page, 'session-hostile-text');
  }, 40_000);

  it('renders the agent\'s Markdown (emphasis, code, lists, links that open apart) and keeps the user\'s text as typed', async () => {
    await page.goto(`${server.url}/console/sessions`);
    await page.fill('#new-message', '**bold** and `code` and https://example.com/docs\n\n- one\n- two');
    await page.click('button:has-text("Start chat")');
    await page.waitForURL(/\/console\/sessions\/ses_/);
    const answer = page.locator('.message-assistant .text.markdown', { hasText: 'You said:' });
    await answer.waitFor({ timeout: 20_000 });
    await expect(answer.locator('strong').textContent()).resolves.toBe('bold');
    await expect(answer.locator('code').textContent()).resolves.toBe('code');
    await expect(answer.locator('li').count()).resolves.toBe(2);
    const link = answer.locator('a[href="https://example.com/docs"]');
    await expect(link.getAttribute('rel')).resolves.toBe('noopener noreferrer nofollow');
    await expect(page.locator('.message-user .text').textContent()).resolves.toContain('**bold**');
    await checkView(page, 'session-markdown');
  }, 40_000);

  it('queues a task, shows it complete with its attempt linked to the session that ran it', async () => {
    await page.goto(`${server.url}/console/tasks`);
    await checkView(page, 'tasks-empty');
    await page.selectOption('#task-agent', 'greeter');
    await page.fill('#task-subject', 'greet the console');
    await page.fill('#task-payload', '{"name":"console"}');
    await page.click('button:has-text("Queue task")');
    await page.waitForURL(/\/console\/tasks\/[^/]+$/);
    // No reload: the page follows the task events and redraws itself as the task moves.
    await page.locator('#task-live dd .badge-succeeded').waitFor({ timeout: 30_000 });
    await checkView(page, 'task');
    await page.goto(`${server.url}/console/tasks`);
    await expect(page.locator('a', { hasText: 'succeeded 1' }).count()).resolves.toBe(1);
    await page.locator('a', { hasText: 'greet the console' }).click();
    await page.locator('td a[href^="/console/sessions/"]:not([href*="#"])').click();
    await page.locator('.message-assistant', { hasText: 'You said: Say hello to console' }).waitFor();
  }, 60_000);

  it('links a script task\'s evidence (stdout, the diff of what it wrote) to its body in CAS', async () => {
    await page.goto(`${server.url}/console/tasks`);
    await page.selectOption('#task-agent', 'checker');
    await page.fill('#task-subject', 'check the console');
    await page.fill('#task-payload', '{"name":"console"}');
    await page.click('button:has-text("Queue task")');
    await page.waitForURL(/\/console\/tasks\/[^/]+$/);
    const taskUrl = page.url();
    await page.locator('#task-live dd .badge-succeeded').waitFor({ timeout: 30_000 });
    const links = page.locator('ul.evidence a[href^="/console/blobs/sha256%3A"]');
    const hrefs = await links.evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href')!));
    expect(hrefs.length).toBeGreaterThanOrEqual(4); // result, stdout, stderr, diff (and the snapshot)
    const bodies: string[] = [];
    for (const href of hrefs) {
      await page.goto(`${server.url}${href}`);
      bodies.push((await page.locator('#blob-text').textContent().catch(() => '')) ?? '');
    }
    expect(bodies).toContain('checked console\n');
    const diff = bodies.find((body) => body.includes('+++ b/result.txt'));
    expect(diff).toContain('+ok');
    await page.goto(`${server.url}${hrefs[bodies.indexOf('checked console\n')]}`);
    await checkView(page, 'task-evidence');
    await page.locator('a', { hasText: 'Back' }).first().click();
    expect(page.url()).toBe(taskUrl);
    // Only console paths are followed back; another origin falls back to the tasks list.
    await page.goto(`${server.url}/console/blobs/${encodeURIComponent(hrefs[0]!.split('/')[3]!.split('?')[0]!.replace(/%3A/g, ':'))}?back=${encodeURIComponent('//evil.example/x')}`);
    await expect(page.locator('a', { hasText: 'Back' }).first().getAttribute('href')).resolves.toBe('/console/tasks');
  }, 60_000);

  it('pauses and resumes dispatch from the tasks page; an attempt links to its run', async () => {
    await page.goto(`${server.url}/console/tasks`);
    await page.selectOption('#pause-agent', 'greeter');
    await page.fill('#pause-reason', 'maintenance <b>window</b>');
    await page.click('button:has-text("Pause dispatch")');
    await page.waitForURL(`${server.url}/console/tasks`);
    await expect(page.locator('#dispatch-state').textContent()).resolves.toContain('agent greeter paused');
    await expect(page.locator('#dispatch-state b').count()).resolves.toBe(0);
    await page.selectOption('#task-agent', 'greeter');
    await page.fill('#task-subject', 'greet while paused');
    await page.fill('#task-payload', '{"name":"paused"}');
    await page.click('button:has-text("Queue task")');
    await page.waitForURL(/\/console\/tasks\/[^/]+$/);
    const taskUrl = page.url();
    await page.waitForTimeout(1500);
    await expect(page.locator('#task-live dd .badge').first().textContent()).resolves.toBe('queued');
    await page.goto(`${server.url}/console/tasks`);
    await checkView(page, 'tasks-paused');
    await page.click('button:has-text("Resume greeter")');
    await page.waitForURL(`${server.url}/console/tasks`);
    await page.locator('#dispatch-state', { hasText: 'Dispatch is running' }).waitFor();
    await page.goto(taskUrl);
    await page.locator('#task-live dd .badge-succeeded').waitFor({ timeout: 30_000 });
    const runLink = page.locator('td a[href*="#run-"]');
    const runId = await runLink.textContent();
    await runLink.click();
    await page.locator(`section.run[data-run-id="${runId}"]`).waitFor();
    expect(new URL(page.url()).hash).toBe(`#run-${runId}`);
  }, 60_000);

  it('shows health: the configured providers, models and the dispatcher, no secrets', async () => {
    await page.goto(`${server.url}/console/health`);
    const text = await page.locator('main').textContent();
    expect(text).toContain('configured (deployment)');
    expect(text).toContain('fake/fake-echo (openai:responses)');
    expect(text).toMatch(/Running · 1 dispatcher\(s\) alive/);
    await checkView(page, 'health');
  });

  it('is usable by keyboard: Tab reaches the message box and Send, Enter sends', async () => {
    await page.goto(chatUrl);
    await page.locator('#stream-state', { hasText: 'live' }).waitFor();
    const focused = () => page.evaluate<string>('document.activeElement ? (document.activeElement.id || document.activeElement.textContent || "").trim() : ""');
    let presses = 0;
    while ((await focused()) !== 'message') {
      if (++presses > 40) throw new Error('Tab never reached the message box');
      await page.keyboard.press('Tab');
    }
    await page.keyboard.type('typed with the keyboard');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('send-button');
    await page.keyboard.press('Enter');
    await page.locator('.message-assistant', { hasText: 'You said: typed with the keyboard' }).waitFor({ timeout: 20_000 });
  }, 40_000);

  it('lists sessions with status, model and usage', async () => {
    await page.goto(`${server.url}/console/sessions`);
    const rows = page.locator('table.list tbody tr');
    await expect(rows.count()).resolves.toBe(6);
    await expect(rows.first().textContent()).resolves.toContain('fake/fake-model');
    await checkView(page, 'sessions');
  });

  it('shows reasoning collapsed, a compaction, and a large tool result cut with "Show all" from CAS, inert', async () => {
    const model = { providerId: 'fake', apiKind: 'openai:responses', model: 'fake-reasoning' };
    const { session } = await rpcCall(server.url, 'session/start', { displayName: 'Reasoning report', config: { model, features: { askUser: { version: 1 } } } });
    const sessionUrl = `${server.url}/console/sessions/${encodeURIComponent(session.id)}`;
    await rpcCall(server.url, 'session/runs/start', { sessionId: session.id, source: { type: 'input', items: [{ type: 'text', text: 'think first' }] } });
    await page.goto(sessionUrl);
    await page.locator('.message-assistant', { hasText: 'You said: think first' }).waitFor({ timeout: 20_000 });
    const reasoning = page.locator('details.reasoning').first();
    await expect(reasoning.getAttribute('open')).resolves.toBeNull();
    await reasoning.locator('summary').press('Enter');
    await expect(reasoning.locator('.text').textContent()).resolves.toContain('Scripted reasoning (fake model)');
    await rpcCall(server.url, 'session/context/compact', { sessionId: session.id });
    await page.goto(sessionUrl);
    await page.locator('details.compaction').waitFor();
    // A question answered with 70,000 characters: the tool result is over session/read's 64 KiB
    // inline limit, so the card shows its preview and links to the whole body in CAS.
    await page.fill('#message', 'use ask_user {"question":"Paste the log"}');
    await page.click('#send-button');
    const question = page.locator('article.wait-question', { hasText: 'Paste the log' });
    await question.waitFor({ timeout: 20_000 });
    const answer = `${'x'.repeat(70_000)} ${HOSTILE} END`;
    await question.locator('textarea').fill(answer);
    await question.locator('button:has-text("Answer")').click();
    const card = page.locator('article.tool[aria-label="tool call ask_user"]');
    await card.locator('.badge-ok').waitFor({ timeout: 20_000 });
    expect((await card.locator('.text').textContent())!.length).toBeLessThan(3000);
    await checkView(page, 'session-reasoning');
    await card.locator('a.show-all').click();
    await page.locator('#blob-text').waitFor();
    const full = await page.locator('#blob-text').textContent();
    expect(full).toContain(answer);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(await page.locator('main script, main img, main a[href^="javascript:"]').count()).toBe(0);
    await checkView(page, 'tool-result-full');
  }, 60_000);

  it('searches and filters sessions by query parameters (status, agent, model)', async () => {
    await page.goto(`${server.url}/console/sessions`);
    await page.fill('#filter-search', 'reasoning rep');
    await page.keyboard.press('Enter');
    await page.waitForURL(/search=reasoning/);
    await expect(page.locator('table.list tbody tr').count()).resolves.toBe(1);
    await expect(page.locator('table.list tbody tr').textContent()).resolves.toContain('Reasoning report');
    await page.fill('#filter-search', '');
    await page.fill('#filter-model', 'fake/fake-reasoning');
    await page.selectOption('#filter-status', 'idle');
    await page.click('button:has-text("Filter")');
    await page.waitForURL(/model=fake/);
    await expect(page.locator('table.list tbody tr').count()).resolves.toBe(1);
    await page.selectOption('#filter-agent', 'greeter');
    await page.click('button:has-text("Filter")');
    await page.locator('p.empty', { hasText: 'No sessions match.' }).waitFor();
    await checkView(page, 'sessions-filtered');
    // The two tasks' sessions run the greeter agent.
    await page.goto(`${server.url}/console/sessions?agent=greeter`);
    await expect(page.locator('table.list tbody tr').count()).resolves.toBe(2);
  }, 30_000);

  it('ran axe and saved a screenshot on every view, with no page error', () => {
    expect([...VIEWS].sort()).toEqual(['health', 'session', 'session-approval', 'session-hostile-text', 'session-markdown', 'session-question', 'session-reasoning', 'sessions', 'sessions-empty', 'sessions-filtered', 'task', 'task-evidence', 'tasks-empty', 'tasks-paused', 'tool-result-full']);
    expect(pageErrors).toEqual([]);
  });
});
