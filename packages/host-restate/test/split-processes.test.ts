// Restate across processes on a shared PostgreSQL: an endpoint process (`serve --engine restate`)
// and a gateway without an endpoint (`gateway --engine restate`) serve the same sessions; token
// deltas, head wake-ups and effect aborts travel over LISTEN/NOTIFY.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PostgresLiveChannel } from '@lightspeed/store-sql';
import { freePort, runScript, startPostgres, startRestate, type PostgresServer, type RestateServer } from '@lightspeed/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EffectRegistry } from '../src/effect-registry.js';

const entry = fileURLToPath(new URL('./support/cli-entry.ts', import.meta.url));

let restate: RestateServer;
let postgres: PostgresServer;
let home: string;

beforeAll(async () => {
  [restate, postgres] = await Promise.all([startRestate(), startPostgres()]);
  home = await mkdtemp(join(tmpdir(), 'ls-restate-split-'));
}, 60_000);

afterAll(async () => {
  await restate?.stop();
  await postgres?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    LIGHTSPEED_HOME: join(home, '.lightspeed'),
    LIGHTSPEED_POSTGRES_URL: postgres.url,
    RESTATE_ADMIN_URL: restate.adminUrl,
    RESTATE_INGRESS_URL: restate.ingressUrl,
    RESTATE_LOGGING: 'ERROR',
    ...extra,
  };
}

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runScript(entry, args, env());
}

/** A long-running CLI process, ready once it prints its URL. */
async function server(args: string[], extra: NodeJS.ProcessEnv): Promise<{ url: string; stop: () => Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, ['--conditions=lightspeed-src', '--import', 'tsx', entry, ...args], { env: env(extra), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /serving on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    void exited.then(() => reject(new Error(`${args.join(' ')} exited: ${err}`)));
  });
  return {
    url,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('restate across processes (shared PostgreSQL)', () => {
  it('a gateway without an endpoint streams deltas of runs the endpoint process executes, and cancels them', async () => {
    const migrated = await cli(['migrate']);
    expect(migrated.code, migrated.stderr).toBe(0);
    const endpoint = await server(['serve', '--engine', 'restate', '--provider', 'fake', '--port', '0'], { LIGHTSPEED_RESTATE_ENDPOINT_PORT: String(await freePort()) });
    const gateway = await server(['gateway', '--engine', 'restate', '--provider', 'fake', '--port', '0'], {});
    try {
      // A paced reply (about a second of streaming), so deltas are observable while the turn runs.
      const script = JSON.stringify({ text: 'hello through the restate gateway, in small pieces', chunkChars: 4, chunkLatencyMs: 80 });
      const chat = await cli(['chat', '--api-url', gateway.url, '--new', '--json', `[[fake-script ${script}]]`]);
      expect(chat.code, chat.stderr).toBe(0);
      const lines = chat.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; text?: string });
      const deltas = lines.filter((line) => line.type === 'delta');
      expect(deltas.length).toBeGreaterThan(1);
      // Deltas are best-effort (NOTIFY, apart from the durable log): what arrived is the answer's
      // beginning; the result carries all of it.
      const result = lines.at(-1)!;
      expect(result).toMatchObject({ type: 'result' });
      expect(JSON.stringify(result)).toContain('hello through the restate gateway');
      expect(JSON.stringify(result)).toContain(JSON.stringify(deltas.map((d) => d.text ?? '').join('')).slice(1, -1));

      // A cancel admitted through the gateway stops a generation streaming in the endpoint process.
      const rpc = async (method: string, params: unknown) =>
        ((await (await fetch(`${gateway.url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })).json()) as { result: { result: any } }).result.result;
      const sessionId = (await rpc('session/start', {})).session.id as string;
      const slow = '[[fake-script {"text":"slow reply","firstTokenDelayMs":20000}]]';
      const runId = (await rpc('session/runs/start', { sessionId, source: { type: 'input', items: [{ type: 'text', text: slow }] } })).run.id as string;
      const cancel = await cli(['runs', 'cancel', sessionId, runId, '--api-url', gateway.url]);
      expect(cancel.code, cancel.stderr).toBe(0);
      let status: string | undefined;
      for (const deadline = Date.now() + 15_000; Date.now() < deadline && status !== 'cancelled'; await new Promise((resolve) => setTimeout(resolve, 50))) {
        status = (await rpc('session/read', { sessionId })).session.runs.find((r: { id: string }) => r.id === runId)?.status;
      }
      expect(status).toBe('cancelled');
    } finally {
      await gateway.stop();
      await endpoint.stop();
    }
  }, 120_000);

  it('an abort admitted in one endpoint process stops the effect running in another', async () => {
    const [here, there] = await Promise.all([PostgresLiveChannel.connect({ url: postgres.url }), PostgresLiveChannel.connect({ url: postgres.url })]);
    const admitting = new EffectRegistry(here.effectAborts);
    const running = new EffectRegistry(there.effectAborts);
    try {
      const ref = { universe: 'u', sessionId: 's' };
      const generation = running.register(ref, 'generate:turn_1:1');
      const tool = running.register(ref, 'tool:call_1');
      const otherSession = running.register({ universe: 'u', sessionId: 'other' }, 'generate:turn_1:1');
      admitting.abort(ref, ['generate:turn_1:1']);
      await expect.poll(() => generation.signal.aborted, { timeout: 5_000, interval: 10 }).toBe(true);
      expect(tool.signal.aborted).toBe(false);
      expect(otherSession.signal.aborted).toBe(false);
    } finally {
      admitting.shutdown();
      running.shutdown();
      await Promise.all([here.close(), there.close()]);
    }
  }, 30_000);
});
