// The endpoint process is SIGKILLed twice mid-run — during a generation and during a tool batch —
// and started again on the same port each time. The run completes and no finished tool call runs
// again. A real restate-server, a real PostgreSQL store shared by both processes, the fake provider.
import '../src/polyfills.js';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { putText } from '@lightspeed/cas';
import { findRun, isTerminalRun } from '@lightspeed/engine';
import { startFakeProvider, type FakeProvider } from '@lightspeed/fake-provider';
import { openStorage, type Storage } from '@lightspeed/store-sql';
import { freePort, journalLines, killProcess, startPostgres, startRestate, startScriptProcess, waitUntil, type PostgresServer, type RestateServer } from '@lightspeed/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  host = new RestateAgentHost({ ingressUrl: restate.ingressUrl, stores: storage, llm: { listModels: async () => [] }, pollMs: 25 });
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

async function startEndpoint(): Promise<ChildProcess> {
  const child = await startScriptProcess(endpointScript, {
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
    const open = await host.submit(ref, { type: 'session.open', sessionId: ref.sessionId, config: { model: { providerId: 'fake', apiKind: 'openai:responses', model: 'fake-model' } } });
    expect(open.ok).toBe(true);
    fake.enqueue(
      { text: 'this answer never arrives', firstTokenDelayMs: 5_000 },
      { toolCalls: [{ name: 'step' }, { name: 'step' }, { name: 'step' }] },
      { text: 'all steps done' },
    );
    const text = 'take three steps';
    const started = await host.submit(ref, { type: 'run.start', source: { type: 'input', items: [{ type: 'text', ref: await putText(storage.blobs(ref.universe), text), preview: text }] } });
    if (!started.ok) throw new Error(started.rejection.message);
    const runId = started.result!.runId!;

    // Kill 1: the provider has the request, the generation is streaming.
    await waitUntil('the first generation request', () => fake.requests.length >= 1);
    await killProcess(endpoint);
    endpoint = await startEndpoint();

    // Kill 2: one step finished, the next one is running.
    await waitUntil('a finished step and a running one', async () => {
      const lines = await journalLines(join(dir, 'journal.txt'));
      return lines.filter((l) => l.startsWith('end ')).length === 1 && lines.filter((l) => l.startsWith('start ')).length === 2;
    });
    await killProcess(endpoint);
    endpoint = await startEndpoint();

    await waitUntil(
      'the run to end',
      async () => {
        const state = await host.state(ref);
        const run = state && findRun(state, runId);
        return run !== undefined && isTerminalRun(run.status);
      },
      60_000,
    );
    const run = findRun((await host.state(ref))!, runId)!;
    expect(run.status).toBe('completed');
    expect(run.batches[0]!.calls.map((c) => c.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    // The killed generation was retried: 3 scripted requests, no more.
    expect(fake.requests.length).toBe(3);

    const lines = await journalLines(join(dir, 'journal.txt'));
    const callIds = run.batches[0]!.calls.map((c) => c.callId);
    for (const callId of callIds) {
      const endAt = lines.indexOf(`end ${callId}`);
      expect(endAt, `${callId} finished`).toBeGreaterThanOrEqual(0);
      expect(lines.filter((l) => l === `end ${callId}`), `${callId} finished once`).toHaveLength(1);
      expect(lines.slice(endAt + 1), `${callId} never started again after it finished`).not.toContain(`start ${callId}`);
    }
    // The step in flight at the second kill ran twice; the others once.
    expect(callIds.map((id) => lines.filter((l) => l === `start ${id}`).length)).toEqual([1, 2, 1]);
    await killProcess(endpoint);
  }, 120_000);
});
