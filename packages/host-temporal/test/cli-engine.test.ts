// `lightspeed --engine temporal`, `lightspeed worker` and `lightspeed gateway`: the real CLI in its
// own processes against a real Temporal dev server — in one process over PGlite, and split into a
// worker and a gateway over PostgreSQL with token deltas crossing through LISTEN/NOTIFY.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScript, startTemporal, type TemporalServer } from '@lightspeed/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedPostgres, stopSharedPostgres } from './support/temporal-env.js';

const entry = fileURLToPath(new URL('./support/cli-entry.ts', import.meta.url));

let temporal: TemporalServer;
let home: string;

beforeAll(async () => {
  temporal = await startTemporal();
  home = await mkdtemp(join(tmpdir(), 'ls-temporal-cli-'));
}, 60_000);

afterAll(async () => {
  await temporal?.stop();
  await stopSharedPostgres();
  if (home) await rm(home, { recursive: true, force: true });
});

function baseEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: home, LIGHTSPEED_HOME: join(home, '.lightspeed'), TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: temporal.namespace, ...extra };
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runScript(entry, args, baseEnv(env));
}

/** Starts a long-running CLI command and resolves once its stdout matches `ready`. */
async function daemon(args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--conditions=lightspeed-src', '--import', 'tsx', entry, ...args], { env: baseEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const found = ready.exec(out);
      if (found) resolve(found);
    });
    void exited.then((code) => reject(new Error(`${args[0]} exited ${code}: ${err}`)));
  });
  return {
    child,
    match,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('lightspeed --engine temporal', () => {
  it('runs a one-shot chat with a tool call, then continues the same session from another process', async () => {
    const project = join(home, 'project');
    await mkdir(project, { recursive: true });
    await writeFile(join(project, 'README.md'), '# demo\n');
    const dataDir = join(home, 'data');
    const env = { LIGHTSPEED_TASK_QUEUE: 'cli-one-process' };
    const first = await cli(['chat', '--engine', 'temporal', '--provider', 'fake', '--data-dir', dataDir, '--new', '--mount', project, 'list files'], env);
    expect(first.stderr).not.toContain('lightspeed:');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('> tool list_dir(');
    expect(first.stdout).toContain('< tool list_dir: ok');
    expect(first.stdout).toMatch(/README\.md \(7 bytes\)/);
    const sessionId = /session (ses_\S+)/.exec(first.stderr)![1]!;

    // A new process, a new worker: the session's workflow carries on where it was.
    const second = await cli(['chat', '--engine', 'temporal', '--provider', 'fake', '--data-dir', dataDir, '--session', sessionId, '--json', 'hello again'], env);
    expect(second.code, second.stderr).toBe(0);
    const lines = second.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string });
    expect(lines.some((line) => line.type === 'delta')).toBe(true);
    expect(lines.at(-1)).toMatchObject({ type: 'result' });
  }, 120_000);

  it('`lightspeed worker` and `lightspeed gateway` run apart on PostgreSQL; deltas reach the gateway', async () => {
    const pg = await sharedPostgres();
    const env = { LIGHTSPEED_POSTGRES_URL: pg.url, LIGHTSPEED_TASK_QUEUE: 'cli-split' };
    const migrated = await cli(['migrate'], env);
    expect(migrated.code, migrated.stderr).toBe(0);
    const worker = await daemon(['worker', '--provider', 'fake'], env, /lightspeed worker polling cli-split/);
    const gateway = await daemon(['gateway', '--provider', 'fake', '--port', '0'], env, /serving on (http:\/\/\S+)/);
    try {
      // A paced reply (about a second of streaming), so deltas are observable while the turn runs.
      const script = JSON.stringify({ text: 'hello from the gateway, streamed in small pieces', chunkChars: 4, chunkLatencyMs: 80 });
      const chat = await cli(['chat', '--api-url', gateway.match[1]!, '--new', '--json', `[[fake-script ${script}]]`], env);
      expect(chat.code, chat.stderr).toBe(0);
      const lines = chat.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; text?: string });
      const deltas = lines.filter((line) => line.type === 'delta');
      expect(deltas.length).toBeGreaterThan(1);
      // Deltas are best-effort and travel apart from the durable log (NOTIFY vs the event that ends
      // the run), so the trailing ones may land after the client has finished: what reached the
      // gateway is checked to be the answer's beginning, and the result carries the whole answer.
      const result = lines.at(-1) as { type: string };
      expect(result).toMatchObject({ type: 'result' });
      expect(JSON.stringify(result)).toContain('hello from the gateway');
      const streamed = deltas.map((d) => d.text ?? '').join('');
      expect(streamed.length).toBeGreaterThan(0);
      expect(JSON.stringify(result)).toContain(JSON.stringify(streamed).slice(1, -1));
    } finally {
      await gateway.stop();
      await worker.stop();
    }
  }, 120_000);

  it('refuses in-memory storage with a hint', async () => {
    const run = await cli(['chat', '--engine', 'temporal', '--provider', 'fake', '--data-dir', ':memory:', '--new', 'hi']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the temporal engine needs durable storage');
  }, 60_000);
});
