/**
 * Adapter overhead against the fake provider: for each API kind, the same scripted turn is run
 * through the official SDK directly (native request prebuilt, events iterated) and through the
 * adapter (context read from CAS, request materialised, deltas published, outputs committed to
 * CAS). Runs alternate so drift hits both sides; the figures are medians of paired differences.
 * The fake runs in a child process so it does not share this event loop.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { MemoryBlobStore } from '@lightspeed/cas';
import type { ApiKind, GenerationRequest } from '@lightspeed/engine';
import { MemoryLiveChannel as InMemoryLiveChannel } from '@lightspeed/store-memory';
import { AnthropicMessagesAdapter, OpenAiCompletionsAdapter, OpenAiResponsesAdapter, type ApiAdapter, type ResolvedEndpoint } from '../src/index.js';
import { Conversation } from '../test/support/conversation.js';

const ITERATIONS = Number(process.env.LLM_BENCH_ITERATIONS ?? 150);
const WARMUP = 30;
const SCRIPT = JSON.stringify({ text: 'The quick brown fox jumps over the lazy dog. '.repeat(9), chunkChars: 16, usage: { input: 1200, output: 100 } });
const HEADERS = { 'x-fake-script': SCRIPT };

async function startFakeProcess(): Promise<{ url: string; stop: () => void }> {
  const cli = fileURLToPath(new URL('../../fake-provider/src/cli.ts', import.meta.url));
  const child = spawn(process.execPath, ['--conditions=lightspeed-src', '--import', 'tsx', cli, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  for await (const chunk of child.stdout) {
    output += String(chunk);
    const match = /listening on (http:\/\/\S+)/.exec(output);
    if (match) return { url: match[1]!, stop: () => child.kill('SIGTERM') };
  }
  await once(child, 'exit');
  throw new Error(`the fake provider did not start: ${output}`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 0 ? (sorted[mid - 1]! + sorted[mid]!) / 2 : sorted[mid]!;
}

interface Sample {
  firstDelta: number;
  total: number;
}

async function buildRequest(blobs: MemoryBlobStore, apiKind: ApiKind): Promise<GenerationRequest> {
  const convo = new Conversation(blobs, apiKind);
  await convo.instructions('You are a careful coding agent. '.repeat(40));
  for (const name of ['read_file', 'write_file', 'list', 'grep', 'exec']) {
    await convo.tool(name, `The ${name} tool.`, { type: 'object', properties: { path: { type: 'string' }, text: { type: 'string' } }, required: ['path'] });
  }
  for (let turn = 0; turn < 10; turn++) {
    await convo.user(`Question ${turn}: ${'please look at the code and explain. '.repeat(5)}`);
    await convo.message('assistant', `Answer ${turn}: ${'here is what the code does in detail. '.repeat(8)}`);
  }
  await convo.user('Now summarise everything.');
  return convo.request('fake-echo', { turnId: 'turn_bench', cacheBreakpoints: [0, 20] });
}

type DirectRun = () => Promise<Sample>;

function directRunner(apiKind: ApiKind, url: string): DirectRun {
  const system = 'You are a careful coding agent. '.repeat(40);
  const tools = ['read_file', 'write_file', 'list', 'grep', 'exec'];
  const schema = { type: 'object', properties: { path: { type: 'string' }, text: { type: 'string' } }, required: ['path'] };
  const turns: { role: 'user' | 'assistant'; content: string }[] = [];
  for (let turn = 0; turn < 10; turn++) {
    turns.push({ role: 'user', content: `Question ${turn}: ${'please look at the code and explain. '.repeat(5)}` });
    turns.push({ role: 'assistant', content: `Answer ${turn}: ${'here is what the code does in detail. '.repeat(8)}` });
  }
  turns.push({ role: 'user', content: 'Now summarise everything.' });
  if (apiKind === 'anthropic:messages') {
    const client = new Anthropic({ apiKey: 'bench', baseURL: url, maxRetries: 0, defaultHeaders: HEADERS });
    return async () => {
      const start = performance.now();
      let firstDelta = 0;
      const stream = await client.messages.create({
        model: 'fake-echo',
        max_tokens: 8192,
        stream: true,
        system: [{ type: 'text', text: system, cache_control: { type: 'ephemeral' } }],
        tools: tools.map((name) => ({ name, description: `The ${name} tool.`, input_schema: schema as Anthropic.Tool.InputSchema })),
        messages: turns,
      });
      for await (const event of stream) if (!firstDelta && event.type === 'content_block_delta') firstDelta = performance.now() - start;
      return { firstDelta, total: performance.now() - start };
    };
  }
  const client = new OpenAI({ apiKey: 'bench', baseURL: `${url}/v1`, maxRetries: 0, defaultHeaders: HEADERS });
  if (apiKind === 'openai:responses') {
    return async () => {
      const start = performance.now();
      let firstDelta = 0;
      const stream = await client.responses.create({
        model: 'fake-echo',
        stream: true,
        store: false,
        instructions: system,
        tools: tools.map((name) => ({ type: 'function' as const, name, description: `The ${name} tool.`, parameters: schema, strict: false })),
        input: turns,
      });
      for await (const event of stream) if (!firstDelta && event.type === 'response.output_text.delta') firstDelta = performance.now() - start;
      return { firstDelta, total: performance.now() - start };
    };
  }
  return async () => {
    const start = performance.now();
    let firstDelta = 0;
    const stream = await client.chat.completions.create({
      model: 'fake-echo',
      stream: true,
      stream_options: { include_usage: true },
      tools: tools.map((name) => ({ type: 'function' as const, function: { name, description: `The ${name} tool.`, parameters: schema } })),
      messages: [{ role: 'system', content: system }, ...turns],
    });
    for await (const chunk of stream) if (!firstDelta && chunk.choices[0]?.delta.content) firstDelta = performance.now() - start;
    return { firstDelta, total: performance.now() - start };
  };
}

function adapterRunner(adapter: ApiAdapter, endpoint: ResolvedEndpoint, request: GenerationRequest, blobs: MemoryBlobStore): DirectRun {
  const live = new InMemoryLiveChannel();
  let firstDelta = 0;
  let start = 0;
  live.subscribe(request.sessionId, (message) => {
    if (!firstDelta && message.delta.type === 'text') firstDelta = performance.now() - start;
  });
  return async () => {
    firstDelta = 0;
    start = performance.now();
    await adapter.generate(request, endpoint, { blobs, live });
    return { firstDelta, total: performance.now() - start };
  };
}

async function measure(apiKind: ApiKind, adapter: ApiAdapter, url: string): Promise<{ first: number; turn: number }> {
  const blobs = new MemoryBlobStore();
  const request = await buildRequest(blobs, apiKind);
  const endpoint: ResolvedEndpoint = { providerId: 'fake', apiKind, baseURL: apiKind === 'anthropic:messages' ? url : `${url}/v1`, apiKey: 'bench', headers: HEADERS, timeoutMs: 60_000 };
  const direct = directRunner(apiKind, url);
  const viaAdapter = adapterRunner(adapter, endpoint, request, blobs);
  const firstDiffs: number[] = [];
  const turnDiffs: number[] = [];
  const directTotals: number[] = [];
  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    // Alternate which side goes first so connection reuse and GC land on both equally.
    let d: Sample;
    let a: Sample;
    if (i % 2 === 0) {
      d = await direct();
      a = await viaAdapter();
    } else {
      a = await viaAdapter();
      d = await direct();
    }
    if (i < WARMUP) continue;
    firstDiffs.push(a.firstDelta - d.firstDelta);
    turnDiffs.push(a.total - d.total);
    directTotals.push(d.total);
  }
  const first = median(firstDiffs);
  const turn = median(turnDiffs);
  console.log(`${apiKind}: direct_turn_ms=${median(directTotals).toFixed(3)} first_delta_overhead_ms=${first.toFixed(3)} turn_overhead_ms=${turn.toFixed(3)} (n=${ITERATIONS})`);
  return { first, turn };
}

const fake = await startFakeProcess();
try {
  const results = [];
  results.push(await measure('openai:responses', new OpenAiResponsesAdapter(), fake.url));
  results.push(await measure('openai:completions', new OpenAiCompletionsAdapter(), fake.url));
  results.push(await measure('anthropic:messages', new AnthropicMessagesAdapter(), fake.url));
  // The headline is the worst API kind, so no adapter hides behind another.
  const first = Math.max(...results.map((r) => r.first));
  const turn = Math.max(...results.map((r) => r.turn));
  console.log(`llm: first_delta_overhead_ms=${first.toFixed(3)} turn_overhead_ms=${turn.toFixed(3)}`);
} finally {
  fake.stop();
}
