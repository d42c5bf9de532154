// The dispatch crash test of issue 14: 200 tasks whose runs use a tool, three worker processes (a
// Temporal session worker and a task dispatcher each) on one PostgreSQL store and one Temporal dev
// server, and random SIGKILLs of those processes while the tasks run (each killed one is replaced).
// Every task ends in the state it should, once: no attempt is counted for a crash (each task has
// exactly one attempt, re-claimed as often as its dispatcher died), each succeeded task's session
// holds exactly one run, and no tool call whose result was committed ran again.
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { createMethodHandlers } from '@lightspeed/api';
import { findRun } from '@lightspeed/engine';
import { startFakeProvider, type FakeProvider } from '@lightspeed/fake-provider';
import type { Storage } from '@lightspeed/store-sql';
import { journalLines, killProcess, startScriptProcess, startTemporal, type TemporalServer } from '@lightspeed/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TemporalAgentHost } from '../src/index.js';
import { sessionWorkflowId } from '../src/definitions.js';
import { freshPostgresStorage, stopSharedPostgres, workflowBundle } from './support/temporal-env.js';

const workerScript = fileURLToPath(new URL('./support/dispatch-worker-process.ts', import.meta.url));
const UNIVERSE = 'u-dispatch-crash';
const taskQueue = 'dispatch-crash-sessions';
const TASKS = { stepper: 180, lazy: 10, nobody: 10 };
const MIN_KILLS = 15;
// A kill after every this many finished tasks: 200 tasks leave room for 40, more than MIN_KILLS.
const KILL_EVERY_FINISHED = 5;

let server: TemporalServer;
let fake: FakeProvider;
let storage: Storage;
let url: string;
let dir: string;
let connection: Connection;
let client: Client;
let host: TemporalAgentHost;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lightspeed-dispatch-crash-'));
  const bundle = await workflowBundle();
  await writeFile(join(dir, 'workflow-bundle.js'), bundle.code);
  [server, fake, { storage, url }] = await Promise.all([startTemporal(), startFakeProvider({ port: 0 }), freshPostgresStorage()]);
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection, namespace: server.namespace });
  host = new TemporalAgentHost({ client, taskQueue, stores: storage });
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await host?.close();
  await connection?.close();
  await server?.stop();
  await fake?.stop();
  await storage?.close();
  await stopSharedPostgres();
  await rm(dir, { recursive: true, force: true });
});

function startWorker(): Promise<ChildProcess> {
  return startScriptProcess(workerScript, {
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: server.namespace,
    LIGHTSPEED_TASK_QUEUE: taskQueue,
    LIGHTSPEED_POSTGRES_URL: url,
    FAKE_PROVIDER_URL: fake.url,
    TOOL_JOURNAL: join(dir, 'journal.txt'),
    STEP_DELAY_MS: '300',
    WORKFLOW_BUNDLE: join(dir, 'workflow-bundle.js'),
    DISPATCH_UNIVERSE: UNIVERSE,
    DISPATCH_LEASE_MS: '1500',
  }).then((child) => {
    children.add(child);
    child.on('exit', () => children.delete(child));
    return child;
  });
}

/** The session workflow's status, pending activities and last history events, for a stuck run. */
async function workflowDiagnosis(sessionId: string): Promise<string> {
  try {
    const handle = client.workflow.getHandle(sessionWorkflowId(UNIVERSE, sessionId));
    const description = await handle.describe();
    const pending = (description.raw.pendingActivities ?? []).map((activity) => ({
      type: activity.activityType?.name,
      state: activity.state,
      attempt: activity.attempt,
      lastFailure: activity.lastFailure?.message,
    }));
    const history = await handle.fetchHistory();
    // The whole history, to replay offline (Worker.runReplayHistory) when the tail shows a failing task.
    const dump = join(tmpdir(), 'lightspeed-stuck-histories');
    await mkdir(dump, { recursive: true });
    const json = temporal.api.history.v1.History.toObject(temporal.api.history.v1.History.fromObject(history), { longs: String, enums: String, bytes: String });
    await writeFile(join(dump, `${sessionId}.json`), JSON.stringify({ workflowId: handle.workflowId, history: json }));
    const tail = (history.events ?? []).slice(-12).map((event) => {
      const type = String(temporal.api.enums.v1.EventType[event.eventType ?? 0]).replace('EVENT_TYPE_', '');
      const failure = event.workflowTaskFailedEventAttributes?.failure?.message ?? event.activityTaskFailedEventAttributes?.failure?.message ?? event.activityTaskTimedOutEventAttributes?.failure?.message;
      return failure ? `${event.eventId}:${type}(${failure.slice(0, 160)})` : `${event.eventId}:${type}`;
    });
    return `workflow=${description.status.name} events=${description.historyLength} pending=${JSON.stringify(pending)} tail=[${tail.join(' ')}]`;
  } catch (error) {
    return `workflow=? (${(error as Error).message})`;
  }
}

describe('dispatchers SIGKILLed while 200 tasks run', () => {
  it('ends every task in its state exactly once, spends no attempt on a crash and re-runs no finished tool call', async () => {
    const model = { providerId: 'fake', apiKind: 'openai:responses', model: 'fake-echo' };
    const { handlers } = createMethodHandlers(host, { profiles: (universe) => storage.profiles(universe) });
    const put = handlers['profiles/put']!;
    const ctx = { universe: UNIVERSE, signal: new AbortController().signal };
    // The fake model's echo mode calls the tool a `use <tool>` directive names, then answers.
    await put({ profile: { profileId: 'stepper', config: { model }, task: { template: 'use step ({{task.subject}})' } } }, ctx);
    await put({ profile: { profileId: 'lazy', config: { model }, task: { template: 'just answer', requiredArtifacts: ['/workspace/report.md'] } } }, ctx);

    const queue = storage.tasks(UNIVERSE);
    const expected = new Map<string, string>();
    for (const [agent, count] of Object.entries(TASKS)) {
      for (let i = 0; i < count; i++) {
        const { task } = await queue.enqueue({ kind: 'crash', agent, subject: `${agent} ${i}`, maxAttempts: 1, concurrencyKey: `k${i % 7}` });
        expected.set(task.id, agent === 'stepper' ? 'succeeded' : agent === 'lazy' ? 'blocked' : 'failed');
      }
    }

    const started = Date.now();
    await Promise.all([startWorker(), startWorker(), startWorker()]);
    const done = async () => {
      const counts = await queue.counts();
      return counts.byState.succeeded + counts.byState.failed + counts.byState.blocked + counts.byState.cancelled === expected.size;
    };
    let kills = 0;
    let replacing = 0;
    // Kills are paced by progress, not by the clock: on a loaded machine a worker takes seconds to
    // start, and killing every 0.7 s regardless (the first version) starved the run of any progress.
    let finishedAtLastKill = 0;
    const finished = async () => {
      const { byState } = await queue.counts();
      return byState.succeeded + byState.failed + byState.blocked + byState.cancelled;
    };
    // What the tasks still running are doing, for the failure message of a run out of time.
    const unfinished = async () => {
      const { tasks } = await queue.list({ states: ['running'] });
      const lines = await Promise.all(
        tasks.map(async (task) => {
          const attempt = (await queue.attempts(task.id))[0];
          const session = attempt?.sessionId ? await host.state({ universe: UNIVERSE, sessionId: attempt.sessionId }) : undefined;
          const run = session && attempt?.runId ? findRun(session, attempt.runId) : undefined;
          const workflow = attempt?.sessionId ? await workflowDiagnosis(attempt.sessionId) : '';
          return `${task.id} claims=${attempt?.claims} lease=${task.lease ? task.lease.expiresAt - Date.now() : 'none'}ms session=${session?.status ?? 'none'} run=${run?.status ?? 'none'} head=${session?.head} ${workflow}`;
        }),
      );
      return lines.join('; ');
    };
    while (!(await done()) || kills < MIN_KILLS) {
      if (Date.now() - started > 280_000) throw new Error(`not finished after 280 s (${kills} kills): ${JSON.stringify((await queue.counts()).byState)}; ${await unfinished()}`);
      await new Promise((resolve) => setTimeout(resolve, 700));
      // Kill only while there is work to interrupt, and never the last process standing.
      if (kills >= MIN_KILLS && (await done())) break;
      if (children.size < 1 || children.size + replacing < 2 || (await done())) continue;
      const now = await finished();
      if (now < finishedAtLastKill + KILL_EVERY_FINISHED) continue;
      finishedAtLastKill = now;
      const victims = [...children];
      await killProcess(victims[Math.floor(Math.random() * victims.length)]!);
      kills++;
      replacing++;
      void startWorker().finally(() => replacing--);
    }
    while (replacing > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);

    const journal = await journalLines(join(dir, 'journal.txt'));
    let claims = 0;
    for (const [taskId, state] of expected) {
      const task = (await queue.get(taskId))!;
      expect(task.state, `task ${task.subject}`).toBe(state);
      // A crash is not an attempt: one attempt per task, whatever number of claims it took.
      expect(task.attempts).toBe(1);
      const attempts = await queue.attempts(taskId);
      expect(attempts).toHaveLength(1);
      claims += attempts[0]!.claims;
      if (state !== 'succeeded') continue;
      const session = (await host.state({ universe: UNIVERSE, sessionId: attempts[0]!.sessionId! }))!;
      expect(session.counters.run, `${task.subject} ran once`).toBe(1);
      const run = findRun(session, attempts[0]!.runId!)!;
      expect(run.status).toBe('completed');
      // A call is finished once its result is committed to the log; one that ran to its end but
      // whose worker died before Temporal recorded the activity's completion runs again (the
      // documented at-least-once). So: no execution of a call may start after its commit. The
      // entry's `at` is the workflow time of the task that admitted the result, which Temporal
      // starts only after it recorded the activity's completion.
      const committedAt = new Map<string, number>();
      for (const entry of await storage.sessions(UNIVERSE).read(session.sessionId)) {
        if (entry.kind === 'tool.call_finished') committedAt.set((entry.data as { callId: string }).callId, entry.at);
      }
      for (const call of run.batches.flatMap((batch) => batch.calls)) {
        const id = `${session.sessionId}/${call.callId}`;
        const at = committedAt.get(call.callId);
        expect(at, `${id} committed`).toBeDefined();
        expect(journal.some((line) => line.startsWith(`end ${id} `)), `${id} finished`).toBe(true);
        const startsAfterCommit = journal.filter((line) => line.startsWith(`start ${id} `) && Number(line.split(' ')[2]) > at!);
        expect(startsAfterCommit, `${id} never started again after its result was committed`).toEqual([]);
      }
    }
    // The kills interrupted attempts: some were adopted by another dispatcher (more claims than tasks).
    expect(claims).toBeGreaterThan(expected.size);
    // Every session's history replays against the workflow code: a new worker taking over a
    // session after a crash replays it, and a history that does not replay strands its session.
    const sessionIds = (await Promise.all([...expected.keys()].map(async (taskId) => (await queue.attempts(taskId))[0]!.sessionId))).filter((id) => id !== undefined);
    // Tasks for an unknown agent fail before they open a session.
    expect(sessionIds.length).toBeGreaterThanOrEqual(TASKS.stepper + TASKS.lazy);
    const histories = await Promise.all(
      sessionIds.map(async (sessionId) => {
        const workflowId = sessionWorkflowId(UNIVERSE, sessionId);
        return { workflowId, history: await client.workflow.getHandle(workflowId).fetchHistory() };
      }),
    );
    for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: join(dir, 'workflow-bundle.js') } }, histories)) {
      expect(result.error, `${result.workflowId} replays`).toBeUndefined();
    }
    for (const child of [...children]) await killProcess(child);
  }, 330_000);
});
