// The web console's session page with a long transcript (issue 18): a real `lightspeed serve
// --provider fake` on a PGlite data dir, one session grown past 2,000 durable events, and the time
// Debian's chromium takes from navigation until the page is interactive — rendered, its script run
// and the live stream open (the "live" marker) — median of 5 loads. The page shows the runs
// `session/read` carries (the active one and the 50 most recent: the engine's RECENT_RUNS_LIMIT),
// so a longer history is not all on the page; the output says how many items were.
//
//   npm run bench:console      (builds first: the server runs from packages/cli/bin)
//
// Then, on a fresh session's page, 20 messages sent from the form, timed two ways (p50 of each):
// from the click to the first streamed text in the page (run admission included), and from the
// moment the fake provider — run in this process, so its send is observed here — hands the first
// text delta to the socket until that text is in the DOM (`delta_to_dom_ms_p50`: the server's
// stream parse, the SSE hop and the page's write). Both ends read the machine's clock (the page as
// performance.timeOrigin + performance.now()).
//
// BENCH_CONSOLE_EVENTS sets the event count (default 2000).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startFakeProvider } from '@lightspeed/fake-provider';
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

/** The text a streamed event adds, in any of the three wire protocols (undefined for other events). */
function textDeltaOf(data: unknown): string | undefined {
  const d = data as { type?: string; delta?: unknown; choices?: { delta?: { content?: unknown } }[] };
  if (d?.type === 'response.output_text.delta' && typeof d.delta === 'string') return d.delta;
  if (d?.type === 'content_block_delta' && typeof (d.delta as { text?: unknown })?.text === 'string') return (d.delta as { text: string }).text;
  const content = d?.choices?.[0]?.delta?.content;
  return typeof content === 'string' && content.length > 0 ? content : undefined;
}

// Epoch times (ms, sub-ms precision) at which the provider sent the first text delta of each response.
const firstDeltaSent: number[] = [];
let awaitingFirstDelta = false;
const fake = await startFakeProvider({
  port: 0,
  latencyMs: 5,
  onStreamEvent: (event) => {
    if (!awaitingFirstDelta || textDeltaOf(event.data) === undefined) return;
    awaitingFirstDelta = false;
    firstDeltaSent.push(performance.timeOrigin + performance.now());
  },
});
const dir = mkdtempSync(join(tmpdir(), 'ls-bench-console-'));
const server = await startServeChild(join(dir, 'data'), { fakeUrl: fake.url });
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
  const deltaToDom: number[] = [];
  for (let send = 0; send < 20; send += 1) {
    awaitingFirstDelta = true;
    const sentBefore = firstDeltaSent.length;
    await page.evaluate(`(() => {
      const text = document.querySelector('#live-answer .text');
      window.__firstText = undefined;
      const observer = new MutationObserver(() => {
        if (text.textContent && window.__firstText === undefined) { window.__firstTextAt = performance.timeOrigin + performance.now(); window.__firstText = performance.now() - window.__sentAt; observer.disconnect(); }
      });
      observer.observe(text, { childList: true, characterData: true, subtree: true });
      document.querySelector('#send-form').addEventListener('submit', () => { window.__sentAt = performance.now(); }, { once: true, capture: true });
    })()`);
    await page.fill('#message', `streamed message ${send + 1}: ${'a few words more '.repeat(8)}`);
    await page.click('#send-button');
    // Polled with evaluate (DevTools): waitForFunction evaluates a string in the page, which the CSP refuses.
    const deadline = Date.now() + 20_000;
    let took: number | undefined;
    while ((took = await page.evaluate<number | undefined>('window.__firstText')) === undefined) {
      if (Date.now() > deadline) throw new Error('no streamed text reached the page');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    firstText.push(took);
    if (firstDeltaSent.length !== sentBefore + 1) throw new Error(`the provider sent no text delta for message ${send + 1}`);
    deltaToDom.push((await page.evaluate<number>('window.__firstTextAt')) - firstDeltaSent[sentBefore]!);
    await page.locator('section.run[data-run-status="completed"]').nth(send).waitFor({ timeout: 20_000 });
  }
  console.log(`send to first streamed text: ${firstText.map((t) => t.toFixed(0)).join(', ')} ms`);
  console.log(`provider's first delta to the DOM: ${deltaToDom.map((t) => t.toFixed(1)).join(', ')} ms`);
  console.log(`console: transcript_${TARGET_EVENTS}_events_ms=${median(times).toFixed(0)} delta_to_dom_ms_p50=${median(deltaToDom).toFixed(1)} send_to_first_text_ms_p50=${median(firstText).toFixed(0)} events=${events} runs=${runs}`);
} finally {
  await browser.close();
  await server.stop();
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
}
