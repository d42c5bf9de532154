// The web console's session page with a long transcript (issue 18): a real `lightspeed serve
// --provider fake` on a PGlite data dir, one session grown past 2,000 durable events, and the time
// Debian's chromium takes from navigation until the page is interactive — rendered, its script run
// and the live stream open (the "live" marker) — median of 5 loads. The page shows the runs
// `session/read` carries (the active one and the 50 most recent: the engine's RECENT_RUNS_LIMIT),
// so a longer history is not all on the page; the output says how many items were.
//
//   npm run bench:console      (builds first: the server runs from packages/cli/bin)
//
// Then, on a fresh session's page, 20 messages sent from the form: the time from the click to the
// first streamed text in the page (run admission, the fake provider's first chunk, the SSE hop and
// the DOM write, all on one clock in the page), p50. The delta-to-DOM figure (from the
// provider's send) is not separated out yet.
//
// BENCH_CONSOLE_EVENTS sets the event count (default 2000).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { launchChromium } from '../test/support/browser.js';
import { startServeChild } from './serve-child.js';

const TARGET_EVENTS = Number(process.env.BENCH_CONSOLE_EVENTS ?? 2000);
const LOADS = 5;

async function rpc(url: string, method: string, params: unknown): Promise<any> {
  const response = await fetch(`${url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const json: any = await response.json();
  if (json.error) throw new Error(`${method}: ${json.error.message}`);
  return json.result.result;
}

async function countEvents(url: string, sessionId: string): Promise<number> {
  let count = 0;
  let after: unknown = undefined;
  for (;;) {
    const page = await rpc(url, 'session/events/read', { sessionId, limit: 1000, ...(after ? { after } : {}) });
    count += page.events.length;
    if (page.events.length === 0 || page.complete) return count;
    after = page.nextCursor;
  }
}

async function runToEnd(url: string, sessionId: string, text: string): Promise<void> {
  const { run } = await rpc(url, 'session/runs/start', { sessionId, source: { type: 'input', items: [{ type: 'text', text }] } });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { session } = await rpc(url, 'session/read', { sessionId });
    const status = session.runs.find((r: { id: string }) => r.id === run.id)?.status;
    if (status === 'completed' || status === 'failed' || status === 'cancelled') return;
    if (Date.now() > deadline) throw new Error(`run ${run.id} did not end (status ${status})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const dir = mkdtempSync(join(tmpdir(), 'ls-bench-console-'));
const server = await startServeChild(join(dir, 'data'));
const browser = await launchChromium();
try {
  const { session } = await rpc(server.url, 'session/start', {});
  let events = await countEvents(server.url, session.id);
  let runs = 0;
  while (events < TARGET_EVENTS) {
    await runToEnd(server.url, session.id, `message ${runs + 1}: the quick brown fox jumps over the lazy dog`);
    runs += 1;
    if (runs % 20 === 0) events = await countEvents(server.url, session.id);
  }
  events = await countEvents(server.url, session.id);
  const page = await browser.newPage();
  const url = `${server.url}/console/sessions/${session.id}`;
  const times: number[] = [];
  for (let load = 0; load < LOADS; load += 1) {
    const started = performance.now();
    await page.goto(url);
    await page.locator('#stream-state', { hasText: 'live' }).waitFor({ timeout: 30_000 });
    times.push(performance.now() - started);
  }
  const items = await page.locator('#transcript article').count();
  console.log(`session ${session.id}: ${events} events in ${runs} runs, ${items} transcript items; loads ${times.map((t) => t.toFixed(0)).join(', ')} ms`);

  const fresh = await rpc(server.url, 'session/start', {});
  await page.goto(`${server.url}/console/sessions/${fresh.session.id}`);
  await page.locator('#stream-state', { hasText: 'live' }).waitFor();
  const firstText: number[] = [];
  for (let send = 0; send < 20; send += 1) {
    await page.evaluate(`(() => {
      const text = document.querySelector('#live-answer .text');
      window.__firstText = undefined;
      const observer = new MutationObserver(() => {
        if (text.textContent && window.__firstText === undefined) { window.__firstText = performance.now() - window.__sentAt; observer.disconnect(); }
      });
      observer.observe(text, { childList: true, characterData: true, subtree: true });
      document.querySelector('#send-form').addEventListener('submit', () => { window.__sentAt = performance.now(); }, { once: true, capture: true });
    })()`);
    await page.fill('#message', `streamed message ${send + 1}: ${'a few words more '.repeat(8)}`);
    await page.click('#send-form button');
    // Polled with evaluate (DevTools): waitForFunction evaluates a string in the page, which the CSP refuses.
    const deadline = Date.now() + 20_000;
    let took: number | undefined;
    while ((took = await page.evaluate<number | undefined>('window.__firstText')) === undefined) {
      if (Date.now() > deadline) throw new Error('no streamed text reached the page');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    firstText.push(took);
    await page.locator('section.run[data-run-status="completed"]').nth(send).waitFor({ timeout: 20_000 });
  }
  console.log(`send to first streamed text: ${firstText.map((t) => t.toFixed(0)).join(', ')} ms`);
  console.log(`console: transcript_${TARGET_EVENTS}_events_ms=${median(times).toFixed(0)} send_to_first_text_ms_p50=${median(firstText).toFixed(0)} events=${events} runs=${runs}`);
} finally {
  await browser.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
