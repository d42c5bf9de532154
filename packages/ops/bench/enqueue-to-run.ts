// enqueue_to_run_ms_p50 for bench:tasks: how long a task waits between `tasks/create` and its agent
// run being started, on the embedded deployment (`lightspeed serve` on a data directory): the
// embedded host over PGlite on disk, the real Dispatcher with its default poll (2 s, so a missed
// wake-up shows), sessions opened through the API's handlers from a stored agent profile, and the
// real fake provider answering the runs.
//
// One task at a time, each run finished before the next enqueue: the figure is the latency of an
// idle dispatcher, not of a backlog. The clock starts before the `tasks/create` handler is called
// (validation, profile lookup and the insert included) and stops in `onRunStarted`, when the host
// has accepted the attempt's `run.start`. The phases (create, claim, session open, submit) are
// taken by wrapping the queue, opener and host the dispatcher is given, to say where time goes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createMethodHandlers } from '@lightspeed/api';
import type { AgentHost } from '@lightspeed/driver';
import { EmbeddedHost } from '@lightspeed/host-embedded';
import { startFakeProvider } from '@lightspeed/fake-provider';
import { ProviderRegistry, ProviderRouter } from '@lightspeed/llm';
import type { TaskQueue } from '@lightspeed/ports';
import { openStorage } from '@lightspeed/store-sql';
import { createToolPortFactory } from '@lightspeed/tools';
import { Dispatcher, type TaskSessionOpener } from '../src/index.js';

const UNIVERSE = 'bench-dispatch';
const MODEL = { providerId: 'fake', apiKind: 'openai:responses' as const, model: 'fake-echo' };

export interface EnqueueToRunFigures {
  p50: number;
  p90: number;
  samples: number;
  /** Medians, in ms after the `tasks/create` call, of: it answered, the claim answered, the session was open, the run submitted. */
  phases: { create: number; claim: number; open: number; submit: number };
}

const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
};

interface Marks {
  created?: number;
  claimed?: number;
  opened?: number;
  submitted?: number;
}

export async function enqueueToRun(options: { samples?: number; warmup?: number } = {}): Promise<EnqueueToRunFigures> {
  const samples = options.samples ?? 200;
  const warmup = options.warmup ?? 20;
  const dir = await mkdtemp(join(tmpdir(), 'lightspeed-bench-dispatch-'));
  const storage = await openStorage({ kind: 'pglite', dataDir: join(dir, 'pglite') });
  const fake = await startFakeProvider({ port: 0 });
  const llm = new ProviderRouter(new ProviderRegistry({ providers: [], fake: { baseUrl: fake.url } }, {}));
  const runtime = createToolPortFactory();
  const host = await EmbeddedHost.start({
    stores: { sessions: (u) => storage.sessions(u), blobs: (u) => storage.blobs(u), workspaces: (u) => storage.workspaces(u), activeSessions: () => storage.activeSessions() },
    llm,
    tools: (context) => runtime.factory(context),
  });
  const { handlers, taskSessions } = createMethodHandlers(host, {
    defaultModel: MODEL,
    profiles: (universe) => storage.profiles(universe),
    tasks: (universe) => storage.tasks(universe),
    dispatch: { tasks: (universe) => storage.tasks(universe), controls: (universe) => storage.dispatch(universe) },
  });
  const call = async (method: string, params: unknown) => {
    const handler = (handlers as unknown as Record<string, (p: unknown, c: unknown) => Promise<{ result: unknown }>>)[method]!;
    return (await handler(params, { universe: UNIVERSE, signal: new AbortController().signal, actor: 'bench' })).result;
  };

  // The phase marks of the task in flight (one at a time).
  let marks: Marks = {};
  const queues = new Map<string, TaskQueue>();
  const tasks = (universe: string): TaskQueue => {
    let queue = queues.get(universe);
    if (!queue) {
      const inner = storage.tasks(universe);
      queue = new Proxy(inner, {
        get(target, key, receiver) {
          const value = Reflect.get(target, key, receiver) as unknown;
          if (key !== 'claim' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
          return async (...args: Parameters<TaskQueue['claim']>) => {
            const claimed = await target.claim(...args);
            if (claimed.length > 0) marks.claimed = performance.now();
            return claimed;
          };
        },
      });
      queues.set(universe, queue);
    }
    return queue;
  };
  const sessions: TaskSessionOpener = {
    async open(universe, sessionId, agent) {
      const opened = await taskSessions.open(universe, sessionId, agent);
      marks.opened = performance.now();
      return opened;
    },
  };
  const timedHost: AgentHost = new Proxy(host, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (key !== 'submit' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
      return async (...args: Parameters<AgentHost['submit']>) => {
        const outcome = await target.submit(...args);
        if (args[1].type === 'run.start') marks.submitted = performance.now();
        return outcome;
      };
    },
  });

  // One task is in flight at a time, so the callbacks need no task id: the run may even start
  // before `tasks/create` has answered (the wake-up is in process).
  let current = { start: (): void => undefined, end: (): void => undefined };
  const dispatcher = new Dispatcher({
    host: timedHost,
    tasks,
    controls: (universe) => storage.dispatch(universe),
    signal: storage.taskSignal,
    sessions,
    universes: [UNIVERSE],
    idle: () => storage.vacuumTasks(),
    onError: (error, where) => console.error(`dispatcher: ${where}:`, error),
    onRunStarted: () => current.start(),
    onAttemptEnd: () => current.end(),
  });

  const totals: number[] = [];
  const phases = { create: [] as number[], claim: [] as number[], open: [] as number[], submit: [] as number[] };
  try {
    await call('profiles/put', { profile: { profileId: 'bench', config: { model: MODEL }, task: { template: 'answer {{payload.n}}' } } });
    dispatcher.start();
    for (let i = 0; i < warmup + samples; i++) {
      let runStartedAt = NaN;
      let markStarted!: () => void;
      let markEnded!: () => void;
      const runStarted = new Promise<void>((resolve) => (markStarted = resolve));
      const attemptEnded = new Promise<void>((resolve) => (markEnded = resolve));
      current = {
        start: () => {
          runStartedAt = performance.now();
          markStarted();
        },
        end: () => markEnded(),
      };
      marks = {};
      const t0 = performance.now();
      await call('tasks/create', { kind: 'bench.dispatch', agent: 'bench', payload: { n: i } });
      marks.created = performance.now();
      await runStarted;
      await attemptEnded;
      if (i < warmup) continue;
      totals.push(runStartedAt - t0);
      phases.create.push(marks.created - t0);
      phases.claim.push(marks.claimed! - t0);
      phases.open.push(marks.opened! - t0);
      phases.submit.push(marks.submitted! - t0);
    }
  } finally {
    await dispatcher.stop();
    await host.close();
    await runtime.close();
    await fake.stop();
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  }
  return {
    p50: percentile(totals, 0.5),
    p90: percentile(totals, 0.9),
    samples: totals.length,
    phases: { create: percentile(phases.create, 0.5), claim: percentile(phases.claim, 0.5), open: percentile(phases.open, 0.5), submit: percentile(phases.submit, 0.5) },
  };
}
