// bench:temporal — a 100-turn conversation whose context grows to ~100k tokens, driven through our
// session workflow and, on the same Temporal dev server in the same run, through the official
// `@temporalio/ai-sdk` integration with the AI SDK's mock model (which journals the full prompt in
// every model activity). A turn is one user message and one ~1k-token reply (a run with one
// generation; for the peer one model call). History size is read with describeWorkflowExecution
// after each turn, once the workflow is quiescent. The step gap (a generation's result to the next
// generation request) is measured afterwards on agent-loop runs: generation → tool call → generation.
// The server runs with the settings we recommend (`RECOMMENDED_TEMPORAL_DYNAMIC_CONFIG`: eager
// activity execution on); for comparison the step gap is also measured on a second server with the
// open-source default (eager activities off), printed above the last line.
//   npm run bench:temporal
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { AiSdkPlugin } from '@temporalio/ai-sdk';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { MockLanguageModelV4, MockProviderV4 } from 'ai/test';
import { putJson, putText } from '@lightspeed/cas';
import type { ToolPortFactory } from '@lightspeed/driver';
import { findRun, isTerminalRun, type GenerationRequest } from '@lightspeed/engine';
import { startFakeProvider } from '@lightspeed/fake-provider';
import { ProviderRegistry, ProviderRouter } from '@lightspeed/llm';
import type { LlmPort } from '@lightspeed/ports';
import { MemoryHeadSignal, MemoryLiveChannel } from '@lightspeed/store-memory';
import { openStorage } from '@lightspeed/store-sql';
import { RECOMMENDED_TEMPORAL_DYNAMIC_CONFIG, startTemporal, type TemporalServer } from '@lightspeed/testkit';
import { bundleSessionWorkflow, sessionWorkflowId, startTemporalWorker, TemporalAgentHost } from '../src/index.js';
import { peerDoneSignal, peerTurnUpdate } from './peer-workflow.js';

// BENCH_TURNS shortens the conversation and BENCH_DUMP_HISTORY prints the last history events with
// their time deltas (where a step's time goes: dispatch latency vs workflow task time).
const TURNS = Number(process.env.BENCH_TURNS ?? 100);
/** ~1k tokens of reply per turn (≈ 4 characters per token). */
const REPLY_CHARS = 4_000;
const UNIVERSE = 'bench';
const SESSION = 'long-chat';

const reply = (turn: number) => {
  const sentence = `Turn ${turn}: here is a long, detailed answer that keeps the conversation growing steadily. `;
  return sentence.repeat(Math.ceil(REPLY_CHARS / sentence.length)).slice(0, REPLY_CHARS);
};

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

const logger = new DefaultLogger('WARN');
Runtime.install({ logger });
const [server, fake, storage, bundle] = await Promise.all([
  startTemporal(),
  startFakeProvider({ port: 0 }),
  openStorage({ kind: 'pglite', dataDir: 'memory://' }),
  bundleSessionWorkflow(logger),
]);
const connection = await Connection.connect({ address: server.address });
const nativeConnection = await NativeConnection.connect({ address: server.address });
const client = new Client({ connection, namespace: server.namespace });

async function historyBytes(workflowId: string): Promise<number> {
  for (;;) {
    const { workflowExecutionInfo, pendingActivities, pendingWorkflowTask } = await client.workflowService.describeWorkflowExecution({ namespace: server.namespace, execution: { workflowId } });
    if (!pendingWorkflowTask && (pendingActivities?.length ?? 0) === 0) return Number(workflowExecutionInfo!.historySizeBytes);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Bytes each turn added, from sizes measured before the first turn and after each turn. */
const perTurn = (sizes: number[]) => sizes.slice(1).map((size, i) => size - sizes[i]!);
const window = (bytes: number[], from: number, to: number) => bytes.slice(from - 1, to);

// ---- ours -------------------------------------------------------------------------------------
const generationTimes: { turnId: string; runId: string; start: number; end: number }[] = [];
const router = new ProviderRouter(new ProviderRegistry({ providers: [], fake: { baseUrl: fake.url } }, {}));
const llm: LlmPort = {
  listModels: () => router.listModels(),
  validateParams: (model, native) => router.validateParams(model, native),
  compact: (request, context) => router.compact(request, context),
  async generate(request: GenerationRequest, context) {
    const start = performance.now();
    const result = await router.generate(request, context);
    generationTimes.push({ turnId: request.turnId, runId: request.runId, start, end: performance.now() });
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
const live = new MemoryLiveChannel();
const heads = new MemoryHeadSignal();
const taskQueue = 'bench-sessions';
const worker = await startTemporalWorker({ connection: nativeConnection, namespace: server.namespace, taskQueue, workflowBundle: bundle, stores: storage, llm, tools, live, heads });
const host = new TemporalAgentHost({ client, taskQueue, stores: storage, live, heads });
const ref = { universe: UNIVERSE, sessionId: SESSION };
const ourId = sessionWorkflowId(UNIVERSE, SESSION);

const opened = await host.submit(ref, { type: 'session.open', sessionId: SESSION, config: { model: { providerId: 'fake', apiKind: 'openai:responses', model: 'fake-model' } } });
if (!opened.ok) throw new Error(opened.rejection.message);

/** Starts a run with one user message and waits until it completed. */
const runTurn = (text: string) => runTurnOn(host, ref, text);

async function runTurnOn(host: TemporalAgentHost, ref: { universe: string; sessionId: string }, text: string): Promise<string> {
  const started = await host.submit(ref, { type: 'run.start', source: { type: 'input', items: [{ type: 'text', ref: await putText(storage.blobs(UNIVERSE), text), preview: text }] } });
  if (!started.ok) throw new Error(started.rejection.message);
  const runId = started.result!.runId!;
  for (;;) {
    const state = await host.state(ref);
    const run = state && findRun(state, runId);
    if (run && isTerminalRun(run.status)) {
      if (run.status !== 'completed') throw new Error(`${text}: run ${run.status}`);
      return runId;
    }
    await host.waitForEvents(ref, state?.head ?? 0, 1_000);
  }
}

const ourSizes = [await historyBytes(ourId)];
for (let turn = 1; turn <= TURNS; turn++) {
  fake.enqueue({ text: reply(turn) });
  await runTurn(`Question ${turn}: tell me more.`);
  ourSizes.push(await historyBytes(ourId));
}
const finalState = (await host.state(ref))!;
const contextChars = JSON.stringify(fake.requests.at(-1)!.body).length;
const ours = perTurn(ourSizes);
// Agent-loop runs for the step gap (after the history figures were taken).
const STEP_RUNS = 30;

/** Runs STEP_RUNS agent-loop runs (generation → tool → generation) and returns their step gaps. */
async function stepGaps(runTurn: (text: string) => Promise<string>): Promise<number[]> {
  const runIds: string[] = [];
  // Run ids restart per session: only generations from here on belong to these runs.
  const from = generationTimes.length;
  for (let i = 1; i <= STEP_RUNS; i++) {
    fake.enqueue({ toolCalls: [{ name: 'lookup', arguments: { q: `step ${i}` } }] }, { text: `found it (${i})` });
    runIds.push(await runTurn(`Look something up (${i}).`));
  }
  // From a generation's result to the next generation request of the same run.
  const gaps: number[] = [];
  for (const runId of runIds) {
    const steps = generationTimes.slice(from).filter((g) => g.runId === runId);
    for (let i = 1; i < steps.length; i++) gaps.push(steps[i]!.start - steps[i - 1]!.end);
  }
  return gaps;
}
const gaps = await stepGaps(runTurn);
if (process.env.BENCH_DUMP_HISTORY) {
  const history = await client.workflow.getHandle(ourId).fetchHistory();
  const events = history.events ?? [];
  const tail = events.slice(-40);
  let prev: number | undefined;
  for (const e of tail) {
    const t = Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
    console.log(`${e.eventId} +${prev === undefined ? 0 : t - prev}ms ${Object.keys(e).find((k) => k.endsWith('Attributes') && (e as Record<string, unknown>)[k])}`);
    prev = t;
  }
}
await worker.shutdown();
await host.close();

// ---- ours, on a server with the open-source default (no eager activities) ---------------------
/** The step gap of a fresh session on another server started with `dynamicConfig`. */
async function stepGapsOn(dynamicConfig: Record<string, unknown>): Promise<number[]> {
  const other: TemporalServer = await startTemporal({ dynamicConfig });
  const otherConnection = await Connection.connect({ address: other.address });
  const otherNative = await NativeConnection.connect({ address: other.address });
  const otherClient = new Client({ connection: otherConnection, namespace: other.namespace });
  const otherWorker = await startTemporalWorker({ connection: otherNative, namespace: other.namespace, taskQueue, workflowBundle: bundle, stores: storage, llm, tools, live, heads });
  const otherHost = new TemporalAgentHost({ client: otherClient, taskQueue, stores: storage, live, heads });
  const otherRef = { universe: UNIVERSE, sessionId: `${SESSION}-baseline` };
  try {
    const opened = await otherHost.submit(otherRef, { type: 'session.open', sessionId: otherRef.sessionId, config: { model: { providerId: 'fake', apiKind: 'openai:responses', model: 'fake-model' } } });
    if (!opened.ok) throw new Error(opened.rejection.message);
    return await stepGaps((text) => runTurnOn(otherHost, otherRef, text));
  } finally {
    await otherWorker.shutdown();
    await otherHost.close();
    await otherConnection.close();
    await otherNative.close();
    await other.stop();
  }
}
const baselineGaps = await stepGapsOn(Object.fromEntries(Object.keys(RECOMMENDED_TEMPORAL_DYNAMIC_CONFIG).map((key) => [key, false])));

// ---- peer -------------------------------------------------------------------------------------
const mockModel = new MockLanguageModelV4({
  async doGenerate(options) {
    const turn = options.prompt.filter((m) => m.role === 'user').length;
    return {
      content: [{ type: 'text', text: reply(turn) }],
      finishReason: { unified: 'stop', raw: 'stop' },
      usage: { inputTokens: { total: 0, noCache: 0, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: REPLY_CHARS / 4, text: REPLY_CHARS / 4, reasoning: 0 } },
      warnings: [],
    };
  },
});
const peerQueue = 'bench-peer';
const peerWorker = await Worker.create({
  connection: nativeConnection,
  namespace: server.namespace,
  taskQueue: peerQueue,
  workflowsPath: fileURLToPath(new URL('./peer-workflow.ts', import.meta.url)),
  plugins: [new AiSdkPlugin({ modelProvider: new MockProviderV4({ languageModels: { 'mock-model': mockModel } }) })],
  bundlerOptions: { logger } as never,
});
const peerSizes: number[] = [];
await peerWorker.runUntil(async () => {
  const handle = await client.workflow.start('peerChat', { taskQueue: peerQueue, workflowId: 'peer-long-chat' });
  peerSizes.push(await historyBytes(handle.workflowId));
  for (let turn = 1; turn <= TURNS; turn++) {
    await handle.executeUpdate(peerTurnUpdate, { args: [`Question ${turn}: tell me more.`] });
    peerSizes.push(await historyBytes(handle.workflowId));
  }
  await handle.signal(peerDoneSignal);
  await handle.result();
});
const peer = perTurn(peerSizes);

await connection.close();
await nativeConnection.close();
await server.stop();
await fake.stop();
await storage.close();

const oursLate = mean(window(ours, 90, 100));
const oursEarly = mean(window(ours, 10, 20));
const peerLate = mean(window(peer, 90, 100));
console.log(`ours: ${TURNS} turns, ${finalState.head} log entries, final request ≈ ${Math.round(contextChars / 4 / 1000)}k tokens; history ${ourSizes.at(-1)} bytes (per turn: first ${ours[0]}, turns 10-20 ${oursEarly.toFixed(0)}, turns 90-100 ${oursLate.toFixed(0)})`);
console.log(`peer (@temporalio/ai-sdk + MockLanguageModelV4): history ${peerSizes.at(-1)} bytes (per turn: turns 10-20 ${mean(window(peer, 10, 20)).toFixed(0)}, turns 90-100 ${peerLate.toFixed(0)}); peer/ours at turns 90-100 = ${(peerLate / oursLate).toFixed(1)}`);
console.log(`machine: ${availableParallelism()} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, Node ${process.version}`);
const settings = Object.entries(RECOMMENDED_TEMPORAL_DYNAMIC_CONFIG).map(([key, value]) => `${key}=${String(value)}`).join(' ');
console.log(`step gaps (generation result → next generation request, ${gaps.length} steps), server with ${settings}: p50 ${quantile(gaps, 0.5).toFixed(1)} ms, p90 ${quantile(gaps, 0.9).toFixed(1)} ms`);
console.log(`step gaps on a server with the open-source defaults (${baselineGaps.length} steps): p50 ${quantile(baselineGaps, 0.5).toFixed(1)} ms, p90 ${quantile(baselineGaps, 0.9).toFixed(1)} ms`);
console.log(
  `temporal: history_bytes_per_turn=${oursLate.toFixed(0)} growth_ratio=${(oursLate / oursEarly).toFixed(3)} peer_history_bytes_per_turn=${peerLate.toFixed(0)} step_gap_ms_p50=${quantile(gaps, 0.5).toFixed(1)}`,
);
process.exit(0);
