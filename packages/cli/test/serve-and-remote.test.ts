import { mkdir, readFile, writeFile, readdir } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, eventually, runCli, spawnCli, startServe, tempDir, type CliRun } from './support/cli-harness.js';

async function rpc(url: string, method: string, params: unknown, key?: string): Promise<any> {
  const response = await fetch(`${url}/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return response.json();
}

describe('lightspeed serve, and the CLI against it with --api-url', () => {
  let home: { path: string; remove(): Promise<void> };
  let env: NodeJS.ProcessEnv;
  let dataDir: string;
  let server: { url: string; stop(): Promise<CliRun> };

  beforeAll(async () => {
    home = await tempDir('ls-cli-serve-');
    env = cleanEnv(home.path);
    dataDir = join(home.path, 'data');
    server = await startServe(['--provider', 'fake', '--data-dir', dataDir], env);
  }, 90_000);
  afterAll(async () => {
    const stopped = await server?.stop();
    expect(stopped?.code).toBe(0);
    await home.remove();
  });

  it('answers GET /health once ready and serves JSON-RPC with the chosen default model', async () => {
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const started = await rpc(server.url, 'session/start', {});
    expect(started.result.result.session.config.model).toEqual({ providerId: 'fake', apiKind: 'openai:responses', model: 'fake-model' });
  });

  it('owns its data dir: an embedded command in another process says to use --api-url', async () => {
    // The lock is per process, so the second owner must be a real second process.
    const run = await spawnCli(['sessions', 'list', '--data-dir', dataDir], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^lightspeed: data directory .* is in use by process/);
    expect(run.stderr).toContain('--api-url');
  });

  it('one-shot chat over --api-url streams the run of a remote session', async () => {
    const run = await runCli(['chat', '--api-url', server.url, '--new', 'hello over the wire'], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('[fake model: scripted echo, not a real LLM] You said: hello over the wire');
    const sessionId = /session (ses_\S+)/.exec(run.stderr)![1]!;
    expect(run.stderr).toContain(`continue with: lightspeed chat --api-url ${server.url} --session ${sessionId}`);
    const list = await runCli(['sessions', 'list', '--api-url', server.url], { env });
    expect(list.stdout).toContain(sessionId);
  }, 30_000);

  it('blobs put and read round-trip bytes', async () => {
    const file = join(home.path, 'payload.bin');
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
    await writeFile(file, bytes);
    const put = await runCli(['blobs', 'put', file, '--api-url', server.url], { env });
    expect(put.code).toBe(0);
    const ref = put.stdout.trim();
    expect(ref).toMatch(/^sha256:[0-9a-f]{64}$/);
    const out = join(home.path, 'payload.out');
    const read = await runCli(['blobs', 'read', ref, '-o', out, '--api-url', server.url], { env });
    expect(read.code).toBe(0);
    expect(Buffer.compare(await readFile(out), bytes)).toBe(0);
    const missing = await runCli(['blobs', 'read', `sha256:${'0'.repeat(64)}`, '--api-url', server.url], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('does not exist');
  });

  it('vfs snapshot → workspace → materialize reproduces the directory', async () => {
    const source = join(home.path, 'tree');
    await mkdir(join(source, 'docs', 'deep'), { recursive: true });
    await writeFile(join(source, 'a.txt'), 'alpha\n');
    await writeFile(join(source, 'docs', 'deep', 'b.md'), '# beta\n');
    await writeFile(join(source, 'run.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
    const snap = await runCli(['vfs', 'snapshot', source, '--api-url', server.url, '--json'], { env });
    expect(snap.code).toBe(0);
    const snapshot = JSON.parse(snap.stdout);
    expect(snapshot).toMatchObject({ files: 3, uploaded: 3 });
    // A second snapshot of the same tree uploads nothing and has the same ref.
    const again = JSON.parse((await runCli(['vfs', 'snapshot', source, '--api-url', server.url, '--json'], { env })).stdout);
    expect(again).toMatchObject({ snapshotRef: snapshot.snapshotRef, uploaded: 0 });

    const created = await runCli(['vfs', 'workspace', 'create', '--id', 'ws-demo', '--from-snapshot', snapshot.snapshotRef, '--api-url', server.url], { env });
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^ws-demo\trev \d+\t3 files/);
    expect((await runCli(['vfs', 'workspace', 'list', '--api-url', server.url], { env })).stdout).toContain('ws-demo');
    expect((await runCli(['vfs', 'workspace', 'read', 'ws-demo', '--api-url', server.url], { env })).stdout).toContain(snapshot.snapshotRef);

    const dest = join(home.path, 'restored');
    const materialized = await runCli(['vfs', 'materialize', 'ws-demo', dest, '--api-url', server.url], { env });
    expect(materialized.code).toBe(0);
    expect(await readFile(join(dest, 'a.txt'), 'utf8')).toBe('alpha\n');
    expect(await readFile(join(dest, 'docs', 'deep', 'b.md'), 'utf8')).toBe('# beta\n');
    expect((await readdir(dest)).sort()).toEqual(['a.txt', 'docs', 'run.sh']);

    const deleted = await runCli(['vfs', 'workspace', 'delete', 'ws-demo', '--api-url', server.url], { env });
    expect(deleted.stdout).toMatch(/^deleted ws-demo/);
    const gone = await runCli(['vfs', 'workspace', 'read', 'ws-demo', '--api-url', server.url], { env });
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('workspace ws-demo does not exist');
  }, 30_000);

  it('runs cancel cancels a running run', async () => {
    const started = await rpc(server.url, 'session/start', {});
    const sessionId = started.result.result.session.id;
    // A slow scripted reply keeps the run busy long enough to cancel it.
    const slow = '[[fake-script {"text":"slow reply","firstTokenDelayMs":20000}]]';
    const run = await rpc(server.url, 'session/runs/start', { sessionId, source: { type: 'input', items: [{ type: 'text', text: slow }] } });
    const runId = run.result.result.run.id;
    const cancel = await runCli(['runs', 'cancel', sessionId, runId, '--api-url', server.url], { env });
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toMatch(new RegExp(`run ${runId}: (cancelling|cancelled)`));
    await eventually(async () => {
      const read = await rpc(server.url, 'session/read', { sessionId });
      return read.result.result.session.runs.find((r: any) => r.id === runId)?.status === 'cancelled' ? true : undefined;
    });
  }, 30_000);

  it('blobs/has at its 1000-ref limit leaves a concurrent session/read fast; 100,000 refs are refused at once', async () => {
    const sessionId = (await rpc(server.url, 'session/start', {})).result.result.session.id;
    const refs = (n: number) => Array.from({ length: n }, (_, i) => `sha256:${i.toString(16).padStart(64, '0')}`);
    let reading = true;
    const latencies: number[] = [];
    const reader = (async () => {
      while (reading) {
        const started = performance.now();
        expect((await rpc(server.url, 'session/read', { sessionId })).result.result.session.id).toBe(sessionId);
        latencies.push(performance.now() - started);
      }
    })();
    const checks = await Promise.all(Array.from({ length: 4 }, () => rpc(server.url, 'blobs/has', { blobRefs: refs(1000) })));
    reading = false;
    await reader;
    for (const check of checks) expect(check.result.result.blobs).toHaveLength(1000);
    expect(latencies.length).toBeGreaterThan(0);
    expect(Math.max(...latencies)).toBeLessThan(1000);

    const started = performance.now();
    const over = await rpc(server.url, 'blobs/has', { blobRefs: refs(100_000) });
    expect(performance.now() - started).toBeLessThan(3000);
    expect(over).toMatchObject({ id: 1, error: { code: -32602, data: { kind: 'invalid_request' } } });
    expect(over.error.message).toContain('blobRefs: at most 1000 items');
  }, 60_000);
});

describe('serve connection limits', () => {
  it('--headers-timeout and --max-connections-per-ip bound slow and crowding clients', async () => {
    const home = await tempDir('ls-cli-limits-');
    const env = cleanEnv(home.path);
    const server = await startServe(['--provider', 'fake', '--data-dir', ':memory:', '--headers-timeout', '0.5', '--max-connections-per-ip', '2'], env);
    const sockets: Socket[] = [];
    try {
      const port = Number(new URL(server.url).port);
      const open = () => {
        const socket = connect({ host: '127.0.0.1', port });
        socket.on('error', () => undefined);
        // A paused socket would never see the server's close.
        socket.resume();
        sockets.push(socket);
        const started = performance.now();
        const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now() - started)));
        return { socket, closed, connected: new Promise((resolve) => socket.once('connect', resolve)) };
      };
      const slow = open();
      await slow.connected;
      slow.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      const second = open();
      await second.connected;
      await new Promise((resolve) => setTimeout(resolve, 50));
      const refused = await fetch(`${server.url}/health`, { headers: { connection: 'close' } });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      const slowMs = await Promise.race([slow.closed, new Promise<number>((resolve) => setTimeout(() => resolve(-1), 3_000))]);
      expect(slowMs).toBeGreaterThan(400);
      expect(slowMs).toBeLessThan(2_000);
      await second.closed;
      expect((await fetch(`${server.url}/health`, { headers: { connection: 'close' } })).status).toBe(200);
    } finally {
      for (const socket of sockets) socket.destroy();
      await server.stop();
      await home.remove();
    }
  }, 60_000);
});

describe('serve with API keys', () => {
  it('requires a key, maps it to its universe, and the CLI passes --api-key', async () => {
    const home = await tempDir('ls-cli-keys-');
    const env = cleanEnv(home.path);
    const keys = join(home.path, 'keys.json');
    try {
      const created = await runCli(['keys', 'create', '--universe', 'team-a', '--api-keys', keys], { env });
      expect(created.code).toBe(0);
      const key = created.stdout.trim();
      expect(key).toMatch(/^lsk_/);
      expect(await readFile(keys, 'utf8')).not.toContain(key);
      const server = await startServe(['--provider', 'fake', '--data-dir', ':memory:', '--api-keys', keys], env);
      try {
        const anonymous = await runCli(['sessions', 'list', '--api-url', server.url], { env });
        expect(anonymous.code).toBe(1);
        expect(anonymous.stderr).toContain('--api-key');
        const chat = await runCli(['chat', '--api-url', server.url, '--api-key', key, 'hi'], { env });
        expect(chat.code).toBe(0);
        expect(chat.stdout).toContain('You said: hi');
        const listed = await runCli(['sessions', 'list', '--api-url', server.url], { env: { ...env, LIGHTSPEED_API_KEY: key } });
        expect(listed.stdout.trim().split('\n')).toHaveLength(1);
      } finally {
        await server.stop();
      }
    } finally {
      await home.remove();
    }
  }, 60_000);
});
