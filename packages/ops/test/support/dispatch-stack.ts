// A real stack for dispatch tests: SQL storage (PGlite or PostgreSQL), the embedded host over it
// (or another host a test builds), the real fake provider and tool runtime, and the API's own
// method handlers, through which agent profiles are stored and attempt sessions are opened.
import { createMethodHandlers, type MethodHandlers } from '@lightspeed/api';
import type { AgentHost, ToolPortFactory } from '@lightspeed/driver';
import { EmbeddedHost } from '@lightspeed/host-embedded';
import { startFakeProvider, type FakeProvider } from '@lightspeed/fake-provider';
import { ProviderRegistry, ProviderRouter } from '@lightspeed/llm';
import { Dispatcher, type DispatcherOptions } from '../../src/index.js';
import type { LlmPort, Task } from '@lightspeed/ports';
import { openStorage, type Storage, type StorageBackend } from '@lightspeed/store-sql';
import { createToolPortFactory, type CustomTool } from '@lightspeed/tools';
import { readFile, Workspaces } from '@lightspeed/vfs';

export const UNIVERSE = 'u-dispatch';
export const FAKE_MODEL = { providerId: 'fake', apiKind: 'openai:responses' as const, model: 'fake-echo' };
export const FAST_RETRY = { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20, multiplier: 2, maxTotalMs: 5_000 };

export interface StackHost {
  host: AgentHost;
  close(): Promise<void>;
}

export interface DispatchStackOptions {
  backend: StorageBackend;
  customTools?: readonly CustomTool[];
  /** Builds the host over the stack's storage, provider and tools; default: the embedded host. */
  host?: (deps: { storage: Storage; llm: LlmPort; tools: ToolPortFactory }) => Promise<StackHost>;
  /** Use a fake provider already running (shared across processes' scripts); default: start one. */
  fakeUrl?: string;
  /** Storage options passed through (e.g. migrate for PostgreSQL). */
  migrate?: boolean;
}

export interface DispatchStack {
  storage: Storage;
  host: AgentHost;
  fake?: FakeProvider;
  handlers: MethodHandlers;
  /** Calls an API method handler in the test universe; answers its result. */
  call<T = Record<string, unknown>>(method: string, params: unknown): Promise<T>;
  putAgent(profileId: string, body: Record<string, unknown>): Promise<void>;
  workspace(id: string): Promise<void>;
  readFile(workspaceId: string, path: string): Promise<string | undefined>;
  dispatcher(options?: Partial<DispatcherOptions>): Dispatcher;
  close(): Promise<void>;
}

/** The agent profile most tests use: the fake model, file tools over workspace `ws` at /workspace. */
export function writerAgent(task: Record<string, unknown>): Record<string, unknown> {
  return {
    config: {
      model: FAKE_MODEL,
      features: { vfs: { version: 1, tools: 'edit', workspaceLinks: [{ path: '/workspace', target: { type: 'workspace', workspaceId: 'ws' }, access: 'readWrite' }] } },
    },
    task,
  };
}

export async function startDispatchStack(options: DispatchStackOptions): Promise<DispatchStack> {
  const storage = await openStorage(options.backend, options.migrate !== undefined ? { migrate: options.migrate } : {});
  const fake = options.fakeUrl ? undefined : await startFakeProvider({ port: 0 });
  const llm = new ProviderRouter(new ProviderRegistry({ providers: [], fake: { baseUrl: options.fakeUrl ?? fake!.url } }, {}));
  const runtime = createToolPortFactory({ ...(options.customTools ? { customTools: options.customTools } : {}) });
  const tools: ToolPortFactory = (context) => runtime.factory(context);
  const built = options.host
    ? await options.host({ storage, llm, tools })
    : await (async () => {
        const host = await EmbeddedHost.start({
          stores: { sessions: (u) => storage.sessions(u), blobs: (u) => storage.blobs(u), workspaces: (u) => storage.workspaces(u), activeSessions: () => storage.activeSessions() },
          llm,
          tools,
          retry: FAST_RETRY,
        });
        return { host, close: () => host.close() };
      })();
  const host = built.host;
  const { handlers, taskSessions } = createMethodHandlers(host, {
    defaultModel: FAKE_MODEL,
    profiles: (universe) => storage.profiles(universe),
    dispatch: { tasks: (universe) => storage.tasks(universe), controls: (universe) => storage.dispatch(universe) },
  });
  const dispatchers: Dispatcher[] = [];
  const call = async (method: string, params: unknown) => {
    const handler = (handlers as Record<string, (p: unknown, c: unknown) => Promise<{ result: unknown }>>)[method];
    if (!handler) throw new Error(`no handler ${method}`);
    return (await handler(params, { universe: UNIVERSE, signal: new AbortController().signal, actor: 'test' })).result;
  };
  return {
    storage,
    host,
    ...(fake ? { fake } : {}),
    handlers,
    call: call as DispatchStack['call'],
    async putAgent(profileId, body) {
      await call('profiles/put', { profile: { profileId, ...body } });
    },
    async workspace(id) {
      await new Workspaces(host.workspaces(UNIVERSE), host.blobs(UNIVERSE)).create(id);
    },
    async readFile(workspaceId, path) {
      const ws = new Workspaces(host.workspaces(UNIVERSE), host.blobs(UNIVERSE));
      try {
        return new TextDecoder().decode(await readFile(ws.nodes, (await ws.head(workspaceId)).headRef, path));
      } catch {
        return undefined;
      }
    },
    dispatcher(overrides = {}) {
      const dispatcher = new Dispatcher({
        host,
        tasks: (universe) => storage.tasks(universe),
        controls: (universe) => storage.dispatch(universe),
        signal: storage.taskSignal,
        sessions: taskSessions,
        universes: [UNIVERSE],
        leaseMs: 3_000,
        pollMs: 200,
        heartbeatMs: 200,
        idle: () => storage.vacuumTasks(),
        idleEveryMs: 1_000,
        onError: (error, where) => console.error(`dispatcher: ${where}:`, error),
        ...overrides,
      });
      dispatchers.push(dispatcher);
      dispatcher.start();
      return dispatcher;
    },
    async close() {
      for (const dispatcher of dispatchers) await dispatcher.stop();
      await built.close();
      await runtime.close();
      await fake?.stop();
      await storage.close();
    },
  };
}

/** Polls the task until it is finished (succeeded, failed, blocked or cancelled). */
export async function settled(stack: Pick<DispatchStack, 'storage'>, taskId: string, timeoutMs = 20_000): Promise<Task> {
  const queue = stack.storage.tasks(UNIVERSE);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const task = (await queue.get(taskId))!;
    if (['succeeded', 'failed', 'blocked', 'cancelled'].includes(task.state)) return task;
    if (Date.now() > deadline) throw new Error(`task ${taskId} is still ${task.state}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
