// The endpoint process is SIGKILLed twice mid-run — during a generation and during a tool batch —
// and started again on the same port each time. The run completes and no finished tool call runs
// again. A real restate-server, a real PostgreSQL store shared by both processes, the fake provider.
import '../src/polyfills.js';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeProvider, type FakeProvider } from '@lightspeed/fake-provider';
import { killMidRunScenario, killWhileWaitingScenario } from '@lightspeed/testkit/host-suites';
import { openStorage, type Storage } from '@lightspeed/store-sql';
import { freePort, killProcess, startPostgres, startRestate, startScriptProcess, type PostgresServer, type RestateServer } from '@lightspeed/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { RestateAgentHost } from '../src/index.js';

const endpointScript = fileURLToPath(new URL('./support/endpoint-process.ts', import.meta.url));
const ref = { universe: 'u-crash', sessionId: 'crashy' };

let restate: RestateServer;
let postgres: PostgresServer;
let fake: FakeProvider;
let storage: Storage;
let host: RestateAgentHost;
let dir: string;
let port: number;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lightspeed-restate-crash-'));
  [restate, postgres, fake, port] = await Promise.all([startRestate(), startPostgres(), startFakeProvider({ port: 0 }), freePort()]);
  storage = await openStorage({ kind: 'postgres', url: postgres.url }, { migrate: true });
  // The gateway's half, in this process: it never runs effects, so it needs no tools or provider.
  host = new RestateAgentHost({ ingressUrl: restate.ingressUrl, stores: storage, llm: { listModels: async () => [], validateParams: () => undefined }, pollMs: 25 });
}, 120_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await host?.close();
  await storage?.close();
  await restate?.stop();
  await postgres?.stop();
  await fake?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function startEndpoint(extra: Record<string, string> = {}): Promise<ChildProcess> {
  const child = await startScriptProcess(endpointScript, {
    ...extra,
    RESTATE_ADMIN_URL: restate.adminUrl,
    LIGHTSPEED_POSTGRES_URL: postgres.url,
    ENDPOINT_PORT: String(port),
    FAKE_PROVIDER_URL: fake.url,
    TOOL_JOURNAL: join(dir, 'journal.txt'),
    STEP_DELAY_MS: '800',
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}


describe('a Restate endpoint process killed mid-run', () => {
  it('completes the run on a restarted endpoint without re-running finished tool calls', async () => {
    let endpoint = await startEndpoint();
    await killMidRunScenario({
      host,
      ref,
      blobs: storage.blobs(ref.universe),
      fake,
      journal: join(dir, 'journal.txt'),
      restart: async () => {
        await killProcess(endpoint);
        endpoint = await startEndpoint();
      },
    });
    await killProcess(endpoint);
  }, 120_000);
});

describe('a Restate endpoint killed while the run waits', () => {
  it('keeps the question open across the kill, takes the answer, and fires a sleep timer on the restarted endpoint', async () => {
    let endpoint = await startEndpoint({ REAL_TOOLS: '1' });
    await killWhileWaitingScenario({
      host,
      ref: { universe: 'u-crash', sessionId: 'waity' },
      blobs: storage.blobs('u-crash'),
      fake,
      restart: async () => {
        await killProcess(endpoint);
        endpoint = await startEndpoint({ REAL_TOOLS: '1' });
      },
    });
    await killProcess(endpoint);
  }, 120_000);
});
