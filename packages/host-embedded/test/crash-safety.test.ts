import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrashHostConfig } from './fixtures/crash-host.js';
import { readOutcome } from './fixtures/crash-outcome.js';
import { crashPlan, prng } from './fixtures/crash-plan.js';
import { runIncarnation, startFakeProcess, type FakeProcess, type Incarnation } from './fixtures/crash-processes.js';

const RUNS = 50;
const SESSIONS = 8;
const KILLS = 22;
// CRASH_SEED replays a failure exactly (the seed is printed on every run).
const SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));

function executionsByCall(path: string): Map<string, number[]> {
  const byCall = new Map<string, number[]>();
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return byCall;
  }
  for (const line of text.split('\n').filter(Boolean)) {
    const [call, incarnation] = line.split(' ');
    byCall.set(call!, [...(byCall.get(call!) ?? []), Number(incarnation)]);
  }
  return byCall;
}

/** A child's stderr for a failure message: minified library source lines would drown the cause. */
function brief(stderr: string): string {
  return stderr
    .split('\n')
    .map((line) => (line.length > 300 ? `${line.slice(0, 300)}…` : line))
    .slice(0, 40)
    .join('\n');
}

/** Which incarnation was alive when an entry was committed (incarnations never overlap). */
function incarnationAt(at: number, incarnations: Incarnation[]): number | undefined {
  return incarnations.find((i) => at >= i.spawnedAt && at <= i.exitedAt)?.incarnation;
}

describe('embedded host crash safety', () => {
  let fake: FakeProcess;
  let root: string;

  beforeAll(async () => {
    console.log(`crash-safety seed: ${SEED} (rerun with CRASH_SEED=${SEED})`);
    root = mkdtempSync(join(tmpdir(), 'lightspeed-crash-'));
    // Slow enough replies that most kills land while runs are in progress.
    fake = await startFakeProcess(['--first-token-delay-ms', '120']);
  }, 60_000);

  afterAll(async () => {
    await fake?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it(
    'survives SIGKILL at random moments: every run ends, logs have no gaps, no finished tool call runs again, and the outcome equals an uninterrupted run',
    async () => {
      const plan = crashPlan(RUNS, SESSIONS, SEED);
      const config = (name: string, incarnation: number, exitWhenDone = true): CrashHostConfig => ({
        dataDir: join(root, name),
        fakeUrl: fake.url,
        executions: join(root, `${name}.executions`),
        incarnation,
        runs: RUNS,
        sessions: SESSIONS,
        seed: SEED,
        exitWhenDone,
      });

      const reference = await runIncarnation(config('reference', 1));
      expect(reference.code, brief(reference.stderr)).toBe(0);
      const expected = await readOutcome(join(root, 'reference'), plan);

      const random = prng(SEED);
      const incarnations: Incarnation[] = [];
      for (let n = 1; n <= KILLS; n++) {
        // Mostly mid-work (a few steps per incarnation, so work remains for later kills); one in
        // five lands during startup (lock takeover, PGlite recovery, resume).
        const beforeReady = random() < 0.2;
        const afterMs = Math.floor(random() * (beforeReady ? 3000 : 700));
        const incarnation = await runIncarnation(config('crashed', n, false), { afterMs, beforeReady });
        incarnations.push(incarnation);
        expect(incarnation.signal, `incarnation ${n} should have been killed, it exited: ${brief(incarnation.stderr)}`).toBe('SIGKILL');
        expect(incarnation.stderr, `incarnation ${n} errors`).not.toMatch(/host error|Error:/);
      }
      const kills = incarnations.length;
      // Killed while the host was up and runs were still unfinished (not during startup, not idle).
      const midWork = incarnations.filter((i) => i.signal === 'SIGKILL' && i.stdout.includes('ready') && !i.stdout.includes('done')).length;
      const last = await runIncarnation(config('crashed', incarnations.length + 1));
      incarnations.push(last);
      expect(last.code, brief(last.stderr)).toBe(0);
      expect(kills, 'incarnations killed by SIGKILL (seed ' + SEED + ')').toBeGreaterThanOrEqual(20);

      const outcome = await readOutcome(join(root, 'crashed'), plan);
      expect(outcome.seqProblems).toEqual([]);
      expect(outcome.runs.filter((run) => !['completed', 'failed', 'cancelled'].includes(run.status))).toEqual([]);

      const executions = executionsByCall(join(root, 'crashed.executions'));
      const violations: string[] = [];
      for (const [call, at] of outcome.finishedAt) {
        const committedIn = incarnationAt(at, incarnations);
        if (committedIn === undefined) violations.push(`${call}: finished at ${at}, outside every incarnation`);
        const runs = executions.get(call) ?? [];
        const later = runs.filter((n) => committedIn !== undefined && n > committedIn);
        if (later.length > 0) violations.push(`${call}: finished in incarnation ${committedIn}, executed again in ${later.join(', ')}`);
        if (new Set(runs).size !== runs.length) violations.push(`${call}: executed more than once in one incarnation (${runs.join(', ')})`);
      }
      expect(violations).toEqual([]);

      // Same scripts, same results: the crashed data directory ends where the uninterrupted one did.
      expect(outcome.runs.every((run) => run.status === 'completed')).toBe(true);
      expect(outcome.runs).toEqual(expected.runs);
      const ready = incarnations.filter((i) => i.signal === 'SIGKILL' && i.stdout.includes('ready')).length;
      // Calls interrupted after running but before their result was committed run again (allowed).
      const rerun = [...executions.values()].filter((runs) => runs.length > 1).length;
      console.log(
        `crash-safety: ${kills} SIGKILLs (${ready} after the host was up, ${midWork} of them with runs unfinished), ${outcome.finishedAt.size} tool calls finished, ${rerun} interrupted calls ran again before their result was committed`,
      );
    },
    420_000,
  );
});
