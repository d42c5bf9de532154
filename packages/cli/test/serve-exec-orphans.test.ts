import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@lightspeed/testkit';
import { cleanEnv, eventually, tempDir } from './support/cli-harness.js';
import { startServeProcess, type ServeProcess } from './support/serve-process.js';

async function rpc(url: string, method: string, params: unknown): Promise<any> {
  const response = await fetch(`${url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return response.json();
}

/**
 * Each execution writes `start|tick|end <pid> <ms>` lines, ticking every 50 ms. The first one runs
 * 30 s, far longer than a restart takes, so only a kill stops it before the re-run; later ones 1 s.
 */
const TICKER = `import { appendFileSync, readFileSync } from 'node:fs';
const log = process.argv[2];
let earlier = '';
try { earlier = readFileSync(log, 'utf8'); } catch {}
const line = (kind) => appendFileSync(log, kind + ' ' + process.pid + ' ' + Date.now() + '\\n');
line('start');
const end = Date.now() + (earlier.includes('start') ? 1000 : 30000);
const timer = setInterval(() => {
  if (Date.now() < end) return line('tick');
  line('end');
  clearInterval(timer);
}, 50);
`;

interface Execution {
  pid: number;
  start: number;
  /** The `end` line's time, or the last tick's when the process was killed first. */
  last: number;
  ended: boolean;
}

function executions(log: string): Execution[] {
  const byPid = new Map<number, Execution>();
  for (const line of log.split('\n').filter(Boolean)) {
    const [kind, pidText, timeText] = line.split(' ');
    const pid = Number(pidText);
    const time = Number(timeText);
    if (kind === 'start') byPid.set(pid, { pid, start: time, last: time, ended: false });
    const execution = byPid.get(pid)!;
    execution.last = Math.max(execution.last, time);
    if (kind === 'end') execution.ended = true;
  }
  return [...byPid.values()].sort((a, b) => a.start - b.start);
}

describe('a server killed mid-exec does not leave the command running beside its re-run', () => {
  let home: { path: string; remove(): Promise<void> };
  const running: ServeProcess[] = [];

  /** `lightspeed serve` in its own process (its output in `<home>/<name>.log`), so the test can SIGKILL it like a crash would. */
  const startServe = async (name: string, dataDir: string, env: NodeJS.ProcessEnv): Promise<ServeProcess> => {
    const server = await startServeProcess({ args: ['--provider', 'fake', '--allow-host-tools', '--data-dir', dataDir], env, port: await freePort(), logDir: home.path, name });
    running.push(server);
    return server;
  };

  beforeAll(async () => {
    home = await tempDir('ls-cli-exec-orphans-');
  });
  afterAll(async () => {
    await Promise.all(running.map((server) => server.stop()));
    // Should the reap have failed, the orphan would tick on for 30 s: stop it here.
    const log = await readFile(join(home.path, 'executions.log'), 'utf8').catch(() => '');
    for (const execution of executions(log)) {
      try {
        if (!execution.ended) process.kill(execution.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await home?.remove();
  });

  it('on restart the orphan is killed before the interrupted call runs again, and the run completes', async () => {
    const env = cleanEnv(home.path);
    const dataDir = join(home.path, 'data');
    const root = join(home.path, 'root');
    await mkdir(root);
    // Outside the host root: the command writes it, the session's file tools cannot.
    const log = join(home.path, 'executions.log');
    const ticker = join(home.path, 'ticker.mjs');
    await writeFile(ticker, TICKER);
    const command = `${process.execPath} ${ticker} ${log}`;

    const first = await startServe('first', dataDir, env);
    const started = await rpc(first.url, 'session/start', { config: { features: { host: { root } } } });
    const sessionId: string = started.result.result.session.id;
    const run = await rpc(first.url, 'session/runs/start', {
      sessionId,
      source: { type: 'input', items: [{ type: 'text', text: `use shell_command ${JSON.stringify({ command })}` }] },
    });
    const runId: string = run.result.result.run.id;
    const readLog = () => readFile(log, 'utf8').catch(() => '');
    await eventually(async () => ((await readLog()).includes('start') ? true : undefined), 20_000, 20);
    expect(await readdir(join(dataDir, 'running-commands'))).toHaveLength(1);
    await first.kill();

    const restarting = Date.now();
    const second = await startServe('second', dataDir, env);
    const serving = Date.now();
    expect(second.process.logTail(200)).toMatch(/lightspeed: killed 1 command a previous run left running/);
    const status = await eventually(async () => {
      const read = await rpc(second.url, 'session/read', { sessionId });
      const found = read.result?.result.session.runs.find((r: any) => r.id === runId)?.status as string | undefined;
      return found === 'completed' || found === 'failed' ? found : undefined;
    }, 30_000);
    expect(status).toBe('completed');
    const final = executions(await readLog());
    // The original execution plus at most one re-run.
    expect(final.length).toBeGreaterThanOrEqual(1);
    expect(final.length).toBeLessThanOrEqual(2);
    // The orphan was killed at the restart, not left to finish (it would tick for 30 s).
    expect(final[0]!.ended).toBe(false);
    // It outlived its server (still ticking after the crash) and stopped before the new one served.
    expect(final[0]!.last, 'the orphan died with its server').toBeGreaterThan(restarting);
    expect(final[0]!.last, 'the orphan still ran after the restarted server started serving').toBeLessThan(serving);
    // No two executions overlap: each starts after the previous one's last sign of life.
    for (let i = 1; i < final.length; i++) expect(final[i]!.start, 'two executions of the call overlapped').toBeGreaterThan(final[i - 1]!.last);
    if (final.length === 2) expect(final[1]!.ended).toBe(true);
    expect(await readdir(join(dataDir, 'running-commands'))).toEqual([]);
    await second.kill();
  }, 150_000);
});
