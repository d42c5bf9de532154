// bench:restate — a 100-turn conversation whose context grows ~1k tokens per turn, driven through
// the session virtual object on a real restate-server (PGlite store, fake provider). Each turn is a
// run of two generations with a tool call between them. Journal size is read from the admin SQL API
// (`sys_journal.raw_length`, summed over every invocation) after each turn, once nothing is in
// flight; the per-turn figure is the difference.
//   npm run bench:restate
import '../src/polyfills.js';
import { putJson, putText } from '@lightspeed/cas';
import type { ToolPortFactory } from '@lightspeed/driver';
import { findRun, isTerminalRun, type GenerationRequest } from '@lightspeed/engine';
import { startFakeProvider } from '@lightspeed/fake-provider';
import { ProviderRegistry, ProviderRouter } from '@lightspeed/llm';
import type { LlmPort } from '@lightspeed/ports';
import { openStorage } from '@lightspeed/store-sql';
import { startRestate } from '@lightspeed/testkit';
import { startRestateHost } from '../src/index.js';

const TURNS = 100;
/** ~1k tokens of reply per turn (≈ 4 characters per token). */
const REPLY_CHARS = 4_000;
const UNIVERSE = 'bench';
const SESSION = 'long-chat';

const reply = (turn: number) => {
  const sentence = `Turn ${turn}: here is a long, detailed answer that keeps the conversation growing steadily. `;
  return sentence.repeat(Math.ceil(REPLY_CHARS / sentence.length)).slice(0, REPLY_CHARS);
};
const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))]!;
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const window = (bytes: number[], from: number, to: number) => bytes.slice(from - 1, to);

const [server, fake, storage] = await Promise.all([startRestate(), startFakeProvider({ port: 0 }), openStorage({ kind: 'pglite', dataDir: 'memory://' })]);

async function query<T>(sql: string): Promise<T[]> {
  const response = await fetch(`${server.adminUrl}/query`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ query: sql }) });
  if (!response.ok) throw new Error(`admin query failed (${response.status}): ${await response.text()}`);
  return ((await response.json()) as { rows: T[] }).rows;
}

/** Total journal bytes of every invocation, once no invocation is still running or queued. */
async function journalBytes(): Promise<number> {
  for (;;) {
    const [open] = await query<{ n: number }>(`SELECT COUNT(*) AS n FROM sys_invocation WHERE status <> 'completed'`);
    if (Number(open?.n ?? 0) === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const [total] = await query<{ bytes: number | null }>(`SELECT SUM(raw_length) AS bytes FROM sys_journal`);
  return Number(total?.bytes ?? 0);
}

const generationTimes: { runId: string; start: number; end: number }[] = [];
const router = new ProviderRouter(new ProviderRegistry({ providers: [], fake: { baseUrl: fake.url } }, {}));
const llm: LlmPort = {
  listModels: () => router.listModels(),
  validateParams: (model, native) => router.validateParams(model, native),
  compact: (request, context) => router.compact(request, context),
  async generate(request: GenerationRequest, context) {
    const start = performance.now();
    const result = await router.generate(request, context);
    generationTimes.push({ runId: request.runId, start, end: performance.now() });
    return result;
  },
};
const tools: ToolPortFactory = ({ blobs }) => ({
  async resolve() {
    return [{ name: 'lookup', parallelism: 'parallelSafe' as const, definitionRef: await putJson(blobs, { description: 'looks something up', inputSchema: { type: 'object' } }) }];
  },
  async invoke(_call, context) {
    return { status: 'succeeded' as const, isError: false, resultRef: await putText(context.blobs, 'found it'), preview: 'found it' };
  },
});

const { host } = await startRestateHost({ stores: storage, llm, tools, adminUrl: server.adminUrl, ingressUrl: server.ingressUrl });
const ref = { universe: UNIVERSE, sessionId: SESSION };
const opened = await host.submit(ref, { type: 'session.open', sessionId: SESSION, config: { model: { providerId: 'fake', apiKind: 'openai:responses', model: 'fake-model' } } });
if (!opened.ok) throw new Error(opened.rejection.message);
const sizes = [await journalBytes()];
const runIds: string[] = [];
for (let turn = 1; turn <= TURNS; turn++) {
  fake.enqueue({ toolCalls: [{ name: 'lookup', arguments: { q: `turn ${turn}` } }] }, { text: reply(turn) });
  const text = `Question ${turn}: tell me more.`;
  const started = await host.submit(ref, { type: 'run.start', source: { type: 'input', items: [{ type: 'text', ref: await putText(storage.blobs(UNIVERSE), text), preview: text }] } });
  if (!started.ok) throw new Error(started.rejection.message);
  const runId = started.result!.runId!;
  runIds.push(runId);
  for (;;) {
    const state = await host.state(ref);
    const run = state && findRun(state, runId);
    if (run && isTerminalRun(run.status)) {
      if (run.status !== 'completed') throw new Error(`turn ${turn}: run ${run.status}`);
      break;
    }
    await host.waitForEvents(ref, state?.head ?? 0, 1_000);
  }
  sizes.push(await journalBytes());
}
const finalState = (await host.state(ref))!;
const perTurn = sizes.slice(1).map((size, i) => size - sizes[i]!);
const gaps: number[] = [];
for (const runId of runIds) {
  const steps = generationTimes.filter((g) => g.runId === runId);
  for (let i = 1; i < steps.length; i++) gaps.push(steps[i]!.start - steps[i - 1]!.end);
}
const lastRequestChars = JSON.stringify(fake.requests.at(-1)!.body).length;
const [invocations] = await query<{ n: number }>(`SELECT COUNT(*) AS n FROM sys_invocation`);

await host.close();
await server.stop();
await fake.stop();
await storage.close();

const late = mean(window(perTurn, 90, 100));
const early = mean(window(perTurn, 10, 20));
console.log(`${TURNS} turns, ${finalState.head} log entries, ${Number(invocations?.n ?? 0)} invocations, final request ≈ ${Math.round(lastRequestChars / 4 / 1000)}k tokens`);
console.log(`journal bytes: total ${sizes.at(-1)}; per turn: first ${perTurn[0]}, turns 10-20 ${early.toFixed(0)}, turns 90-100 ${late.toFixed(0)}, max ${Math.max(...perTurn)}`);
console.log(`step gaps (generation result → next generation request, ${gaps.length} steps): p50 ${quantile(gaps, 0.5).toFixed(1)} ms, p90 ${quantile(gaps, 0.9).toFixed(1)} ms`);
console.log(`restate: journal_bytes_per_turn=${late.toFixed(0)} growth_ratio=${(late / early).toFixed(3)} step_gap_ms_p50=${quantile(gaps, 0.5).toFixed(1)}`);
process.exit(0);
