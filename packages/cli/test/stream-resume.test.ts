import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Capture, cleanEnv, eventually, runCli, tempDir, type CliRun } from './support/cli-harness.js';

/** An HTTP proxy that cuts the first live stream after it has carried `cutAfterEvents` durable events. */
function cuttingProxy(target: string, cutAfterEvents: number): Promise<{ url: string; cuts: number; server: Server }> {
  const state = { url: '', cuts: 0, server: undefined as unknown as Server };
  const server = createServer((req, res) => {
    const upstream = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      const isStream = req.url?.includes('/stream') ?? false;
      let events = 0;
      answer.on('data', (chunk: Buffer) => {
        res.write(chunk);
        if (!isStream || state.cuts > 0) return;
        events += (chunk.toString().match(/^event: event$/gm) ?? []).length;
        if (events >= cutAfterEvents) {
          state.cuts += 1;
          answer.destroy();
          res.destroy();
        }
      });
      answer.on('end', () => res.end());
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  state.server = server;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(Object.assign(state, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }))));
}

describe('following a run when the live stream drops', () => {
  let home: { path: string; remove(): Promise<void> };
  let stopServe: () => Promise<CliRun>;
  let serverUrl: string;

  beforeAll(async () => {
    home = await tempDir('ls-cli-resume-');
    const controller = new AbortController();
    const stdout = new Capture();
    const done = runCli(['serve', '--port', '0', '--provider', 'fake', '--data-dir', ':memory:'], { env: cleanEnv(home.path), stdout, signal: controller.signal });
    serverUrl = await eventually(() => /serving on (http:\/\/\S+)/.exec(stdout.text)?.[1], 30_000);
    stopServe = () => {
      controller.abort();
      return done;
    };
  }, 60_000);
  afterAll(async () => {
    await stopServe?.();
    await home?.remove();
  });

  it('resumes from the durable cursor and still reports the run to its end', async () => {
    const proxy = await cuttingProxy(serverUrl, 3);
    try {
      const run = await runCli(['chat', '--api-url', proxy.url, '--json', 'resume me'], { env: cleanEnv(home.path) });
      expect(proxy.cuts).toBe(1);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
      const result = lines[lines.length - 1];
      expect(result).toMatchObject({ type: 'result', status: 'completed' });
      expect(result.answer).toContain('You said: resume me');
      // Every durable event is reported exactly once across the two connections.
      const keys = lines.filter((line) => line.type === 'event').map((line) => `${line.event.cursor.seq}:${JSON.stringify(line.event.kind)}`);
      expect(new Set(keys).size).toBe(keys.length);
      expect(lines.filter((line) => line.type === 'event' && line.event.kind.type === 'runCompleted')).toHaveLength(1);
    } finally {
      proxy.server.closeAllConnections();
      proxy.server.close();
    }
  }, 30_000);
});
