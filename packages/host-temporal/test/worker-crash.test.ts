// The worker is SIGKILLed twice mid-run — during a generation and during a tool batch — and a new
// worker process is started each time. The run completes and no finished tool call runs again.
// Worker processes, a real Temporal dev server, a real PostgreSQL store, the fake provider. Also:
// token deltas from a worker process reach the gateway's subscribers through LISTEN/NOTIFY.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { putText } from '@lightspeed/cas';
import { liveKey } from '@lightspeed/driver';
import { findRun, isTerminalRun } from '@lightspeed/engine';
import { startFakeProvider, type FakeProvider } from '@lightspeed/fake-provider';
import { killMidRunScenario, killWhileWaitingScenario } from '@lightspeed/testkit/host-suites';
import { PostgresLiveChannel, type Storage } from '@lightspeed/store-sql';
import { killProcess, startScriptProcess, startTemporal, waitUntil, type TemporalServer } from '@lightspeed/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TemporalAgentHost } from '../src/index.js';
import { freshPostgresStorage, stopSharedPostgres, workflowBundle } from './support/temporal-env.js';

const workerScript = fileURLToPath(new URL('./support/worker-process.ts', import.meta.url));
const ref = { universe: 'u-crash', sessionId: 'crashy' };
const taskQueue = 'crash-sessions';

let server: TemporalServer;
let fake: FakeProvider;
let storage: Storage;
let url: string;
let dir: string;
let connection: Connection;
let host: TemporalAgentHost;
let live: PostgresLiveChannel;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lightspeed-crash-'));
  const bundle = await workflowBundle();
  await writeFile(join(dir, 'workflow-bundle.js'), bundle.code);
  [server, fake, { storage, url }] = await Promise.all([startTemporal(), startFakeProvider({ port: 0 }), freshPostgresStorage()]);
  connection = await Connection.connect({ address: server.address });
  live = await PostgresLiveChannel.connect({ url });
  host = new TemporalAgentHost({ client: new Client({ connection, namespace: server.namespace }), taskQueue, stores: storage, live, heads: live.headSignal });
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await host?.close();
  await live?.close();
  await connection?.close();
  await server?.stop();
  await fake?.stop();
  await storage?.close();
  await stopSharedPostgres();
  await rm(dir, { recursive: true, force: true });
});

/** Starts a worker process and resolves once it polls. */
async function startWorker(extra: Record<string, string> = {}): Promise<ChildProcess> {
  const child = await startScriptProcess(workerScript, {
    ...extra,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: server.namespace,
    LIGHTSPEED_TASK_QUEUE: taskQueue,
    LIGHTSPEED_POSTGRES_URL: url,
    FAKE_PROVIDER_URL: fake.url,
    TOOL_JOURNAL: join(dir, 'journal.txt'),
    STEP_DELAY_MS: '800',
    WORKFLOW_BUNDLE: join(dir, 'workflow-bundle.js'),
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}


describe('a Temporal worker killed mid-run', () => {
  it('completes the run on a new worker without re-running finished tool calls', async () => {
    let worker = await startWorker();
    await killMidRunScenario({
      host,
      ref,
      blobs: storage.blobs(ref.universe),
      fake,
      journal: join(dir, 'journal.txt'),
      restart: async () => {
        await killProcess(worker);
        worker = await startWorker();
      },
    });
    await killProcess(worker);
  }, 120_000);
});

describe('a Temporal worker killed while the run waits', () => {
  it('keeps the question open across the kill, takes the answer, and fires a sleep timer on the new worker', async () => {
    let worker = await startWorker({ REAL_TOOLS: '1' });
    await killWhileWaitingScenario({
      host,
      ref: { universe: 'u-crash', sessionId: 'waity' },
      blobs: storage.blobs('u-crash'),
      fake,
      restart: async () => {
        await killProcess(worker);
        worker = await startWorker({ REAL_TOOLS: '1' });
      },
    });
    await killProcess(worker);
  }, 120_000);
});

describe('a worker in another process than the gateway', () => {
  it('streams token deltas to the gateway through PostgreSQL LISTEN/NOTIFY', async () => {
    const worker = await startWorker();
    const streamRef = { universe: 'u-crash', sessionId: 'streamy' };
    const open = await host.submit(streamRef, { type: 'session.open', sessionId: streamRef.sessionId, config: { model: { providerId: 'fake', apiKind: 'openai:responses', model: 'fake-model' } } });
    expect(open.ok).toBe(true);
    const answer = 'streamed across processes, one small chunk at a time';
    // Scripts an earlier scenario of this file left unconsumed (had it failed) must not answer here.
    fake.reset();
    fake.enqueue({ text: answer, chunkLatencyMs: 10, chunkChars: 3 });
    const deltas: string[] = [];
    const unsubscribe = host.live.subscribe(liveKey(streamRef), (m) => {
      if (m.delta.type === 'text') deltas.push(m.delta.text);
    });
    const started = await host.submit(streamRef, { type: 'run.start', source: { type: 'input', items: [{ type: 'text', ref: await putText(storage.blobs(streamRef.universe), 'stream'), preview: 'stream' }] } });
    if (!started.ok) throw new Error(started.rejection.message);
    await waitUntil('the run to end', async () => {
      const run = findRun((await host.state(streamRef))!, started.result!.runId!);
      return run !== undefined && isTerminalRun(run.status);
    });
    await waitUntil('every delta', () => deltas.join('') === answer, 5_000);
    unsubscribe();
    expect(deltas.length).toBeGreaterThan(5);
    await killProcess(worker);
  }, 60_000);
});
