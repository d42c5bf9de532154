import { cuttingSseProxy } from '@lightspeed/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Capture, cleanEnv, eventually, runCli, tempDir, type CliRun } from './support/cli-harness.js';

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
    const proxy = await cuttingSseProxy(serverUrl, 3);
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
      await proxy.close();
    }
  }, 30_000);
});
