// `lightspeed tasks` against a live `lightspeed serve`: on PGlite (the embedded data dir) and on a
// real PostgreSQL, where this test also plays a dispatcher in "another process" (its own Storage on
// the same database) so attempts and cross-process events show up in `show` and `watch`.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openStorage, type Storage } from '@lightspeed/store-sql';
import { startPostgres, type PostgresServer } from '@lightspeed/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Capture, cleanEnv, eventually, runCli, startServe, tempDir } from './support/cli-harness.js';

const AGENT = `---
description: Summarises an issue
task:
  schema:
    type: object
    properties:
      issue: { type: integer, minimum: 1 }
    required: [issue]
  template: "Summarise issue {{payload.issue}}"
  requiredArtifacts: [/workspace/summary.md]
---
You summarise issues.
`;

/** `serve` flags that keep the server from claiming tasks itself, when this build has a dispatcher. */
async function apiOnlyFlags(env: NodeJS.ProcessEnv): Promise<string[]> {
  const help = await runCli(['serve', '--help'], { env });
  return help.stdout.includes('--no-dispatch') ? ['--no-dispatch'] : [];
}

async function project(home: string): Promise<string> {
  const dir = join(home, 'project');
  await mkdir(join(dir, '.lightspeed', 'agents'), { recursive: true });
  await writeFile(join(dir, '.lightspeed', 'agents', 'summariser.md'), AGENT);
  return dir;
}

describe('lightspeed tasks against serve on PGlite', () => {
  let home: { path: string; remove(): Promise<void> };
  let env: NodeJS.ProcessEnv;
  let server: Awaited<ReturnType<typeof startServe>>;
  const cli = (...args: string[]) => runCli(['tasks', ...args, '--api-url', server.url], { env });

  beforeAll(async () => {
    home = await tempDir('ls-cli-tasks-');
    env = cleanEnv(home.path);
    server = await startServe(['--provider', 'fake', '--data-dir', join(home.path, 'data'), '--project', await project(home.path), ...(await apiOnlyFlags(env))], env);
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    await home?.remove();
  });

  it('adds, lists, shows, cancels and retries; bad input is a clear error and enqueues nothing', async () => {
    const added = await cli('add', 'summariser', '{"issue": 12}', '--kind', 'github.issue.summarise', '--subject', 'acme/api#12', '--delay', '1h', '--tag', 'gh');
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const [id, state] = added.stdout.split(' ');
    expect(state).toBe('scheduled');
    expect(added.stdout).toMatch(/for agent summariser, not before \d{4}-/);

    const bad = [
      [await cli('add', 'summariser', '{"issue": "twelve"}'), 1, 'payload/issue must be integer'],
      [await cli('add', 'nobody', '{}'), 1, 'agent nobody does not exist'],
      [await cli('add', 'summariser', '{"issue": 1}', '--delay', '-5s'), 2, '--delay must be a duration'],
      [await cli('add', 'summariser', '{"issue": 1}', '--max-attempts', '0'), 2, '--max-attempts must be a whole number from 1 to 100'],
      [await cli('add', 'summariser', 'twelve'), 2, 'the payload must be JSON'],
      [await cli('add', 'summariser', '{"issue": 1}', '--delay', '5s', '--at', '2030-01-01T00:00:00Z'), 2, 'exclusive'],
      [await cli('list', '--state', 'bogus'), 2, '--state bogus is not a task state'],
    ] as const;
    for (const [run, code, message] of bad) {
      expect(run.stderr).toContain(message);
      expect(run.code).toBe(code);
    }

    const list = await cli('list');
    expect(list.stdout.split('\n')[0]).toMatch(/^ID\s+STATE\s+AGENT\s+KIND\s+SUBJECT\s+ATTEMPTS\s+WHEN$/);
    expect(list.stdout.trim().split('\n')).toHaveLength(2);
    expect(list.stdout).toMatch(new RegExp(`${id}\\s+scheduled\\s+summariser\\s+github.issue.summarise\\s+acme/api#12\\s+0/3\\s+next in (60m|1h)`));
    expect((await cli('list', '--state', 'queued')).stderr).toBe('no tasks\n');
    expect(JSON.parse((await cli('list', '--json', '--tag', 'gh')).stdout).tasks.map((t: any) => t.taskId)).toEqual([id]);

    const show = await cli('show', id!);
    expect(show.stdout).toContain(`task ${id}\n  state      scheduled\n  agent      summariser\n  kind       github.issue.summarise\n  subject    acme/api#12`);
    expect(show.stdout).toContain('  payload    {"issue":12}');
    expect(show.stdout).toContain('no attempts yet');

    expect((await cli('cancel', id!, '--reason', 'not needed')).stdout).toBe(`${id} cancelled\n`);
    const twice = await cli('cancel', id!);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain(`cannot cancel task ${id}: it is cancelled`);
    expect((await cli('retry', id!)).stdout).toMatch(new RegExp(`^${id} (queued|scheduled) \\(attempt 1 of 3\\)\\n$`));
    const missing = await cli('show', 'task_nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('task task_nope does not exist');
    expect((await cli('tasks-not-a-command')).code).not.toBe(0);
  }, 60_000);

  it('watch prints the table, then a line per transition, until interrupted', async () => {
    const stdout = new Capture();
    const controller = new AbortController();
    const watching = runCli(['tasks', 'watch', '--agent', 'summariser', '--api-url', server.url], { env, stdout, signal: controller.signal });
    await eventually(() => (/^(ID|no tasks)/m.test(stdout.text) ? true : undefined), 30_000);
    const id = (await cli('add', 'summariser', '{"issue": 3}', '--delay', '1h', '--subject', 'watch me')).stdout.split(' ')[0]!;
    await cli('cancel', id);
    await eventually(() => (stdout.text.includes(`cancelled  ${id}`) ? true : undefined), 15_000);
    controller.abort();
    const run = await watching;
    expect(run.code).toBe(0);
    expect(stdout.text).toMatch(new RegExp(`\\d\\d:\\d\\d:\\d\\d  created  ${id}  scheduled  summariser  manual  watch me\\n`));
    expect(stdout.text.indexOf(`created  ${id}`)).toBeLessThan(stdout.text.indexOf(`cancelled  ${id}`));
  }, 60_000);

  it('watch on a terminal redraws the table in place on every event', async () => {
    const stdout = new Capture();
    stdout.isTTY = true;
    const controller = new AbortController();
    const watching = runCli(['tasks', 'watch', '--state', 'scheduled', '--api-url', server.url], { env, stdout, signal: controller.signal });
    await eventually(() => (stdout.text.includes('· live ·') ? true : undefined), 30_000);
    const id = (await cli('add', 'summariser', '{"issue": 4}', '--delay', '2h', '--subject', 'on screen')).stdout.split(' ')[0]!;
    await eventually(() => (stdout.text.includes(id) ? true : undefined), 15_000);
    controller.abort();
    expect((await watching).code).toBe(0);
    const frames = stdout.text.split('\x1b[H\x1b[2J').filter(Boolean);
    const last = frames[frames.length - 1]!;
    expect(last).toMatch(/^tasks · \d+ shown · live · \d\d:\d\d:\d\d\nID\s+STATE/);
    expect(last).toMatch(new RegExp(`${id}\\s+scheduled\\s+summariser\\s+manual\\s+on screen\\s+0/3\\s+next in (2h|120m)`));
  }, 60_000);
});

describe('lightspeed tasks without a task queue', () => {
  it('says the in-memory server has none, and how to get one', async () => {
    const home = await tempDir('ls-cli-tasks-mem-');
    try {
      const run = await runCli(['tasks', 'list', '--data-dir', ':memory:'], { env: cleanEnv(home.path) });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('the task queue is not enabled on this gateway: it needs SQL storage');
    } finally {
      await home.remove();
    }
  }, 60_000);
});

describe('lightspeed tasks against serve on PostgreSQL, with a dispatcher in another process', () => {
  let postgres: PostgresServer;
  let home: { path: string; remove(): Promise<void> };
  let env: NodeJS.ProcessEnv;
  let server: Awaited<ReturnType<typeof startServe>>;
  let dispatcher: Storage;
  const cli = (...args: string[]) => runCli(['tasks', ...args, '--api-url', server.url], { env });

  beforeAll(async () => {
    postgres = await startPostgres();
    home = await tempDir('ls-cli-tasks-pg-');
    env = cleanEnv(home.path, { LIGHTSPEED_POSTGRES_URL: postgres.url });
    dispatcher = await openStorage({ kind: 'postgres', url: postgres.url }, { migrate: true });
    server = await startServe(['--provider', 'fake', '--project', await project(home.path), ...(await apiOnlyFlags(env))], env);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await dispatcher?.close();
    await postgres?.stop();
    await home?.remove();
  });

  it('show lists each attempt with session and run ids, outcome, error class, usage, cost and the next attempt; watch sees the other process', async () => {
    const stdout = new Capture();
    const controller = new AbortController();
    const watching = runCli(['tasks', 'watch', '--api-url', server.url], { env, stdout, signal: controller.signal });
    await eventually(() => (/^(ID|no tasks)/m.test(stdout.text) ? true : undefined), 30_000);

    const id = (await cli('add', 'summariser', '{"issue": 9}', '--kind', 'gh', '--max-attempts', '2')).stdout.split(' ')[0]!;
    const queue = dispatcher.tasks('local');
    const [claim] = await queue.claim({ dispatcher: 'other-host:4242', agents: ['summariser'] });
    expect(claim?.task.id).toBe(id);
    await queue.renew(claim!.lease, { facts: { sessionId: 'ses_task1', runId: 'run_1', agentRevision: 1 } });
    await queue.fail(claim!.lease, { errorClass: 'rate_limit', error: 'HTTP 429', retryable: true, retryAfterMs: 3_600_000, usage: { input: 120, cachedInput: 30, cacheWrite: 0, output: 40, reasoning: 8 }, costUsd: 0.0123 });
    await eventually(() => (stdout.text.includes(`rescheduled  ${id}`) ? true : undefined), 15_000);
    controller.abort();
    expect((await watching).code).toBe(0);
    expect(stdout.text).toMatch(new RegExp(`created  ${id}  queued[\\s\\S]*claimed  ${id}  running[\\s\\S]*rescheduled  ${id}  scheduled`));

    const show = await cli('show', id);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('  attempts   1 of 2');
    expect(show.stdout).toContain('  last error rate_limit: HTTP 429');
    expect(show.stdout).toContain('attempt 1: failed (rate_limit)\n  dispatcher other-host:4242 · agent revision 1\n  session    ses_task1 · run run_1\n');
    expect(show.stdout).toContain('  error      HTTP 429\n  usage      120 in · 30 cached · 0 cache-write · 40 out (8 reasoning)\n  cost       $0.0123\n  next attempt at ');
    const json = JSON.parse((await cli('show', id, '--json')).stdout);
    expect(json.attempts[0]).toMatchObject({ sessionId: 'ses_task1', runId: 'run_1', outcome: 'failed', errorClass: 'rate_limit', costUsd: 0.0123 });
    expect((await cli('retry', id)).code).toBe(1);
  }, 90_000);
});
