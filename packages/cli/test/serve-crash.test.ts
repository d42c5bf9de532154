// Crash recovery of the stack users run: `lightspeed serve --allow-host-tools` as a real process,
// sessions with host exec tools, SIGKILLs at random moments. Every call of every run must execute
// (an interrupted one at most once more per interruption, never while its earlier execution still
// runs), and every transcript must equal the one an uninterrupted server produces.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, prng, startRestate, startTemporal } from '@lightspeed/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, tempDir } from './support/cli-harness.js';
import { startServeProcess, type ServeProcess } from './support/serve-process.js';

const RUNS = 2;
const CALLS = 4;
const CALL_SECONDS = 0.6;
const SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));

interface RpcFailure {
  message: string;
  data?: { kind?: string };
}

/**
 * Internal errors a restarting server answered (a workflow engine's gateway can be up before its
 * worker polls again); retried like a client retries a 5xx, and reported. Any other error fails.
 */
const transientErrors: string[] = [];

/** One JSON-RPC call; undefined while the server is down (connection refused or reset). */
async function rpc(url: string, method: string, params: unknown): Promise<{ result?: any; error?: RpcFailure } | undefined> {
  try {
    const response = await fetch(`${url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
    const body = (await response.json()) as { result?: { result: unknown }; error?: RpcFailure };
    return body.error ? { error: body.error } : { result: body.result!.result };
  } catch {
    return undefined;
  }
}

/** Retries while the server is down; a JSON-RPC error is a test failure. */
async function call(server: () => string, method: string, params: unknown): Promise<any> {
  for (;;) {
    const answer = await rpc(server(), method, params);
    if (answer?.error && answer.error.data?.kind !== 'internal') throw new Error(`${method}: ${answer.error.message}`);
    if (answer?.error) transientErrors.push(`${method}: ${answer.error.message}`);
    else if (answer) return answer.result;
    await new Promise((resolve) => setTimeout(resolve, answer ? 250 : 100));
  }
}

const callId = (session: number, run: number, index: number) => `s${session}.r${run}.c${index}`;

/**
 * Each call logs its start and end (shell pid, server pid, ns wall clock) outside the session root,
 * then answers deterministically.
 */
function runText(session: number, run: number, log: string): string {
  const lines = [];
  for (let c = 0; c < CALLS; c++) {
    const id = callId(session, run, c);
    const command = `echo start ${id} $$ $PPID $(date +%s%N) >> ${log}; sleep ${CALL_SECONDS}; echo end ${id} $$ $PPID $(date +%s%N) >> ${log}; echo ran ${id}`;
    lines.push(`use shell_command ${JSON.stringify({ command })}`);
  }
  return lines.join('\n');
}

const terminal = (status: string) => ['completed', 'failed', 'cancelled', 'interrupted'].includes(status);

/** Submits the workload (idempotently: fixed session ids and submission ids) and waits until every run is terminal. */
/**
 * Session ids carry the phase: Temporal workflows and Restate objects are keyed by session id and
 * outlive a phase's data dir, so the two phases must not share ids.
 */
const sessionIdOf = (phase: string, session: number) => `${phase}-s${session}`;

async function runWorkload(server: () => string, phase: string, sessions: number, roots: string, log: string): Promise<void> {
  await Promise.all(
    Array.from({ length: sessions }, async (_, s) => {
      const sessionId = sessionIdOf(phase, s);
      const root = join(roots, sessionId);
      await mkdir(root, { recursive: true });
      await call(server, 'session/start', { sessionId, config: { features: { host: { root, exec: true } } } });
      for (let r = 0; r < RUNS; r++) {
        await call(server, 'session/runs/start', { sessionId, submissionId: `${sessionId}-r${r}`, source: { type: 'input', items: [{ type: 'text', text: runText(s, r, log) }] } });
      }
      for (;;) {
        const { session } = await call(server, 'session/read', { sessionId });
        if (session.runs.length === RUNS && session.runs.every((run: any) => terminal(run.status))) return;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }),
  );
}

/**
 * What a user sees of each run. Provider item and call ids are generated per reply, and the two
 * workloads log to different files, so those are masked; everything else must be equal.
 */
async function transcripts(url: string, phase: string, sessions: number, log: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let s = 0; s < sessions; s++) {
    const { session } = await call(() => url, 'session/read', { sessionId: sessionIdOf(phase, s) });
    const runs = session.runs.map((run: any) => ({
      status: run.status,
      entries: run.entries.map((e: any) => ({ kind: { ...e.kind, callId: undefined }, text: e.text ?? e.preview ?? null })),
      calls: (run.toolBatches ?? []).flatMap((b: any) => b.calls.map((c: any) => ({ tool: c.toolName, arguments: c.arguments, status: c.status, isError: c.isError, output: c.output }))),
    }));
    out.push(JSON.parse(JSON.stringify(runs).replaceAll(log, '<log>').replace(/\b(fc|call)_[0-9a-f]{8,}/g, '$1_<id>')));
  }
  return out;
}

interface Execution {
  /** The shell's pid: tells an execution's end line apart from a later execution's. */
  pid: string;
  /** The pid of the server that started it. */
  server: number;
  start: number;
  end?: number;
}

async function executions(log: string): Promise<Map<string, Execution[]>> {
  const byCall = new Map<string, Execution[]>();
  const text = await readFile(log, 'utf8').catch(() => '');
  for (const line of text.split('\n').filter(Boolean)) {
    const [what, id, pid, server, ns] = line.split(' ') as [string, string, string, string, string];
    const ms = Number(BigInt(ns) / 1_000_000n);
    const list = byCall.get(id) ?? [];
    if (what === 'start') list.push({ pid, server: Number(server), start: ms });
    else list.find((execution) => execution.pid === pid)!.end = ms;
    byCall.set(id, list);
  }
  return byCall;
}

/** Restate's endpoint port per phase, fixed for the phase's serves (free ports picked up front). */
async function reserveEndpointPorts(backend: { ports?: Map<string, number> } | undefined): Promise<void> {
  if (!backend?.ports) return;
  for (const phase of ['control', 'crash']) backend.ports.set(phase, await freePort());
}

interface EngineCase {
  engine: 'embedded' | 'temporal' | 'restate';
  sessions: number;
  kills: number;
  /** Kills that must land before the workload finishes (the acceptance asks ≥ 15 on the embedded stack). */
  minKills: number;
  /** Starts the engine's server (outliving every serve) and returns the env that points serve at it. */
  backend?: () => Promise<{ env: (phase: string) => NodeJS.ProcessEnv; stop(): Promise<void>; ports?: Map<string, number> }>;
}

// Embedded carries the acceptance load; the workflow engines run a smaller workload (their serves
// take longer to start and a killed worker's activities wait out their heartbeat timeout).
const CASES: EngineCase[] = [
  { engine: 'embedded', sessions: 20, kills: 16, minKills: 15 },
  {
    engine: 'temporal',
    sessions: 4,
    kills: 5,
    minKills: 4,
    backend: async () => {
      const server = await startTemporal();
      // One task queue per phase: the control's workflows must not be served by the crash phase's worker.
      return { env: (phase) => ({ TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: server.namespace, LIGHTSPEED_TASK_QUEUE: `crash-${phase}` }), stop: () => server.stop() };
    },
  },
  {
    engine: 'restate',
    sessions: 4,
    kills: 5,
    minKills: 4,
    backend: async () => {
      const server = await startRestate();
      const ports = new Map<string, number>();
      return {
        // The endpoint keeps its port across restarts, so invocations in flight resume when it is back.
        env: (phase) => ({ RESTATE_ADMIN_URL: server.adminUrl, RESTATE_INGRESS_URL: server.ingressUrl, LIGHTSPEED_RESTATE_ENDPOINT_PORT: String(ports.get(phase)) }),
        stop: () => server.stop(),
        ports,
      };
    },
  },
];

describe.each(CASES)('lightspeed serve --engine $engine with host exec tools under SIGKILL', ({ engine, sessions: SESSIONS, kills: KILLS, minKills, backend: startBackend }) => {
  let home: { path: string; remove(): Promise<void> };
  let env: NodeJS.ProcessEnv;
  let backend: Awaited<ReturnType<NonNullable<EngineCase['backend']>>> | undefined;
  const live: ServeProcess[] = [];

  beforeAll(async () => {
    console.log(`serve-crash (${engine}) seed: ${SEED} (rerun with CRASH_SEED=${SEED})`);
    home = await tempDir('ls-serve-crash-');
    env = cleanEnv(home.path);
    backend = await startBackend?.();
  }, 120_000);
  afterAll(async () => {
    await Promise.all(live.map((server) => server.stop()));
    await backend?.stop();
    await home?.remove();
  });

  const serve = async (name: string, phase: string, dataDir: string, port: number) => {
    const server = await startServeProcess({
      args: ['--provider', 'fake', '--allow-host-tools', '--engine', engine, '--data-dir', dataDir],
      env: { ...env, ...backend?.env(phase) },
      port,
      logDir: home.path,
      name: `${engine}-${name}`,
    });
    live.push(server);
    return server;
  };

  it(
    `runs ${SESSIONS * RUNS} tool-using runs through ${KILLS} kills with every call executed, none overlapping, and transcripts equal to an uninterrupted run`,
    async () => {
      // The control: the same workload on a server nobody kills.
      const controlLog = join(home.path, 'control.log');
      await reserveEndpointPorts(backend);
      const control = await serve('control', 'control', join(home.path, 'control-data'), await freePort());
      const controlStarted = Date.now();
      await runWorkload(() => control.url, 'control', SESSIONS, join(home.path, 'control-roots'), controlLog);
      const controlMs = Date.now() - controlStarted;
      console.log(`serve-crash (${engine}): the uninterrupted workload took ${controlMs} ms`);
      const expected = await transcripts(control.url, 'control', SESSIONS, controlLog);
      await control.stop();
      // The transcripts must hold the tool outputs, or the comparison below proves nothing.
      expect(JSON.stringify(expected)).toContain(`ran ${callId(SESSIONS - 1, RUNS - 1, CALLS - 1)}`);

      const log = join(home.path, 'crash.log');
      const dataDir = join(home.path, 'crash-data');
      const port = await freePort();
      const random = prng(SEED);
      const crashStarted = Date.now();
      let current = await serve('crash-0', 'crash', dataDir, port);
      const kills: number[] = [];
      const restartMs: number[] = [];
      // Server pids in start order: an execution's incarnation, and whether that one was killed.
      const incarnations = [current.process.pid];
      let done = false;
      const workload = runWorkload(() => current.url, 'crash', SESSIONS, join(home.path, 'crash-roots'), log).finally(() => (done = true));
      // Gaps are paced by the workload's own length, so every kill lands while it runs however fast
      // the machine is: the workload does at most ~2/3 of its uninterrupted work between all kills.
      const meanGapMs = controlMs / (KILLS * 1.5);
      for (let k = 1; k <= KILLS && !done; k++) {
        // Kill mostly while a command runs, sometimes at any moment (during a model turn, a commit, a resume).
        const started = Date.now();
        const waitMs = Math.min(2000, 100 + random() * 2 * meanGapMs);
        while (!done && Date.now() - started < waitMs) await new Promise((resolve) => setTimeout(resolve, 20));
        if (done) break;
        kills.push(Date.now());
        await current.kill();
        const restarted = Date.now();
        current = await serve(`crash-${k}`, 'crash', dataDir, port);
        restartMs.push(Date.now() - restarted);
        incarnations.push(current.process.pid);
      }
      await workload;
      console.log(`serve-crash (${engine}): the workload under kills took ${Date.now() - crashStarted} ms; restarts took ${restartMs.join(', ')} ms`);
      const actual = await transcripts(current.url, 'crash', SESSIONS, log);
      const ran = await executions(log);

      let reruns = 0;
      for (let s = 0; s < SESSIONS; s++) {
        for (let r = 0; r < RUNS; r++) {
          for (let c = 0; c < CALLS; c++) {
            const id = callId(s, r, c);
            const runsOf = ran.get(id) ?? [];
            expect(runsOf.length, `${id} never ran`).toBeGreaterThan(0);
            expect(runsOf.at(-1)!.end, `${id} never ran to its end`).toBeDefined();
            for (let i = 1; i < runsOf.length; i++) {
              const before = runsOf[i - 1]!;
              const again = runsOf[i]!;
              reruns++;
              // Ran again only because a kill interrupted the earlier execution: in a later
              // incarnation than a killed one, never twice in one...
              const first = incarnations.indexOf(before.server);
              const second = incarnations.indexOf(again.server);
              expect(first, `${id} ran in an unknown server ${before.server}`).toBeGreaterThanOrEqual(0);
              expect(second, `${id} ran again in the same or an earlier server (incarnations ${first}, ${second})`).toBeGreaterThan(first);
              expect(first, `${id} ran again although its server was never killed`).toBeLessThan(kills.length);
              // ...and only once that execution was over (finished, or its process group killed).
              if (before.end !== undefined) expect(before.end, `${id}: the re-run overlapped the earlier execution`).toBeLessThanOrEqual(again.start);
            }
          }
        }
      }
      if (transientErrors.length > 0) console.log(`serve-crash (${engine}): ${transientErrors.length} internal errors retried, e.g. ${transientErrors[0]}`);
      transientErrors.length = 0;
      console.log(`serve-crash (${engine}): ${kills.length} SIGKILLs, ${SESSIONS * RUNS} runs, ${SESSIONS * RUNS * CALLS} calls, ${reruns} interrupted calls ran again`);
      expect(kills.length).toBeGreaterThanOrEqual(minKills);
      expect(actual).toEqual(expected);
    },
    900_000,
  );
});
