import { putText } from '@lightspeed/cas';
import type { RetryPolicy, SessionRef } from '@lightspeed/driver';
import { findRun, isTerminalRun, type ApiKind, type Command, type RunState, type SessionConfig, type SessionState } from '@lightspeed/engine';
import { startFakeProvider, type FakeProvider } from '@lightspeed/fake-provider';
import { ProviderRegistry, ProviderRouter } from '@lightspeed/llm';
import type { ToolPort } from '@lightspeed/ports';
import { ToolRuntime } from '@lightspeed/tools';
import { Workspaces } from '@lightspeed/vfs';
import { EmbeddedHost, memoryStores, type EmbeddedHostOptions, type EmbeddedStores, type ToolPortContext } from '../../src/index.js';

export const UNIVERSE = 'u-test';

/** Fast retries so transient-failure scenarios finish in milliseconds. */
export const FAST_RETRY: RetryPolicy = { maxAttempts: 4, initialDelayMs: 5, maxDelayMs: 20, multiplier: 2, maxTotalMs: 5_000 };

export interface Harness {
  fake: FakeProvider;
  host: EmbeddedHost;
  stores: EmbeddedStores;
  ref(sessionId: string): SessionRef;
  open(sessionId: string, config?: Partial<SessionConfig>): Promise<SessionState>;
  submit(sessionId: string, command: Command): Promise<Extract<Awaited<ReturnType<EmbeddedHost['submit']>>, { ok: true }>>;
  startRun(sessionId: string, text: string, extra?: Partial<Extract<Command, { type: 'run.start' }>>): Promise<string>;
  waitRun(sessionId: string, runId: string, timeoutMs?: number): Promise<RunState>;
  waitFor(sessionId: string, predicate: (state: SessionState) => boolean, timeoutMs?: number): Promise<SessionState>;
  workspace(id: string, files?: Record<string, string>): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  apiKind?: ApiKind;
  tools?: (context: ToolPortContext) => ToolPort;
  host?: Partial<EmbeddedHostOptions>;
}

/** A real embedded host over memory stores, the real provider router and the real fake provider. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const fake = await startFakeProvider({ port: 0 });
  const llm = new ProviderRouter(new ProviderRegistry({ providers: [], fake: { baseUrl: fake.url } }, {}));
  const stores = memoryStores();
  const runtimes = new Map<string, ToolRuntime>();
  const apiKind = options.apiKind ?? 'openai:responses';
  let host!: EmbeddedHost;
  const tools =
    options.tools ??
    ((context: ToolPortContext) => {
      let runtime = runtimes.get(context.universe);
      if (!runtime) {
        runtime = new ToolRuntime({
          blobs: context.blobs,
          workspaces: context.workspaces,
          sessions: {
            load: async (sessionId) => {
              const state = await host.state({ universe: context.universe, sessionId });
              if (!state?.config) return undefined;
              return { context: { sessionId }, apiKind: state.config.model.apiKind, features: state.config.features };
            },
          },
        });
        runtimes.set(context.universe, runtime);
      }
      return runtime;
    });
  const makeHost = () => EmbeddedHost.start({ stores, llm, tools, retry: FAST_RETRY, onError: (r, e) => console.error('host error', r.sessionId, e), ...options.host });
  host = await makeHost();
  const ref = (sessionId: string): SessionRef => ({ universe: UNIVERSE, sessionId });

  const harness: Harness = {
    fake,
    get host() {
      return host;
    },
    stores,
    ref,
    async open(sessionId, config = {}) {
      const outcome = await host.submit(ref(sessionId), {
        type: 'session.open',
        sessionId,
        config: { model: { providerId: 'fake', apiKind, model: 'fake-model' }, ...config },
      });
      if (!outcome.ok) throw new Error(`open rejected: ${outcome.rejection.message}`);
      return outcome.state;
    },
    async submit(sessionId, command) {
      const outcome = await host.submit(ref(sessionId), command);
      if (!outcome.ok) throw new Error(`${command.type} rejected (${outcome.rejection.code}): ${outcome.rejection.message}`);
      return outcome;
    },
    async startRun(sessionId, text, extra = {}) {
      const textRef = await putText(stores.blobs(UNIVERSE), text);
      const outcome = await harness.submit(sessionId, { type: 'run.start', source: { type: 'input', items: [{ type: 'text', ref: textRef, preview: text.slice(0, 200) }] }, ...extra });
      return (outcome.result as { runId: string }).runId;
    },
    async waitFor(sessionId, predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const state = (await host.state(ref(sessionId)))!;
        if (predicate(state)) return state;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out waiting on session ${sessionId} (head ${state.head})`);
        await host.waitForEvents(ref(sessionId), state.head, Math.min(left, 250));
      }
    },
    async waitRun(sessionId, runId, timeoutMs) {
      const state = await harness.waitFor(sessionId, (s) => {
        const run = findRun(s, runId);
        return run !== undefined && isTerminalRun(run.status);
      }, timeoutMs);
      return findRun(state, runId)!;
    },
    async workspace(id, files = {}) {
      const workspaces = new Workspaces(stores.workspaces(UNIVERSE), stores.blobs(UNIVERSE));
      await workspaces.create(id);
      const changes = Object.entries(files).map(([path, content]) => ({ op: 'write' as const, path, content: new TextEncoder().encode(content) }));
      if (changes.length) await workspaces.commit(id, changes);
    },
    async restart() {
      await host.close();
      host = await makeHost();
    },
    async close() {
      await host.close();
      for (const runtime of runtimes.values()) await runtime.close();
      await fake.stop();
    },
  };
  return harness;
}
