import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { putJson, putText } from '@lightspeed/cas';
import type { ToolPortFactory } from '@lightspeed/driver';
import { findRun, isTerminalRun, type GenerationFacts, type SessionState } from '@lightspeed/engine';
import { ProviderRegistry, ProviderRouter } from '@lightspeed/llm';
import type { LlmPort, ToolPort } from '@lightspeed/ports';
import { openStorage } from '@lightspeed/store-sql';
import { EmbeddedHost, memoryStores, type EmbeddedStores } from '../src/index.js';

export const UNIVERSE = 'u-bench';
export const STEP_TOOL = 'step';

export type StoreKind = 'pglite' | 'memory';

/** The store under a bench host: the embedded default (PGlite in a temp data dir) or memory. */
export async function benchStores(kind: StoreKind): Promise<{ stores: EmbeddedStores; close(): Promise<void> }> {
  if (kind === 'memory') return { stores: memoryStores(), close: async () => undefined };
  const dir = mkdtempSync(join(tmpdir(), 'lightspeed-runtime-bench-'));
  const storage = await openStorage({ kind: 'pglite', dataDir: join(dir, 'pglite') });
  if (process.env.BENCH_COUNT_SQL) countStatements(storage.driver);
  return {
    stores: storage,
    async close() {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Profiling aid (BENCH_COUNT_SQL=1): statements by text, printed at exit. */
function countStatements(driver: { query: (text: string, params?: readonly unknown[]) => Promise<unknown> }): void {
  const counts = new Map<string, { n: number; ms: number }>();
  const query = driver.query.bind(driver);
  driver.query = async (text, params) => {
    const started = performance.now();
    try {
      return await query(text, params);
    } finally {
      const key = text.replace(/\s+/g, ' ').slice(0, 60);
      const entry = counts.get(key) ?? { n: 0, ms: 0 };
      entry.n++;
      entry.ms += performance.now() - started;
      counts.set(key, entry);
    }
  };
  process.once('exit', () => {
    for (const [key, { n, ms }] of [...counts].sort((a, b) => b[1].n - a[1].n)) console.error(`${n}\t${(ms / n).toFixed(3)} ms\t${key}`);
  });
}

/**
 * The real provider router, observed: when each generation's facts came back to the driver, and
 * how many generations are in flight (the sessions holding an active run at the provider).
 */
export class ObservedLlm implements LlmPort {
  readonly returnedAt: number[] = [];
  inFlight = 0;
  maxInFlight = 0;
  completed = 0;
  private readonly inner: LlmPort;

  constructor(baseUrl: string) {
    this.inner = new ProviderRouter(new ProviderRegistry({ providers: [], fake: { baseUrl } }, {}));
  }

  async generate(...args: Parameters<LlmPort['generate']>): Promise<GenerationFacts> {
    this.inFlight++;
    if (this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight;
    try {
      const facts = await this.inner.generate(...args);
      this.returnedAt.push(performance.now());
      this.completed++;
      return facts;
    } finally {
      this.inFlight--;
    }
  }

  compact(...args: Parameters<LlmPort['compact']>) {
    return this.inner.compact(...args);
  }

  validateParams(...args: Parameters<LlmPort['validateParams']>) {
    return this.inner.validateParams(...args);
  }

  listModels() {
    return this.inner.listModels();
  }
}

/** A tool that does nothing but answer: the bench measures the host, not tool work. */
export const stepTools: ToolPortFactory = (context): ToolPort => ({
  async resolve() {
    const definitionRef = await putJson(context.blobs, { description: 'One step of a benchmark run.', inputSchema: { type: 'object' } });
    return [{ name: STEP_TOOL, parallelism: 'parallelSafe', definitionRef }];
  },
  async invoke(call, { blobs }) {
    // A distinct result per call, as real tools produce: no store write is saved by deduplication.
    const text = `step ${call.callId} done`;
    return { status: 'succeeded', isError: false, resultRef: await putText(blobs, text), preview: text };
  },
});

/** A bench host: the step tool and every idle session kept in memory, unless the options say otherwise. */
export async function startHost(stores: EmbeddedStores, llm: LlmPort, options: { tools?: ToolPortFactory; maxCachedSessions?: number; recentBlobBytes?: number } = {}): Promise<EmbeddedHost> {
  const { tools = stepTools, maxCachedSessions = 100_000, recentBlobBytes } = options;
  return EmbeddedHost.start({ stores, llm, tools, maxCachedSessions, ...(recentBlobBytes !== undefined ? { recentBlobBytes } : {}) });
}

/** Opens a session on the fake model, with the session config's `features` if given. */
export async function openSession(host: EmbeddedHost, sessionId: string, features?: Record<string, unknown>): Promise<void> {
  const config = { model: { providerId: 'fake', apiKind: 'openai:responses' as const, model: 'fake-echo' }, ...(features ? { features } : {}) };
  const outcome = await host.submit({ universe: UNIVERSE, sessionId }, { type: 'session.open', sessionId, config });
  if (!outcome.ok) throw new Error(`session.open ${sessionId}: ${outcome.rejection.message}`);
}

export async function startRun(host: EmbeddedHost, sessionId: string, text: string): Promise<string> {
  const ref = { universe: UNIVERSE, sessionId };
  const textRef = await putText(host.blobs(UNIVERSE), text);
  const outcome = await host.submit(ref, { type: 'run.start', source: { type: 'input', items: [{ type: 'text', ref: textRef, preview: text.slice(0, 200) }] } });
  if (!outcome.ok) throw new Error(`run.start ${sessionId}: ${outcome.rejection.message}`);
  return (outcome.result as { runId: string }).runId;
}

/** Follows a session's log until `found` returns a value for its state; returns that value. */
export async function waitState<T>(host: EmbeddedHost, sessionId: string, found: (state: SessionState) => T | undefined): Promise<T> {
  const ref = { universe: UNIVERSE, sessionId };
  for (;;) {
    const state = await host.state(ref);
    const value = state && found(state);
    if (value !== undefined) return value;
    await host.waitForEvents(ref, state?.head ?? 0, 5_000);
  }
}

export async function waitRun(host: EmbeddedHost, sessionId: string, runId: string): Promise<string> {
  return waitState(host, sessionId, (state) => {
    const run = findRun(state, runId);
    return run && isTerminalRun(run.status) ? run.status : undefined;
  });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Least-squares slope of y over x. */
export function slope(ys: number[]): number {
  const n = ys.length;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  });
  return den === 0 ? 0 : num / den;
}
