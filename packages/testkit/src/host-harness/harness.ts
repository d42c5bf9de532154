import { putText } from '@lightspeed/cas';
import type { AgentHost, RetryPolicy, SessionRef, SubmitOutcome, ToolPortFactory } from '@lightspeed/driver';
import { findRun, isTerminalRun, type ApiKind, type Command, type RunState, type SessionConfig, type SessionState } from '@lightspeed/engine';
import { startFakeProvider, type FakeProvider } from '@lightspeed/fake-provider';
import { ProviderRegistry, ProviderRouter } from '@lightspeed/llm';
import type { AgentCatalog, BlobStore, LlmPort, ToolPort, WorkspaceStore } from '@lightspeed/ports';
import { createToolPortFactory } from '@lightspeed/tools';
import { Workspaces } from '@lightspeed/vfs';

export const UNIVERSE = 'u-test';

/** Fast retries so transient-failure scenarios finish in milliseconds. */
export const FAST_RETRY: RetryPolicy = { maxAttempts: 4, initialDelayMs: 5, maxDelayMs: 20, multiplier: 2, maxTotalMs: 5_000 };

/** A host under test, built by a host package's factory over the harness's provider and tools. */
export interface HostUnderTest {
  readonly host: AgentHost;
  /** Stops the host (its effects are abandoned, as in a crash) and starts a new one on the same stores. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface HostDeps {
  llm: LlmPort;
  tools: ToolPortFactory;
  retry: RetryPolicy;
}

export type HostFactory = (deps: HostDeps) => Promise<HostUnderTest>;

export interface Harness {
  fake: FakeProvider;
  readonly host: AgentHost;
  blobs: BlobStore;
  workspaces: WorkspaceStore;
  ref(sessionId: string): SessionRef;
  open(sessionId: string, config?: Partial<SessionConfig>): Promise<SessionState>;
  submit(sessionId: string, command: Command): Promise<Extract<SubmitOutcome, { ok: true }>>;
  startRun(sessionId: string, text: string): Promise<string>;
  waitRun(sessionId: string, runId: string, timeoutMs?: number): Promise<RunState>;
  waitFor(sessionId: string, predicate: (state: SessionState) => boolean, timeoutMs?: number): Promise<SessionState>;
  workspace(id: string, files?: Record<string, string>): Promise<void>;
  text(ref: string | undefined): Promise<string>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  apiKind?: ApiKind;
  /** Replaces the real tool runtime (for scenarios that need a controllable tool). */
  tools?: (harness: Harness) => ToolPort;
  /** Wraps the real tool runtime's port (for scenarios that need it to fail at a given moment). */
  wrapTools?: (port: ToolPort) => ToolPort;
  /** Agent definitions sub-agents may be spawned from (`spawn_agent {agent}`). */
  agents?: AgentCatalog;
}

/**
 * The real provider router over the real fake provider, the real tool runtime (VFS tools over the
 * universe's workspaces), and whatever host the factory builds.
 */
export async function startHarness(factory: HostFactory, options: HarnessOptions = {}): Promise<Harness> {
  const fake = await startFakeProvider({ port: 0 });
  const llm = new ProviderRouter(new ProviderRegistry({ providers: [], fake: { baseUrl: fake.url } }, {}));
  const apiKind = options.apiKind ?? 'openai:responses';
  let blobs: BlobStore | undefined;
  let workspaces: WorkspaceStore | undefined;
  const agents = options.agents;
  const runtime = createToolPortFactory(agents ? { agentsOf: () => agents } : {});
  const tools: ToolPortFactory = (context) => {
    blobs ??= context.blobs;
    workspaces ??= context.workspaces;
    if (options.tools) return options.tools(harness);
    const port = runtime.factory(context);
    return options.wrapTools ? options.wrapTools(port) : port;
  };
  const underTest = await factory({ llm, tools, retry: FAST_RETRY });
  const ref = (sessionId: string): SessionRef => ({ universe: UNIVERSE, sessionId });

  const harness: Harness = {
    fake,
    get host() {
      return underTest.host;
    },
    get blobs() {
      return blobs ?? underTest.host.blobs(UNIVERSE);
    },
    get workspaces() {
      return workspaces ?? underTest.host.workspaces(UNIVERSE);
    },
    ref,
    async open(sessionId, config = {}) {
      const outcome = await harness.host.submit(ref(sessionId), {
        type: 'session.open',
        sessionId,
        config: { model: { providerId: 'fake', apiKind, model: 'fake-model' }, ...config },
      });
      if (!outcome.ok) throw new Error(`open rejected: ${outcome.rejection.message}`);
      return outcome.state;
    },
    async submit(sessionId, command) {
      const outcome = await harness.host.submit(ref(sessionId), command);
      if (!outcome.ok) throw new Error(`${command.type} rejected (${outcome.rejection.code}): ${outcome.rejection.message}`);
      return outcome;
    },
    async startRun(sessionId, text) {
      const textRef = await putText(harness.host.blobs(UNIVERSE), text);
      const outcome = await harness.submit(sessionId, { type: 'run.start', source: { type: 'input', items: [{ type: 'text', ref: textRef, preview: text.slice(0, 200) }] } });
      return (outcome.result as { runId: string }).runId;
    },
    async waitFor(sessionId, predicate, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const state = await harness.host.state(ref(sessionId));
        if (state && predicate(state)) return state;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out waiting on session ${sessionId} (head ${state?.head})`);
        await harness.host.waitForEvents(ref(sessionId), state?.head ?? 0, Math.min(left, 200));
      }
    },
    async waitRun(sessionId, runId, timeoutMs) {
      const state = await harness.waitFor(
        sessionId,
        (s) => {
          const run = findRun(s, runId);
          return run !== undefined && isTerminalRun(run.status);
        },
        timeoutMs,
      );
      return findRun(state, runId)!;
    },
    async workspace(id, files = {}) {
      const ws = new Workspaces(harness.host.workspaces(UNIVERSE), harness.host.blobs(UNIVERSE));
      await ws.create(id);
      const changes = Object.entries(files).map(([path, content]) => ({ op: 'write' as const, path, content: new TextEncoder().encode(content) }));
      if (changes.length) await ws.commit(id, changes);
    },
    async text(blobRef) {
      if (!blobRef) return '';
      const { getText } = await import('@lightspeed/cas');
      return getText(harness.host.blobs(UNIVERSE), blobRef as never);
    },
    async restart() {
      await underTest.restart();
    },
    async close() {
      await underTest.close();
      await runtime.close();
      await fake.stop();
    },
  };
  return harness;
}
