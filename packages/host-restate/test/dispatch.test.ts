// Task dispatch with runs on a real Restate server (issue 14): the real Dispatcher from
// @lightspeed/ops over SQL storage (PGlite, and a real PostgreSQL server), the Restate host (endpoint registered with a
// restate-server this test starts), sessions opened from stored agent profiles through the API's
// handlers, and the real fake provider and tool runtime. Tasks whose runs complete (one through a
// tool that writes its required artifact), one whose run fails, one blocked for a missing required
// artifact; every outcome is read back from the task queue: states, attempts, runs.
import '../src/polyfills.js';
import { createMethodHandlers } from '@lightspeed/api';
import { findRun } from '@lightspeed/engine';
import { startFakeProvider, type FakeProvider } from '@lightspeed/fake-provider';
import { ProviderRegistry, ProviderRouter } from '@lightspeed/llm';
import { Dispatcher } from '@lightspeed/ops';
import { taskAttemptSubmissionId, type Task } from '@lightspeed/ports';
import { openStorage, type Storage, type StorageBackend } from '@lightspeed/store-sql';
import { startPostgres, startRestate, type PostgresServer, type RestateServer } from '@lightspeed/testkit';
import { createToolPortFactory } from '@lightspeed/tools';
import { readFile, Workspaces } from '@lightspeed/vfs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRestateHost, type RestateAgentHost } from '../src/index.js';

const UNIVERSE = 'u-restate-dispatch';
const model = { providerId: 'fake', apiKind: 'openai:responses' as const, model: 'fake-echo' };
const workspaceLink = { path: '/workspace', target: { type: 'workspace', workspaceId: 'ws' }, access: 'readWrite' };
const withFiles = { vfs: { version: 1, tools: 'edit', workspaceLinks: [workspaceLink] } };
// The fake model's echo mode calls the tool named by `use <tool> {json}`: a patch adding the report.
const WRITE_REPORT = 'use apply_patch {"input":"*** Begin Patch\\n*** Add File: /workspace/report.md\\n+{{payload.body}}\\n*** End Patch"}';
const script = (value: unknown) => `[[fake-script ${JSON.stringify(value)}]]`;

let postgres: PostgresServer | undefined;
const backends = [
  ['PGlite', async (): Promise<StorageBackend> => ({ kind: 'pglite', dataDir: 'memory://' })],
  [
    'PostgreSQL',
    async (): Promise<StorageBackend> => {
      postgres = await startPostgres();
      return { kind: 'postgres', url: postgres.url };
    },
  ],
] as const;

describe.each(backends)('dispatch on a real Restate server (%s store)', (_name, backend) => {
  let server: RestateServer;
  let fake: FakeProvider;
  let storage: Storage;
  let host: RestateAgentHost;
  let closeTools: () => Promise<void>;
  let dispatcher: Dispatcher;

  beforeAll(async () => {
    const storageBackend = await backend();
    [server, fake, storage] = await Promise.all([startRestate(), startFakeProvider({ port: 0 }), openStorage(storageBackend, { migrate: true })]);
    const llm = new ProviderRouter(new ProviderRegistry({ providers: [], fake: { baseUrl: fake.url } }, {}));
    const runtime = createToolPortFactory();
    closeTools = () => runtime.close();
    ({ host } = await startRestateHost({ stores: storage, llm, tools: runtime.factory, adminUrl: server.adminUrl, ingressUrl: server.ingressUrl }));
    const { handlers, taskSessions } = createMethodHandlers(host, { defaultModel: model, profiles: (universe) => storage.profiles(universe) });
    const putProfile = handlers['profiles/put']!;
    const put = (profile: { profileId: string; [field: string]: unknown }) => putProfile({ profile }, { universe: UNIVERSE, signal: new AbortController().signal, actor: 'test' });
    await put({ profileId: 'echo', config: { model }, task: { template: 'answer: {{payload.question}}' } });
    await put({ profileId: 'writer', config: { model, features: withFiles }, task: { template: WRITE_REPORT, requiredArtifacts: ['/workspace/report.md'] } });
    await put({ profileId: 'lazy', config: { model, features: withFiles }, task: { template: 'just answer', requiredArtifacts: ['/workspace/never.md'] } });
    await new Workspaces(host.workspaces(UNIVERSE), host.blobs(UNIVERSE)).create('ws');
    dispatcher = new Dispatcher({
      host,
      tasks: (universe) => storage.tasks(universe),
      controls: (universe) => storage.dispatch(universe),
      signal: storage.taskSignal,
      sessions: taskSessions,
      universes: [UNIVERSE],
      leaseMs: 5_000,
      pollMs: 500,
      onError: (error, where) => console.error(`dispatcher: ${where}:`, error),
    });
    dispatcher.start();
  }, 90_000);

  afterAll(async () => {
    await dispatcher?.stop();
    await host?.close();
    await closeTools?.();
    await storage?.close();
    await server?.stop();
    await fake?.stop();
    await postgres?.stop();
    postgres = undefined;
  });

  async function settled(taskId: string, timeoutMs = 45_000): Promise<Task> {
    const queue = storage.tasks(UNIVERSE);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const task = (await queue.get(taskId))!;
      if (['succeeded', 'failed', 'blocked', 'cancelled'].includes(task.state)) return task;
      if (Date.now() > deadline) throw new Error(`task ${taskId} is still ${task.state}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('runs tasks to completion, fails one whose run fails and blocks one without its required artifact', async () => {
    const queue = storage.tasks(UNIVERSE);
    const questions = ['one', 'two', 'three'];
    const answered = await Promise.all(questions.map((question) => queue.enqueue({ kind: 'q', agent: 'echo', payload: { question } })));
    const writer = await queue.enqueue({ kind: 'doc.write', agent: 'writer', payload: { body: 'written on restate' } });
    // A provider auth error is not transient: one attempt, then failed.
    const failing = await queue.enqueue({ kind: 'q', agent: 'echo', maxAttempts: 3, payload: { question: script({ fault: { kind: 'auth' } }) } });
    const lazy = await queue.enqueue({ kind: 'doc.write', agent: 'lazy' });

    for (const { task } of [...answered, writer]) {
      const done = await settled(task.id);
      expect(done).toMatchObject({ state: 'succeeded', attempts: 1 });
      const [attempt] = await queue.attempts(task.id);
      expect(attempt).toMatchObject({ outcome: 'succeeded', claims: 1, dispatcher: dispatcher.id, model: { providerId: 'fake' } });
      // The run lives in the Restate host's session, submitted with the attempt's idempotent id.
      const state = (await host.state({ universe: UNIVERSE, sessionId: attempt!.sessionId! }))!;
      const run = findRun(state, attempt!.runId!)!;
      expect(run).toMatchObject({ status: 'completed', submissionId: taskAttemptSubmissionId(task.id, 1) });
      expect(state.counters.run).toBe(1);
    }
    const [written] = await queue.attempts(writer.task.id);
    expect(written!.evidence).toContain('/workspace/report.md');
    const ws = new Workspaces(host.workspaces(UNIVERSE), host.blobs(UNIVERSE));
    expect(new TextDecoder().decode(await readFile(ws.nodes, (await ws.head('ws')).headRef, '/report.md'))).toBe('written on restate\n');

    const failed = await settled(failing.task.id);
    expect(failed).toMatchObject({ state: 'failed', attempts: 1, lastError: { class: 'auth' } });
    const [failedAttempt] = await queue.attempts(failing.task.id);
    expect(failedAttempt).toMatchObject({ outcome: 'failed', errorClass: 'auth' });
    const failedState = (await host.state({ universe: UNIVERSE, sessionId: failedAttempt!.sessionId! }))!;
    expect(findRun(failedState, failedAttempt!.runId!)!.status).toBe('failed');

    const blocked = await settled(lazy.task.id);
    expect(blocked).toMatchObject({ state: 'blocked', lastError: { class: 'missing_artifacts' } });
    expect(blocked.lastError!.message).toContain('/workspace/never.md');
    const [blockedAttempt] = await queue.attempts(lazy.task.id);
    const blockedState = (await host.state({ universe: UNIVERSE, sessionId: blockedAttempt!.sessionId! }))!;
    // The run itself completed: it is the evidence check that blocks the task.
    expect(findRun(blockedState, blockedAttempt!.runId!)!.status).toBe('completed');

    const counts = await queue.counts();
    expect(counts.byState).toMatchObject({ succeeded: 4, failed: 1, blocked: 1, queued: 0, running: 0 });
  }, 120_000);
});
